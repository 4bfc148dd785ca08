"""`sockfault coverage`: the page's headings -> scenarios, verdicts, notes; exit 1 on a heading without one."""

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.coverage import HEADINGS_COPY, build, read_headings
from harness.coverage._sources import split_doc

ROOT = Path(__file__).resolve().parents[2]
SHARED_PAGE = ROOT.parent / "shared" / "reference" / "troubleshooting-connection-issues.md"

PAGE = """---
title: t
---
## Problem: A
Text.
```sh
## not a heading (in code)
```
### You did `x`
## Problem: B
### You did `x`
#### Deep one
"""


def _scenario(folder: Path, section: str, name: str, doc: str, description: str = "") -> None:
    (folder / section).mkdir(parents=True, exist_ok=True)
    (folder / section / f"{name}.yaml").write_text(
        f"name: {name}\ndoc: \"{doc}\"\ndescription: \"{description}\"\nserver: node@4.8.1\n"
        "expect:\n  - connected: {}\n")


def _run(tmp_path, *extra):
    out = tmp_path / "coverage.md"
    code = main(["coverage", "--page", str(tmp_path / "page.md"), "--scenarios", str(tmp_path / "scenarios"),
                 "--report", str(tmp_path / "latest.json"), "--out", str(out), *extra])
    return code, out.read_text() if out.exists() else ""


def test_headings_skip_front_matter_and_code_and_know_their_parents(tmp_path):
    (tmp_path / "page.md").write_text(PAGE)
    headings = read_headings(tmp_path / "page.md")
    assert [(h.level, h.text) for h in headings] == [(2, "Problem: A"), (3, "You did `x`"), (2, "Problem: B"),
                                                     (3, "You did `x`"), (4, "Deep one")]
    assert [h.parent for h in headings] == [None, 0, None, 2, 3]
    assert [h.slug for h in headings][1::2] == ["you-did-x", "you-did-x-1"]


def test_a_heading_without_scenarios_exits_1_and_is_named(tmp_path, capsys):
    (tmp_path / "page.md").write_text(PAGE)
    _scenario(tmp_path / "scenarios", "problem-a", "one", "You did x")
    code, text = _run(tmp_path)
    err = capsys.readouterr().err
    assert code == 1
    assert "no scenario: 'Problem: B'" in err and "no scenario: 'Deep one'" in err
    assert "Problem: A" not in err   # covered by the scenario of its sub-heading
    assert "**(no scenario)**" in text and "`one`" in text and "not run" in text


def test_a_repeated_heading_is_taken_in_the_scenario_folders_section_and_all_covered_exits_0(tmp_path):
    (tmp_path / "page.md").write_text(PAGE)
    _scenario(tmp_path / "scenarios", "problem-a", "in-a", "You did x")
    _scenario(tmp_path / "scenarios", "problem-b", "in-b", "you did `x`")
    _scenario(tmp_path / "scenarios", "problem-b", "deep", "Deep one")
    coverage = build(read_headings(tmp_path / "page.md"), tmp_path / "scenarios")
    assert [[s.name for s in row.scenarios] for row in coverage.headings] == [[], ["in-a"], [], ["in-b"], ["deep"]]
    assert [row.below for row in coverage.headings] == [1, 0, 2, 1, 0]
    code, _text = _run(tmp_path)
    assert code == 0


def test_verdicts_come_from_the_report_and_unknown_docs_are_listed(tmp_path, capsys):
    (tmp_path / "page.md").write_text("## Problem: A\n")
    _scenario(tmp_path / "scenarios", "s", "one", "Problem: A", "Measured here: it differs. Plain words.")
    _scenario(tmp_path / "scenarios", "s", "stray", "No such heading")
    (tmp_path / "scenarios" / "s" / "other.yaml").write_text("just: config\n")   # not a scenario: ignored
    (tmp_path / "latest.json").write_text(json.dumps({"created": "2026-01-01T00:00:00Z", "scenarios": [
        {"name": "one", "verdict": "reproduced"}, {"name": "one", "verdict": "reproduced"},
        {"name": "one", "verdict": "control failed"}]}))
    code, text = _run(tmp_path)
    assert code == 0
    assert "`one` (" in text and "2 reproduced, 1 control failed" in text and "2026-01-01" in text
    assert "Measured here: it differs." in text and "Plain words." not in text
    assert "`stray`" in text and "names no heading" in capsys.readouterr().err


