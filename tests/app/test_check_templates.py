"""sockfault check's templates load with the app substituted, skip what the app lacks, and map
verdicts to what users would see."""

import pytest

from harness.check import CHECKS_DIR, load_checks
from harness.check._outcome import outcome_of
from harness.check._templates import NEEDS
from harness.results import CaseResult, CheckResult, RunResult
from harness.timeline import Timeline

VALUES = {"$app": {"app": "node index.js", "cwd": "/tmp", "env": {"PORT": "{port}"}}, "$client": "node@4.8.1",
          "$clients": ["node@2.4.0", "node@4.8.1"], "$browser": "browser@4.8.1", "$page": "/",
          "$over_payload": 1000001}


def test_every_template_loads_with_every_need_met():
    checks = load_checks(VALUES, set(NEEDS))
    assert len(checks) == len(list(CHECKS_DIR.glob("*.yaml")))
    for check in checks:
        assert check.cases and check.skipped is None, check.name
        for case in check.cases:
            assert all(s.spec.family == "app" for s in case.servers), check.name
    versions = next(c for c in checks if c.name == "client-versions")
    assert [c.clients[0].spec.label for c in versions.cases] == ["node@2.4.0", "node@4.8.1"]
    payload = next(c for c in checks if c.name == "oversize-payload")
    assert any(s.params.get("bytes") == 1000001 for s in payload.cases[0].steps)


def test_a_missing_need_skips_with_the_reason():
    checks = {c.name: c for c in load_checks(VALUES, set())}
    assert checks["sticky-sessions"].skipped == NEEDS["two_instances"]
    assert checks["state-recovery"].skipped == NEEDS["hook"]
    assert checks["upgrade-refused"].skipped is None


def _result(case, verdict: str, ok: bool, connected: bool = True) -> CaseResult:
    timeline = Timeline()
    if connected:
        timeline.add("client:0", "connect", {"id": "x", "transport": "polling"})
    else:
        timeline.add("client:0", "connect_error", {"message": "server error"})
    run = RunResult(case.case_id, timeline, checks=[CheckResult("x", "x", 1, ok, "evidence text")])
    return CaseResult(case, verdict, "the reason", run, None, 1.0)


@pytest.mark.parametrize("name, verdict, ok, state", [
    ("upgrade-refused", "reproduced", True, "exposed"),
    ("upgrade-refused", "not reproduced", False, "ok"),
    ("upgrade-refused", "error", False, "inconclusive"),
    ("upgrade-refused", "control failed", True, "inconclusive"),
    ("cross-origin-page", "works", True, "ok"),
    ("oversize-payload", "works", True, "exposed"),          # a baseline check: its symptom holds
    ("oversize-payload", "not reproduced", False, "ok"),
    ("cross-origin-page", "not reproduced", False, "exposed"),
])
def test_verdicts_become_exposures(name, verdict, ok, state):
    check = next(c for c in load_checks(VALUES, set(NEEDS), [name]))
    outcome = outcome_of(check, [_result(check.cases[0], verdict, ok)])
    assert outcome.state == state
    text = outcome.text()
    assert check.title in text
    assert ("fix: " in text) == (state == "exposed")


def test_a_custom_path_reaches_every_client_and_control_but_pages():
    from harness.check.cli import _at_path
    for check in load_checks(VALUES, set(NEEDS)):
        for case in check.cases:
            moved = _at_path(case, "/browser-sync/socket.io/")
            for run in (moved, moved.control):
                for client in (run.clients if run else ()):
                    assert client.options.get("path") == (None if client.page else "/browser-sync/socket.io"), check.name
            assert _at_path(case, "/socket.io/") is case and _at_path(case, None) is case


@pytest.mark.parametrize("impl, version, clients, browser", [
    ("socket.io", "2.5.1", ["node@2.4.0", "node@4.8.1", "browser@4.8.1"], "browser@2.4.0"),   # the bundle of the node client
    ("socket.io", "2.5.1", ["node@2.5.0", "browser@2.4.0", "browser@4.8.1"], "browser@2.4.0"),  # one of --clients
    ("socket.io", "4.8.4", ["node@2.4.0", "node@4.8.1", "browser@4.8.1"], "browser@4.8.1"),
    ("python-socketio", "5.18.1", ["node@4.8.1"], "browser@4.8.1"),
])
def test_the_browser_client_speaks_the_apps_major(impl, version, clients, browser):
    """A 4.x bundle against a socket.io 2 app only meets the version mismatch ('server error'): the CORS
    and background-tab checks read that as their own exposure."""
    from harness.check._app import AppFacts
    from harness.check.cli import _browser_for
    assert _browser_for(AppFacts("app", impl=impl, version=version), clients) == browser


@pytest.mark.parametrize("name, state", [
    ("upgrade-refused", "inconclusive"),      # no symptom, but nothing connected: nothing was shown
    ("oversize-payload", "inconclusive"),
    ("cross-origin-page", "exposed"),         # here never connecting IS the exposure (CORS)
])
def test_no_symptom_without_a_connection_is_not_ok(name, state):
    check = next(c for c in load_checks(VALUES, set(NEEDS), [name]))
    outcome = outcome_of(check, [_result(check.cases[0], "not reproduced", False, connected=False)])
    assert outcome.state == state
    if state == "inconclusive":
        assert "no client connected to the app" in outcome.text() and "server error" in outcome.text()


def test_a_check_whose_cases_all_skipped_says_why():
    """A case skips itself (a proxy not installed, a peer missing): the check prints that reason, not None."""
    check = next(c for c in load_checks(VALUES, set(NEEDS), ["tls-termination"]))
    case = check.cases[0]
    result = CaseResult(case, "skipped", "nginx is not installed", None, None, 0.0)
    outcome = outcome_of(check, [result])
    assert outcome.state == "skipped"
    assert "skipped: nginx is not installed" in outcome.text()
    assert outcome.to_dict()["skipped"] == "nginx is not installed"
