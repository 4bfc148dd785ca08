"""JUnit XML from a results document, for CI systems that show test reports: one testcase per
scenario case (or matrix cell), a failure with the reason when it did not pass."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from ..results import PASSING

__all__ = ["write_junit"]


def _case(suite: ET.Element, classname: str, name: str, seconds: float, failure: str | None, skipped: str | None):
    case = ET.SubElement(suite, "testcase", classname=classname, name=name, time=f"{seconds:.3f}")
    if skipped:
        ET.SubElement(case, "skipped", message=skipped[:500])
    elif failure:
        ET.SubElement(case, "failure", message=failure[:500]).text = failure


def write_junit(path: str | Path, document: dict) -> None:
    root = ET.Element("testsuites", name="sockfault")
    scenarios = document.get("scenarios", [])
    if scenarios:
        suite = ET.SubElement(root, "testsuite", name="sockfault run", tests=str(len(scenarios)))
        for s in scenarios:
            failed = None if s["verdict"] in PASSING or s["verdict"] == "skipped" else f"{s['verdict']}: {s['reason']}"
            _case(suite, s["doc"], s["scenario"], s["duration_s"], failed,
                  s["reason"] if s["verdict"] == "skipped" else None)
    matrix = document.get("matrix") or (document if document.get("schema") == "sockfault-matrix/1" else None)
    if matrix:
        suite = ET.SubElement(root, "testsuite", name="sockfault matrix", tests=str(len(matrix["cells"])))
        for c in matrix["cells"]:
            # a cell measures; it fails the report only when it could not be measured
            _case(suite, f"matrix.{c['transport']}", c["cell"], c["duration_s"],
                  f"error: {c['error']}" if c["result"] == "error" else None, None)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
