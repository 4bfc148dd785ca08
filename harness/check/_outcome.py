"""From a check's case verdicts to what the app's users would see: exposed, ok, inconclusive."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from ..results import CaseResult
from ._templates import CheckInfo

__all__ = ["CheckOutcome", "outcome_of"]

_HEALTHY = ("works", "reproduced")   # every expectation holds ("works": a baseline case, no fault, no control)


@dataclass
class CheckOutcome:
    info: CheckInfo
    state: str                     # exposed | ok | inconclusive | skipped
    cells: list[tuple[str, str, str]] = field(default_factory=list)   # (case id, state, evidence)

    def text(self) -> str:
        head = f"[{self.state.upper():<12}] {self.info.title}  ({self.info.doc})"
        lines = [head]
        if self.state == "skipped":
            # skipped before it ran (a missing need), or every case skipped itself (e.g. nginx not installed)
            why = self.info.skipped or self.cells[0][2].removeprefix("skipped: ")
            return head + f"\n               skipped: {why}"
        if self.state == "exposed":
            lines.append(_wrap("your users see: " + self.info.users_see))
        for case_id, state, evidence in self.cells:
            label = case_id.split("[", 1)[1].rstrip("]") + f" ({state})" if "[" in case_id else "measured"
            lines.append(_wrap(f"{label}: {evidence}"))
        if self.state == "exposed":
            lines.append(_wrap("fix: " + self.info.fix))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"name": self.info.name, "title": self.info.title, "doc": self.info.doc, "state": self.state,
                "users_see": self.info.users_see, "fix": self.info.fix, "skipped": self.info.skipped or (self.cells[0][2].removeprefix("skipped: ")
                                                 if self.state == "skipped" and self.cells else None),
                "cells": [{"case": c, "state": s, "evidence": e} for c, s, e in self.cells]}


def _wrap(text: str) -> str:
    return textwrap.fill(text[:900], width=110, initial_indent=" " * 15, subsequent_indent=" " * 17)


def _cell(info: CheckInfo, result: CaseResult) -> tuple[str, str]:
    verdict = result.verdict
    if verdict in ("error", "control failed", "skipped"):
        return ("skipped" if verdict == "skipped" else "inconclusive"), f"{verdict}: {result.reason}"
    evidence = "; ".join(c.text for c in result.main.checks if c.ok) or result.reason
    if info.exposed_when == "reproduced" and verdict == "not reproduced" \
            and not result.main.timeline.events("client", "connect"):
        # no symptom, but no client ever connected either: nothing was shown about the app (a client
        # at the wrong path or of the wrong major read "ok" here)
        errors = result.main.timeline.events("client", ("connect_error", "disconnect"))
        seen = "; ".join(f"{e.source} {e.kind} {e.data.get('message') or e.data.get('reason')!r}" for e in errors[:3])
        return "inconclusive", f"no client connected to the app ({seen or 'no error either'}): {result.reason}"
    if info.exposed_when == "reproduced":
        exposed = verdict in _HEALTHY   # a baseline check (no control) that shows its symptom reads "works"
    else:
        exposed = verdict not in _HEALTHY
        if exposed:
            evidence = "; ".join(c.text for c in result.main.checks if not c.ok) or result.reason
    return ("exposed" if exposed else "ok"), evidence


def outcome_of(info: CheckInfo, results: list[CaseResult]) -> CheckOutcome:
    if info.skipped is not None:
        return CheckOutcome(info, "skipped")
    cells = [(r.case.case_id, *_cell(info, r)) for r in results]
    states = {state for _, state, _ in cells}
    state = "exposed" if "exposed" in states else "inconclusive" if "inconclusive" in states else \
        "skipped" if states == {"skipped"} else "ok"
    return CheckOutcome(info, state, cells)
