"""Last-resort cleanup: every process group a peer started dies with the harness.

Normal runs stop their peers in `finally`; this covers what `finally` cannot — SIGTERM from
CI, a second Ctrl-C, an exception while the loop is already closed.
"""

from __future__ import annotations

import atexit
import os
import signal

__all__ = ["remember_group", "forget_group", "reap_all", "install_signal_handlers"]

_GROUPS: set[int] = set()


def remember_group(pgid: int) -> None:
    _GROUPS.add(pgid)


def forget_group(pgid: int) -> None:
    _GROUPS.discard(pgid)


def live_groups() -> set[int]:
    return set(_GROUPS)


def reap_all() -> None:
    for pgid in list(_GROUPS):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _GROUPS.discard(pgid)


def _on_signal(signum, frame):
    reap_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def install_signal_handlers() -> None:
    """SIGTERM/SIGHUP kill the peers, then the harness dies as the signal intends."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)


atexit.register(reap_all)
