"""The pytest plugin's SIGTERM/SIGHUP handlers: found children, and a handler of someone else's kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from harness import _pytest_signals
from harness.peers import _reaper


def test_child_pids_finds_a_live_child_and_not_the_process_itself():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        kids = _pytest_signals.child_pids(os.getpid())
        assert child.pid in kids and os.getpid() not in kids
    finally:
        child.kill()
        child.wait()
    assert child.pid not in _pytest_signals.child_pids(os.getpid())


def test_install_keeps_a_handler_someone_else_set_and_fills_the_default_ones():
    def mine(signum, frame):
        pass

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        signal.signal(signal.SIGTERM, mine)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        _pytest_signals.install(controller=True)
        assert signal.getsignal(signal.SIGTERM) is mine
        assert signal.getsignal(signal.SIGHUP) is _pytest_signals._forward_then_reap
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        _pytest_signals.install(controller=False)
        assert signal.getsignal(signal.SIGHUP) is _reaper._on_signal
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
