"""The verdict: reproduced only when the symptom is there with the cause and absent without it;
a baseline (no fault, no control) whose expectations hold works."""

import dataclasses

from harness.cli import _summary
from harness.report import results_document
from harness.report._html import render_html
from harness.results import VERDICTS, CaseResult, CheckResult, RunResult
from harness.runner import verdict_of
from harness.scenario import Case, Duration, Expectation
from harness.timeline import Timeline

CASE = Case(name="s", case_id="s", file="f.yaml", line=1, doc="d", timing="compressed", timeout=Duration(10),
            tags=(), servers=(), clients=(), proxies=(), faults=(), steps=(),
            expect=(Expectation("connect_error", {}, 5),), cause="pair")


def _run(*oks, control=(), error=None, skipped=None):
    return RunResult("s", Timeline(), checks=[CheckResult("k", "k", 5, ok, "text") for ok in oks],
                     control_checks=[CheckResult("c", "c", 9, ok, "ctext") for ok in control], error=error,
                     skipped=skipped)


def test_reproduced_needs_symptom_present_and_absent_in_control():
    assert verdict_of(CASE, _run(True), _run(False, control=[True]))[0] == "reproduced"


def test_symptom_missing_is_not_reproduced():
    verdict, reason = verdict_of(CASE, _run(True, False), _run(False))
    assert verdict == "not reproduced" and "line 5" in reason


def test_symptom_also_in_control_fails_the_control():
    assert verdict_of(CASE, _run(True), _run(True))[0] == "control failed"


def test_control_expectations_must_hold():
    verdict, reason = verdict_of(CASE, _run(True), _run(False, control=[False]))
    assert verdict == "control failed" and "line 9" in reason


def test_errors_and_skips_win():
    assert verdict_of(CASE, _run(True, error="boom"), _run(False))[0] == "error"
    assert verdict_of(CASE, _run(True), _run(False, error="boom"))[0] == "error"
    assert verdict_of(CASE, _run(skipped="no nginx"), None)[0] == "skipped"


def test_a_baseline_that_holds_works_and_counts_as_a_pass():
    baseline = dataclasses.replace(CASE, cause="baseline")
    verdict, reason = verdict_of(baseline, _run(True), None)
    assert (verdict, reason) == ("works", "baseline (no fault, no control): every expectation holds")
    assert verdict in VERDICTS and CaseResult(baseline, verdict, reason, _run(True), None, 0.1).ok
    assert verdict_of(baseline, _run(True, False), None)[0] == "not reproduced"


def test_the_report_and_the_cli_summary_count_works_as_a_pass(capsys):
    baseline = dataclasses.replace(CASE, cause="baseline", case_id="base")
    results = [CaseResult(baseline, "works", "r", _run(True), None, 0.1),
               CaseResult(CASE, "reproduced", "r", _run(True), _run(False), 0.1),
               CaseResult(CASE, "not reproduced", "r", _run(False), _run(False), 0.1)]
    _summary(results, 1.0, [])
    assert "1 works, 1 reproduced, 1 not reproduced (2 of 3 pass)" in capsys.readouterr().out
    document = results_document(results)
    assert document["summary"] == {"not reproduced": 1, "reproduced": 1, "works": 1}
    page = render_html(document)
    assert "<tr class='works' " in page and ".reproduced,.works{background:#dff5df}" in page


def test_a_negative_case_needs_the_same_behaviour_without_the_fault():
    negative = dataclasses.replace(CASE, negative=True, cause="fault")
    assert verdict_of(negative, _run(True), _run(True))[0] == "reproduced"
    assert verdict_of(negative, _run(True), _run(False))[0] == "control failed"
    assert verdict_of(negative, _run(False), _run(True))[0] == "not reproduced"
