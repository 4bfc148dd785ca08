"""Writing the reports holds one event at a time, not a run's timeline: the peak traced allocation
while writing the JSON and the HTML of a 2,000-event run (1 KB messages) stays a small fraction of what the
run's events take when built as dicts (what every case's to_dict and one json.dumps held before)."""

from __future__ import annotations

import tracemalloc

from harness.report import results_document, write_html, write_json
from harness.results import CaseResult, RunResult
from harness.scenario import Case, Duration, Expectation
from harness.timeline import Timeline

CASE = Case(name="long", case_id="long", file="long.yaml", line=1, doc="d", timing="compressed", timeout=Duration(10),
            tags=(), servers=(), clients=(), proxies=(), faults=(), steps=(),
            expect=(Expectation("connect_error", {}, 5),), cause="pair")


def _long_run(n: int = 2_000) -> CaseResult:
    timeline = Timeline(memory=256 << 10)
    for i in range(n):
        timeline.add("proxy:edge", "ws_message", {"from": "client" if i % 2 else "server", "sid": "s", "size": 1012,
                                                  "packet": {"type": "message", "data": f'42["echo","{i:0>1000}"]'}})
    return CaseResult(CASE, "reproduced", "r", RunResult("long", timeline), None, 1.0)


def _peak(write) -> int:
    tracemalloc.start()
    try:
        write()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_writing_the_reports_peaks_far_below_the_size_of_the_events(tmp_path):
    case = _long_run()
    assert case.main.timeline.spilled > 1_500
    events_size = _peak(case.main.timeline.to_json)           # the events as dicts, as the old document held them
    document = results_document([case])
    json_peak = _peak(lambda: write_json(tmp_path / "r.json", document))
    html_peak = _peak(lambda: write_html(tmp_path / "r.html", document))
    assert (tmp_path / "r.json").read_text().count('"kind": "ws_message"') == 2_000   # the file does carry them
    assert json_peak < events_size / 4, (json_peak, events_size)
    assert html_peak < events_size / 4, (html_peak, events_size)
