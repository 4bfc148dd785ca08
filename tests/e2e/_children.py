"""The live child processes of a process, read from /proc (no psutil)."""

from __future__ import annotations

import os

__all__ = ["children"]


def children(pid: int) -> set[int]:
    out = set()
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            out.add(int(entry))
    return out
