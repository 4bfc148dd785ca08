"""Shared by the fuzz targets: the example count (SOCKFAULT_FUZZ_EXAMPLES for a long run) and a
hang guard that turns a stuck call into a test failure instead of a stalled suite."""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager

EXAMPLES = int(os.environ.get("SOCKFAULT_FUZZ_EXAMPLES", "200"))


class Hang(Exception):
    pass


@contextmanager
def hang_guard(seconds: float):
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(*_):
        raise Hang(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