def test_the_committed_headings_are_the_pages(tmp_path):
    if not SHARED_PAGE.is_file():
        pytest.skip(f"no copy of the page at {SHARED_PAGE}")
    assert [(h.level, h.text) for h in read_headings(SHARED_PAGE)] == \
        [(h.level, h.text) for h in read_headings(HEADINGS_COPY)]


def test_against_the_real_catalogue_every_heading_is_listed_with_notes(tmp_path):
    out = tmp_path / "coverage.md"
    code = main(["coverage", "--scenarios", str(ROOT / "scenarios"), "--report", str(tmp_path / "none.json"),
                 "--out", str(out)])
    text = out.read_text()
    assert code in (0, 1)   # other sections' scenarios are still being written: 1 names what is missing
    headings = read_headings(HEADINGS_COPY)
    assert len(headings) == 17
    for h in headings:
        assert f"#{h.slug})" in text
    coverage = build(headings, ROOT / "scenarios")
    by_text = {}
    for row in coverage.headings:
        by_text.setdefault(row.heading.text, []).append(row)
    assert "serverless-deadline" in [s.name for s in by_text["Deployment on a serverless platform"][0].scenarios]
    assert "request deadline" in by_text["Deployment on a serverless platform"][0].limit
    first, second = by_text["The client is not compatible with the version of the server"]
    assert "Swift" in first.limit and second.limit is None
    assert any("45 s" in note for _, note in second.versions)   # regular-disconnect-faithful is in that section
    cors = [s for s in by_text["The server does not send the necessary CORS headers"][0].scenarios]
    assert cors and all(s.how == "name" for s in cors)
    assert coverage.unmatched == [] and coverage.unreadable == []


def test_every_hand_kept_note_names_a_heading_of_the_page():
    from harness.coverage import norm
    from harness.coverage._notes import ATTRIBUTED, LIMITS, VERSIONS

    keys = {h.key for h in read_headings(HEADINGS_COPY)}
    for table in (ATTRIBUTED, LIMITS, VERSIONS):
        assert sorted(t for t in table if norm(t) not in keys) == []


def test_beyond_the_page_is_a_section_of_its_own_not_unmatched(tmp_path, capsys):
    (tmp_path / "page.md").write_text("## Problem: A\n")
    _scenario(tmp_path / "scenarios", "s", "one", "Problem: A")
    _scenario(tmp_path / "scenarios", "beyond-the-page", "half-open",
              "Beyond the page: a half-open connection (socketio/socket.io#2769, socketio/socket.io-client#1133)",
              "Measured here: the first disconnect is the heartbeat's.")
    _scenario(tmp_path / "scenarios", "other", "stray", "Beyond the page: elsewhere")
    coverage = build(read_headings(tmp_path / "page.md"), tmp_path / "scenarios")
    assert [s.name for s in coverage.beyond] == ["half-open"] and coverage.beyond[0].how == "beyond"
    assert [s.name for s in coverage.unmatched] == ["stray"]   # only the folder makes a scenario "beyond"
    code, text = _run(tmp_path)
    assert code == 0
    assert "## Beyond the page" in text and "| a half-open connection | `half-open` (" in text
    assert ("[socketio/socket.io#2769](https://github.com/socketio/socket.io/issues/2769), "
            "[socketio/socket.io-client#1133](https://github.com/socketio/socket.io-client/issues/1133)") in text
    assert "1 more reproduce failures beyond the page" in text
    assert "Measured here: the first disconnect is the heartbeat's." in text
    assert "half-open" not in capsys.readouterr().err


@pytest.mark.parametrize("doc, topic, threads", [
    ("Beyond the page: a cut (a/b#1, c-d/e.f#22)", "a cut", ["a/b#1", "c-d/e.f#22"]),
    ("Beyond the page: a cut", "a cut", []),
    ("Beyond the page: compression (one side only)", "compression (one side only)", []),   # not threads: kept
    ("Beyond the page: x (a/b#1, see below)", "x (a/b#1, see below)", []),
])
def test_a_beyond_doc_splits_into_topic_and_threads(doc, topic, threads):
    assert split_doc(doc) == (topic, threads)
