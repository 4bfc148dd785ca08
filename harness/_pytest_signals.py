"""SIGTERM/SIGHUP to a pytest run leave nothing behind, as they do for `sockfault run`.

Without a handler a SIGTERM kills the interpreter before atexit, so a pytest process's peers
(warm spares included) and their temp dirs outlive it. Every pytest process reaps its own
peers; the xdist controller has none, but its workers do, and a signal sent to the
controller alone (a CI runner's cancel, `kill <pid>`) would orphan them: the controller first
passes the signal on to its child processes, then dies as the signal intends.
A handler someone else installed is left in place.
"""

from __future__ import annotations

import os
import signal

from .peers import _reaper

_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def install(controller: bool) -> None:
    for sig in _SIGNALS:
        if signal.getsignal(sig) is signal.SIG_DFL:
            signal.signal(sig, _forward_then_reap if controller else _reaper._on_signal)


def _forward_then_reap(signum, frame) -> None:
    for pid in child_pids(os.getpid()):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass
    _reaper._on_signal(signum, frame)


def child_pids(parent: int) -> list[int]:
    """The live processes whose parent is `parent`, read from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == parent and fields[0] != "Z":
            found.append(int(entry))
    return found
