"""Ctrl-C in a real terminal, SIGINT to the runner alone, SIGTERM: exit fast, say what ran, leave nothing.

The terminal is a pseudo-terminal whose session leader is `sockfault run`: writing the Ctrl-C
byte to the master makes the kernel send SIGINT to the whole foreground process group, as a
user's terminal does. Each run holds several kinds of case at once (-j), so one interrupt lands
in the middle of all of them. The Ctrl-C run also checks that every listener it opened was on
127.0.0.1 (docs/scenarios.md, "Ctrl-C, leaks and security").
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from _cases import write_all
from _lifecycle import PYTHON, ROOT, Terminal, Watcher, env_for, own_tmp, tmp_left  # noqa: F401 (own_tmp: a fixture)

pytestmark = pytest.mark.e2e

EVERY_KIND = ["quick", "toxiproxy", "http-python", "browser", "nginx-haproxy", "app-redis", "plain-ws", "plain-http"]
LIMIT_S = 3.0


def _mid_run(watcher: Watcher, listeners: int, alive, timeout: float = 90.0) -> None:
    """Until the tree under test has opened `listeners` listeners (the cases are in their long wait)."""
    deadline = time.monotonic() + timeout
    while len(watcher.listening) < listeners:
        assert alive(), "the run ended before it was interrupted"
        assert time.monotonic() < deadline, f"only {len(watcher.listening)} listeners after {timeout:.0f} s"
        time.sleep(0.1)
    time.sleep(1.0)


def _clean(watcher: Watcher, tmp) -> None:
    watcher.stop()
    left = watcher.left(settle=1.0)
    assert left == {"processes": [], "listeners": []}, left
    assert tmp_left(tmp) == []


def test_ctrl_c_in_a_terminal_stops_every_kind_of_case(tmp_path, own_tmp):
    folder = write_all(tmp_path, EVERY_KIND)
    tmp = own_tmp
    term = Terminal([PYTHON, "-m", "harness.cli", "run", str(folder), "-j", str(len(EVERY_KIND))], tmp)
    try:
        with Watcher(term.pid) as watcher:
            assert term.wait_for_output("lc-quick", 90), term.text()   # one case finished: "prints what ran"
            # server + proxy listeners of the cases still running (the quick one's are closed by now)
            _mid_run(watcher, 14, lambda: term.proc.poll() is None)
            sent = time.monotonic()
            term.ctrl_c()
            code = term.wait(15)
            took = time.monotonic() - sent
            _clean(watcher, tmp)
        out = term.text()
        assert code == 130, out
        assert took < LIMIT_S, f"Ctrl-C took {took:.2f} s\n{out}"
        assert "interrupted: 1 of 8 cases finished; not finished:" in out and "lc-browser" in out, out
        after = out.split("^C")[-1]
        assert "lc-quick  works" in after and "1 cases in" in after, out   # the summary table of what ran
        addresses = {(a, p) for a, p, _pid in watcher.listening.values()}
        assert len(addresses) >= 14
        assert {a for a, _p in addresses} == {"127.0.0.1"}, addresses
    finally:
        term.close()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_a_signal_to_the_runner_alone(tmp_path, own_tmp, sig):
    kinds = ["toxiproxy", "browser", "nginx-haproxy", "app-redis"]
    folder = write_all(tmp_path, kinds)
    tmp = own_tmp
    cli = subprocess.Popen([PYTHON, "-m", "harness.cli", "run", str(folder), "-j", "4"], cwd=ROOT, env=env_for(tmp),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        with Watcher(cli.pid) as watcher:
            _mid_run(watcher, 9, lambda: cli.poll() is None)
            sent = time.monotonic()
            os.kill(cli.pid, sig)
            code = cli.wait(15)
            took = time.monotonic() - sent
            _clean(watcher, tmp)
        out = cli.stdout.read().decode()
        assert code == (130 if sig == signal.SIGINT else -signal.SIGTERM), out
        assert took < LIMIT_S, f"{sig.name} took {took:.2f} s\n{out}"
        if sig == signal.SIGINT:
            assert "interrupted: 0 of 4 cases finished" in out, out
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
            cli.wait()
