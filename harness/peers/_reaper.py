"""Last-resort cleanup: every process group a peer started dies with the harness.

Normal runs stop their peers in `finally`; this covers what `finally` cannot — SIGTERM from
CI, a Ctrl-C whose clean-up overran its grace, an exception while the loop is already closed.
It also removes the private temp dirs peers were given (TMPDIR: Chromium's profile and
Playwright's artifacts live there), which a killed peer cannot remove itself.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import time

__all__ = ["remember_group", "forget_group", "remember_dir", "forget_dir", "reap_all", "install_signal_handlers"]

_GROUPS: set[int] = set()
_DIRS: set[str] = set()


def remember_group(pgid: int) -> None:
    _GROUPS.add(pgid)


def forget_group(pgid: int) -> None:
    _GROUPS.discard(pgid)


def live_groups() -> set[int]:
    return set(_GROUPS)


def remember_dir(path: str) -> None:
    _DIRS.add(path)


def forget_dir(path: str) -> None:
    """Remove a peer's temp dir and stop tracking it.

    Its process group is dead by now, but Chromium runs in a session of its own (Playwright
    starts it detached) and rewrites its profile while it shuts down: a non-empty dir's
    programs (those naming it on their command line) are killed, and gone, before the rmtree.
    """
    try:
        busy = bool(os.listdir(path))
    except OSError:
        busy = False
    if busy:
        _kill_holders(path)
    shutil.rmtree(path, ignore_errors=True)
    _DIRS.discard(path)


def _kill_holders(path: str, wait: float = 1.0) -> None:
    needle, pids = os.fsencode(path) + b"/", []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if needle in f.read():
                        os.kill(int(entry), signal.SIGKILL)
                        pids.append(entry)
            except (OSError, ProcessLookupError):
                pass
    deadline = time.monotonic() + wait
    while pids and time.monotonic() < deadline:
        pids = [p for p in pids if _running(p)]
        if pids:
            time.sleep(0.02)


def _running(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def reap_all() -> None:
    for pgid in list(_GROUPS):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _GROUPS.discard(pgid)
    for path in list(_DIRS):
        forget_dir(path)


def _on_signal(signum, frame):
    reap_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def install_signal_handlers() -> None:
    """SIGTERM/SIGHUP kill the peers, then the harness dies as the signal intends."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)


atexit.register(reap_all)
