"""Merge the JSON of several runs (CI shards of `sockfault run` and of `sockfault matrix`) into one
document: scenarios and cells side by side, the summary counted again."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import HarnessError
from ._json import SCHEMA_VERSION

__all__ = ["load_document", "merge"]

KNOWN = (SCHEMA_VERSION, "sockfault-matrix/1")


def load_document(path: str | Path) -> dict:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise HarnessError(f"{path}: not a sockfault JSON document ({exc})") from None
    if not isinstance(doc, dict) or doc.get("tool") != "sockfault":
        raise HarnessError(f"{path}: not a sockfault JSON document (no \"tool\": \"sockfault\")")
    schema = doc.get("schema", SCHEMA_VERSION if "scenarios" in doc else None)   # before the field existed
    if schema not in KNOWN:
        raise HarnessError(f"{path}: schema {schema!r} is not one this sockfault reads (valid: {', '.join(KNOWN)})")
    doc["schema"] = schema
    return doc


def merge(docs: list[dict]) -> dict:
    """One results document; matrix cells go under "matrix" (its own document, merged the same way)."""
    runs = [d for d in docs if d["schema"] == SCHEMA_VERSION]
    matrices = [d for d in docs if d["schema"] == "sockfault-matrix/1"]
    base = dict(runs[0] if runs else {"schema": SCHEMA_VERSION, "tool": "sockfault",
                                      "version": (matrices or [{}])[0].get("version"),
                                      "created": (matrices or [{}])[0].get("created", ""),
                                      "time_scale": "", "load_errors": [], "scenarios": []})
    seen, scenarios = set(), []
    for d in runs:
        for s in d["scenarios"]:
            if s["scenario"] not in seen:          # a case run by two shards counts once
                seen.add(s["scenario"])
                scenarios.append(s)
    base["scenarios"] = scenarios
    base["load_errors"] = [e for d in runs for e in d.get("load_errors", [])]
    base["summary"] = {v: sum(1 for s in scenarios if s["verdict"] == v) for v in sorted({s["verdict"] for s in scenarios})}
    base["merged_from"] = len(docs)
    if matrices:
        cells, seen_cells = [], set()
        for d in matrices:
            for c in d["cells"]:
                if c["cell"] not in seen_cells:
                    seen_cells.add(c["cell"])
                    cells.append(c)
        matrix = dict(matrices[0], cells=cells)
        matrix["summary"] = {"cells": len(cells), "works": sum(c["result"] == "works" for c in cells),
                             "fails": sum(c["result"] == "fails" for c in cells),
                             "error": sum(c["result"] == "error" for c in cells),
                             "disagree_with_page": sum(c["agrees"] is False for c in cells)}
        base["matrix"] = matrix
    return base
