"""write_html streams the page case by case from lazy timelines: the page is the one rendered from
whole lists, still well-formed, and shows the same evidence (every timeline line, the wire picture
cut at MAX_ROWS, the network view's first 40 exchanges and the count of the rest)."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

from _real_run import eager_document, fixture, results
from harness.report import results_document, write_html
from harness.report._html import render_html
from harness.report._wire_svg import MAX_ROWS
from harness.results import CaseResult, RunResult
from harness.timeline import Timeline

VOID = {"meta", "br", "input", "hr", "img", "link"}


class _Balance(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]} at {self.getpos()}")
        else:
            self.stack.pop()


def _long_case(like: CaseResult, n: int = 300) -> CaseResult:
    """A run longer than the page draws: n events, half of them HTTP exchanges, spilled."""
    timeline = Timeline(memory=4096)
    for i in range(n):
        timeline.add("proxy:edge", "http" if i % 2 else "ws_message",
                     {"method": "GET", "transport": "polling", "status": 200 if i % 7 else 400, "from": "client",
                      "packet": {"type": "message", "data": f"m{i}"}})
    return CaseResult(like.case, "not reproduced", "too long", RunResult("long", timeline), None, 2.0)


def test_the_streamed_page_is_the_one_rendered_from_lists_and_well_formed(tmp_path):
    cases = results()
    cases.append(_long_case(cases[0]))
    assert cases[-1].main.timeline.spilled
    document = results_document(cases)
    write_html(tmp_path / "r.html", document)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page == render_html(eager_document(document, cases))
    checker = _Balance()
    checker.feed(page)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    assert page.count("<section ") == len(cases) and not list(tmp_path.glob("*.partial"))
    assert f"the first {MAX_ROWS} rows" in page and "... 110 more exchanges in the timeline" in page   # 150 http - 40


def test_every_event_of_every_timeline_is_a_line_on_the_page(tmp_path):
    document = results_document(results())
    write_html(tmp_path / "r.html", document)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    lines = {}                                       # the page's <pre> blocks, after each section's id
    for section in page.split("<h3 id='")[1:]:
        pres = section.split("<pre>")[1:]
        lines[section[:section.index("'")]] = [p[:p.index("</pre>")].count("\n") + 1 for p in pres]
    scenarios = fixture()["scenarios"]
    assert lines == {s["scenario"]: [len(s["run"]["timeline"]) + (s is scenarios[0])]   # + the odd event added
                     + ([len(s["control"]["timeline"])] if s["control"] else []) for s in scenarios}
    for s in scenarios:
        for check in s["evidence"]:
            assert escape(check["text"][:60]) in page
