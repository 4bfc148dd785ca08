"""throttle_timers mode real: what the peer is sent, the Chromium launch line, the gap summary (no browser)."""

from __future__ import annotations

import textwrap

import pytest

from harness.errors import ScenarioError
from harness.faults.throttle_timers import ThrottleTimers
from harness.peers.browser._real_throttle import INTENSIVE_GAP_MS, chromium_args, summarize_gaps
from harness.scenario import load_cases


def test_the_model_stays_the_default():
    assert ThrottleTimers().mode == "model"
    assert ThrottleTimers().command() == {"cmd": "throttle", "wake_ms": 1000, "intensive_ms": 60000}


def test_real_mode_asks_the_peer_to_hide_its_page():
    fault = ThrottleTimers(mode="real", hide="minimize", grace_s=20)
    assert fault.command() == {"cmd": "throttle", "mode": "real", "hide": "minimize", "grace_s": 20}


def test_the_loader_checks_the_mode(tmp_path):
    text = """\
        name: x
        doc: d
        server: node@4.8.1
        client: browser@4.8.1
        faults: [throttle_timers: {mode: %s}]
        expect: [connected: {}]
    """
    (tmp_path / "ok.yaml").write_text(textwrap.dedent(text % "real"))
    (case,) = load_cases(tmp_path / "ok.yaml")
    assert case.faults[0].params["mode"] == "real"
    (tmp_path / "bad.yaml").write_text(textwrap.dedent(text % "hidden"))
    with pytest.raises(ScenarioError) as info:
        load_cases(tmp_path / "bad.yaml")
    assert "model" in str(info.value) and "real" in str(info.value)


def test_the_real_chromium_has_none_of_the_anti_throttling_flags():
    argv = chromium_args("/tmp/x", 10)
    assert not [a for a in argv if "background-timer-throttling" in a or "backgrounding" in a]
    assert "--remote-debugging-pipe" in argv and "--headless=new" in argv
    assert "--enable-features=IntensiveWakeUpThrottling:grace_period_seconds/10" in argv


def test_the_gap_summary():
    gaps = [1000, 2000, 2000, 1000, 41000, 60000, 60001]
    summary = summarize_gaps(gaps)
    assert summary["wakeups"] == 7 and summary["max_gap_ms"] == 60001
    assert summary["intensive_gaps"] == 3 and summary["first_intensive_ms"] == 47000
    assert summary["aligned_gaps"] == 2 and INTENSIVE_GAP_MS == 30000
    assert summarize_gaps([])["first_intensive_ms"] is None
