"""The HTML report: self-contained, grouped by troubleshooting section, matrices as tables."""

from harness.report import results_document
from harness.report._html import render_html


def _entry(scenario, doc, verdict="reproduced", peers=None):
    return {"scenario": scenario, "doc": doc, "verdict": verdict, "symptom": "connect_error(message=x)",
            "duration_s": 1.0, "file": "scenarios/a.yaml", "line": 3, "timing": "compressed", "reason": "why",
            "peers": peers or {"server:0": {"peer": "node@4.8.1", "impl": "socket.io", "version": "4.8.1"}},
            "evidence": [{"symptom": "connect_error", "line": 9, "present": True, "text": "seen <here>", "events": []}],
            "control": None, "run": {"timeline": [{"t": 1.0, "source": "client:0", "kind": "connect", "data": {}}]}}


def test_report_is_self_contained_grouped_and_escaped():
    document = results_document([])
    document["scenarios"] = [_entry("b[server=node@2.4.1,client=node@2.4.0]", "Z section", "not reproduced"),
                             _entry("a", "A section"),
                             _entry("b[server=node@4.8.1,client=node@2.4.0]", "Z section")]
    document["summary"] = {"reproduced": 2, "not reproduced": 1}
    page = render_html(document)
    assert "src=" not in page and "<link" not in page and "@import" not in page   # nothing external
    assert page.count("<script>") == 1 and "sfFilter" in page                      # one inline script: the filters
    assert page.index("A section") < page.index("Z section")
    assert "seen &lt;here&gt;" in page
    matrix = page[page.index("Version matrices"):page.index("<h2>Scenarios")]
    assert "node@2.4.1" in matrix and "node@4.8.1" in matrix and "not reproduced" in matrix
