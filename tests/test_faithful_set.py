"""The faithful set: variants of the cases tagged `faithful`, the real-time-only cases, how they are selected."""

from __future__ import annotations

import textwrap

import pytest

from harness.cli import _time_selection
from harness.runner import faithful_set, faithful_variant, has_faithful_variant, real_time_only
from harness.scenario import load_cases

pytest_plugins = ["pytester"]

TIMED = """\
name: timed
doc: d
tags: [faithful]
server: node@4.8.1
client: node@4.8.1
faults:
  - engine_packets: {types: [ping], action: drop, direction: from_server}
steps: [connect, wait: 2 heartbeats]
expect:
  - disconnect: {reason: ping timeout, side: any, at: 1 heartbeat, from: handshake}
control:
  expect: [no_disconnect: {for: 1.5 heartbeats}]
"""
REAL_ONLY = "name: real\ndoc: d\ntiming: faithful\nserver: node@4.8.1\nclient: node@4.8.1\nexpect: [connected: {}]\n"
SLOW = "name: slowone\ndoc: d\ntags: [slow]\nserver: node@4.8.1\nclient: node@4.8.1\nexpect: [connected: {}]\n"
PLAIN = "name: plain\ndoc: d\nserver: node@4.8.1\nclient: node@4.8.1\nexpect: [connected: {}]\n"


def _cases(tmp_path, **files):
    out = []
    for name, text in files.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(textwrap.dedent(text))
        out += load_cases(path)
    return out


def test_a_faithful_variant_is_the_same_case_in_real_time(tmp_path):
    (case,) = _cases(tmp_path, timed=TIMED)
    assert has_faithful_variant(case) and not real_time_only(case)
    variant = faithful_variant(case)
    assert variant.case_id == "timed@faithful" and variant.timing == "faithful"
    assert variant.timeout.seconds == case.timeout.seconds * 40       # the compressed 60 s default -> 40 min
    assert variant.control is not None and variant.control.timing == "faithful"
    assert variant.steps == case.steps and variant.expect == case.expect and case.timing == "compressed"


def test_the_set_is_the_variants_and_the_real_time_only_cases(tmp_path):
    cases = _cases(tmp_path, timed=TIMED, real=REAL_ONLY, slowone=SLOW, plain=PLAIN)
    assert [c.case_id for c in faithful_set(cases)] == ["timed@faithful", "real", "slowone"]
    kept, left = _time_selection(cases, faithful=False)
    assert [c.case_id for c in kept] == ["timed", "plain"] and left == 2
    kept, left = _time_selection(cases, faithful=True)
    assert [c.case_id for c in kept] == ["timed@faithful", "real", "slowone"] and left == 0


def test_the_catalogue_has_a_faithful_set():
    from harness.collect import collect
    cases, errors = collect(["scenarios"])
    ids = [c.case_id for c in faithful_set(cases)]
    assert not errors
    assert "dropped-server-pings@faithful" in ids and "regular-disconnect-faithful[server=node@2.5.1]" in ids
    assert "background-tab-real-v4-fake-drain" in ids
    assert not any(real_time_only(c) for c in cases if c.case_id in ("dropped-server-pings", "background-tab-v2-idle"))


@pytest.fixture
def project(pytester):
    pytester.makefile(".yaml", **{"scenarios/timed": TIMED, "scenarios/real": REAL_ONLY,
                                  "scenarios/slowone": SLOW, "scenarios/plain": PLAIN})
    return pytester


def _collected(result) -> list[str]:
    return sorted(line.split("::")[-1] for line in result.stdout.lines if "::" in line)


def test_pytest_leaves_the_faithful_set_out_by_default(project):
    result = project.runpytest("scenarios", "--collect-only", "-q", "-p", "no:cacheprovider")
    assert _collected(result) == ["plain", "timed"]
    result.stdout.fnmatch_lines(["*2/5 tests collected (3 deselected)*"])


def test_pytest_m_faithful_selects_exactly_the_set(project):
    result = project.runpytest("scenarios", "--collect-only", "-q", "-m", "faithful", "-p", "no:cacheprovider")
    assert _collected(result) == ["real", "timed@faithful"]
    result = project.runpytest("scenarios", "--collect-only", "-q", "-m", "faithful or slow", "-p", "no:cacheprovider")
    assert _collected(result) == ["real", "slowone", "timed@faithful"]
    result = project.runpytest("scenarios", "--collect-only", "-q", "-m", "slow", "-p", "no:cacheprovider")
    assert _collected(result) == ["slowone"]


def test_pytest_sockfault_faithful_runs_everything_once_in_real_time(project):
    result = project.runpytest("scenarios", "--collect-only", "-q", "--sockfault-faithful", "-p", "no:cacheprovider")
    assert _collected(result) == ["plain", "real", "slowone", "timed"]
