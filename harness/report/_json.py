"""The machine-readable result of a run: one entry per case, plus load errors."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

from .. import __version__
from ..results import CaseResult

__all__ = ["results_document", "write_json", "SCHEMA_VERSION"]

SCHEMA_VERSION = "sockfault-results/1"      # results.schema.json; bumped on an incompatible change


def results_document(results: list[CaseResult], load_errors: list = (), faithful: bool = False) -> dict:
    return {
        "schema": SCHEMA_VERSION, "tool": "sockfault", "version": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(), "time_scale": "faithful" if faithful else "compressed where the scenario allows",
        "summary": {v: sum(1 for r in results if r.verdict == v) for v in sorted({r.verdict for r in results})},
        "load_errors": [{"file": e.file, "line": e.error.line, "message": str(e.error)} for e in load_errors],
        "scenarios": [r.to_dict() for r in results],
    }


def write_json(path: str | Path, document: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, default=str))
