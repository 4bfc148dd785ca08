"""CaseResults rebuilt from a real `sockfault run --json` (fixtures/real-run.json: a baseline through
the HTTP proxy, a reproduced CORS case with its control, dropped pings): every event added again on
a Timeline whose clock gives it its recorded time, with a tiny memory budget so most of it spills."""

from __future__ import annotations

import json
from pathlib import Path

from harness.results import CaseResult, CheckResult, RunResult
from harness.scenario import Case, Duration, Expectation
from harness.timeline import Timeline

FIXTURE = Path(__file__).parent / "fixtures" / "real-run.json"
ODD = {"raw": b"\x00\xff", "pair": (1, 2), "big": 2 ** 70, "text": "é <b>"}   # json's default=str, tuples, escaping


def fixture() -> dict:
    return json.loads(FIXTURE.read_text())


def _timeline(events: list[dict], memory: int) -> Timeline:
    times = iter([0.0] + [e["t"] / 1000 for e in events])
    timeline = Timeline(clock=lambda: next(times), memory=memory)
    for e in events:
        timeline.add(e["source"], e["kind"], e["data"])
    return timeline


def _checks(entries: list[dict]) -> list[CheckResult]:
    return [CheckResult(c["symptom"], c["symptom"], c["line"], c["present"], c["text"], c["events"]) for c in entries]


def _run(entry: dict, memory: int) -> RunResult:
    return RunResult(entry["case"], _timeline(entry["timeline"], memory), _checks(entry["checks"]),
                     _checks(entry["control_checks"]), entry["peers"], entry["error"], entry["skipped"],
                     entry["duration_s"], entry["overhead_s"], entry["heartbeat_ms"])


def results(memory: int = 2048) -> list[CaseResult]:
    out, scenarios = [], fixture()["scenarios"]
    first = scenarios[0]["run"]["timeline"]
    first.append({"t": first[-1]["t"] + 1, "source": "runner", "kind": "odd", "data": ODD})
    for s in scenarios:
        case = Case(name=s["name"], case_id=s["scenario"], file=s["file"], line=s["line"], doc=s["doc"],
                    timing=s["timing"], timeout=Duration(10), tags=(), servers=(), clients=(), proxies=(), faults=(),
                    steps=(), expect=(Expectation("connected", {}, s["line"]),), cause=s["cause"])
        control = s["control"]
        out.append(CaseResult(case, s["verdict"], s["reason"], _run(s["run"], memory),
                              _run(control, memory) if control else None, s["duration_s"]))
    return out


def eager_document(document: dict, results: list[CaseResult]) -> dict:
    """The document as results_document built it before it streamed: every timeline a list of dicts."""
    from harness.report._json import scenario_commands
    return dict(document, scenarios=[dict(r.to_dict(), commands=scenario_commands(r.case)) for r in results])
