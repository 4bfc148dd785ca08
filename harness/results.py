"""What a run produced: per-expectation checks, the timeline, the peers, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import methodcaller
from typing import Any, Callable

from .scenario import Case
from .timeline import Timeline

__all__ = ["CheckResult", "RunResult", "CaseResult", "VERDICTS", "PASSING"]

VERDICTS = ("reproduced", "works", "not reproduced", "control failed", "error", "skipped")
PASSING = ("reproduced", "works")   # "works": a baseline (no fault, no control) whose expectations hold


@dataclass
class CheckResult:
    kind: str
    describe: str
    line: int
    ok: bool
    text: str
    events: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"symptom": self.describe, "line": self.line, "present": self.ok, "text": self.text,
                "events": self.events}


@dataclass
class RunResult:
    case_id: str
    timeline: Timeline
    checks: list[CheckResult] = field(default_factory=list)
    control_checks: list[CheckResult] = field(default_factory=list)
    peers: dict[str, dict] = field(default_factory=dict)
    error: str | None = None
    skipped: str | None = None
    duration_s: float = 0.0
    overhead_s: float = 0.0          # set-up + teardown, without the steps' own waiting
    heartbeat_ms: float | None = None

    @property
    def all_present(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def to_dict(self, timeline: Callable[[Timeline], Any] = methodcaller("to_json")) -> dict:
        """timeline: what stands for the events (every event's dict in a list; reports pass a lazy view)."""
        return {"case": self.case_id, "error": self.error, "skipped": self.skipped,
                "duration_s": round(self.duration_s, 3), "overhead_s": round(self.overhead_s, 3),
                "heartbeat_ms": self.heartbeat_ms, "peers": self.peers,
                "checks": [c.to_dict() for c in self.checks],
                "control_checks": [c.to_dict() for c in self.control_checks],
                "timeline": timeline(self.timeline)}


@dataclass
class CaseResult:
    case: Case
    verdict: str
    reason: str
    main: RunResult
    control: RunResult | None
    duration_s: float

    @property
    def ok(self) -> bool:
        return self.verdict in PASSING

    def to_dict(self, timeline: Callable[[Timeline], Any] = methodcaller("to_json")) -> dict[str, Any]:
        case = self.case
        return {
            "scenario": case.case_id, "name": case.name, "file": case.file, "line": case.line, "doc": case.doc,
            "timing": case.timing, "cause": case.cause, "verdict": self.verdict, "reason": self.reason,
            "symptom": case.symptom.describe(), "duration_s": round(self.duration_s, 3),
            "evidence": [c.to_dict() for c in self.main.checks],
            "control": None if self.control is None else {
                "result": "symptom absent" if self.verdict == "reproduced" else self.reason,
                **self.control.to_dict(timeline)},
            "peers": self.main.peers, "run": self.main.to_dict(timeline),
        }
