"""The machine-readable result of a run: one entry per case, plus load errors.

The document holds each run's timeline as a lazy TimelineEvents, and write_json streams it: the
file is written chunk by chunk, a timeline's events made and dropped one at a time, so memory stays
flat however many events a run recorded (the bytes are those json.dumps(indent=1) wrote of lists)."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

from .. import __version__
from ..results import CaseResult
from ._events import TimelineEvents
from ._write import write_chunks

__all__ = ["results_document", "scenario_commands", "write_json", "SCHEMA_VERSION"]

SCHEMA_VERSION = "sockfault-results/1"      # results.schema.json; bumped on an incompatible change


def results_document(results: list[CaseResult], load_errors: list = (), faithful: bool = False) -> dict:
    return {
        "schema": SCHEMA_VERSION, "tool": "sockfault", "version": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(), "time_scale": "faithful" if faithful else "compressed where the scenario allows",
        "summary": {v: sum(1 for r in results if r.verdict == v) for v in sorted({r.verdict for r in results})},
        "load_errors": [{"file": e.file, "line": e.error.line, "message": str(e.error)} for e in load_errors],
        "scenarios": [dict(r.to_dict(timeline=TimelineEvents), commands=scenario_commands(r.case)) for r in results],
    }


def scenario_commands(case) -> list[dict]:
    """The programs a scenario file made sockfault run: its `app:` and `command:` entries (nothing else is executed).

    One entry per peer of the run and of its control (a control may change an app's env or cwd),
    as written in the file (`{port}` and service fields unfilled); identical entries once.
    """
    out, seen = [], set()
    for run, each in (("run", case), ("control", case.control)):
        if each is None:
            continue
        for role, configs in (("server", each.servers), ("client", each.clients)):
            for i, config in enumerate(configs):
                spec = config.spec
                if spec.app is not None and spec.app.argv:
                    entry = {"peer": f"{role}:{i}", "kind": "app", "argv": list(spec.app.argv), "cwd": spec.app.cwd,
                             "env": dict(spec.app.env)}
                elif spec.family == "command":
                    entry = {"peer": f"{role}:{i}", "kind": "command", "argv": list(spec.argv), "cwd": spec.cwd,
                             "env": {}}
                else:
                    continue
                key = repr(sorted((k, v) for k, v in entry.items() if k != "run"))
                if key not in seen:
                    seen.add(key)
                    out.append(dict(entry, run=run))
    return out


def write_json(path: str | Path, document: dict) -> None:
    write_chunks(path, json.JSONEncoder(indent=1, default=_default).iterencode(document))


class _Streamed(list):
    """A TimelineEvents as json's (pure-Python, with indent) encoder walks a list: `not lst`, then
    `for value in lst`; the list's own storage stays empty."""

    def __init__(self, events: TimelineEvents):
        super().__init__()
        self.events = events

    def __iter__(self):
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)


def _default(value):
    return _Streamed(value) if isinstance(value, TimelineEvents) else str(value)
