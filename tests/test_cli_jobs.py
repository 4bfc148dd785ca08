"""`sockfault run -j`: a number or `auto` (the CPUs this process may use, the default); anything else is a
usage error that names the valid choices."""

import os

import pytest

from harness.cli import _parser, jobs_arg


def test_auto_is_the_cpus_this_process_may_use():
    assert jobs_arg("auto") == len(os.sched_getaffinity(0))
    assert _parser().parse_args(["run"]).jobs == len(os.sched_getaffinity(0))   # the default


def test_a_number_is_taken_as_is():
    assert _parser().parse_args(["run", "-j", "3"]).jobs == 3


@pytest.mark.parametrize("bad", ["0", "-2", "two", ""])
def test_anything_else_is_a_usage_error_naming_the_choices(bad, capsys):
    with pytest.raises(SystemExit) as exit_:
        _parser().parse_args(["run", "-j", bad])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "-j/--jobs" in err and ("auto" in err)


class _FakeSession:
    """Stands in for harness.runner.Session: records how many cases, and timed cases, ran at once."""
    running = timed = most = most_timed = 0

    def __init__(self, **_):
        pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False

    async def run(self, case):
        import asyncio
        from types import SimpleNamespace

        from harness._heartbeat_use import uses_heartbeat
        cls, timed = type(self), uses_heartbeat(case)
        cls.running += 1
        cls.timed += timed
        cls.most, cls.most_timed = max(cls.most, cls.running), max(cls.most_timed, cls.timed)
        await asyncio.sleep(0.01)
        cls.running -= 1
        cls.timed -= timed
        return SimpleNamespace(case=case, verdict="reproduced", ok=True, reason="", duration_s=0.01)


@pytest.mark.parametrize("jobs,most_timed", [(4, 2), (2, 2), (1, 1)])
def test_above_the_cpus_timed_cases_are_limited_to_the_cpus_and_the_rest_fill_the_slots(monkeypatch, tmp_path, jobs,
                                                                                        most_timed):
    """-j 4 on 2 CPUs: at most 2 heartbeat-timed cases at once (a starved peer reads as 'ping timeout'),
    while heartbeat-free ones still make 4 cases run at once."""
    import asyncio

    import harness.report
    import harness.report._outputs
    import harness.runner
    from harness import cli

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    monkeypatch.setattr(harness.runner, "Session", type("S", (_FakeSession,), {}))
    monkeypatch.setattr(harness.report, "results_document", lambda *a, **k: {})
    monkeypatch.setattr(harness.report._outputs, "write_outputs", lambda *a, **k: None)
    for i in range(6):   # 6 timed cases (a disconnect), 6 heartbeat-free ones (a connect)
        for kind, expect in (("timed", "disconnect: {reason: ping timeout}"), ("free", "connected: {}")):
            (tmp_path / f"{kind}{i}.yaml").write_text(
                f"name: {kind}{i}\ndoc: d\nserver: node@4.8.1\nclient: node@4.8.1\nsteps: [connect]\nexpect: [{expect}]\n")
    args = cli._parser().parse_args(["run", str(tmp_path), "-j", str(jobs)])
    assert asyncio.run(cli._run(args)) == 0
    session = harness.runner.Session
    assert session.most_timed == most_timed
    assert session.most == jobs
