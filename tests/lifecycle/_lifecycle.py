"""What one `sockfault run` (or pytest) under test started, read from /proc, and what it left.

Other runs share this machine, so nothing is compared globally: a Watcher polls /proc while
the run lives and keeps every process that descends from it or shares a session with one
that does (peers, nginx and Chromium start sessions of their own; a session id survives the
reparenting to init), plus the TCP listeners those processes own. The run gets a TMPDIR of
its own, so every temp dir it makes (Chromium profiles, nginx configs, hook sockets) is in it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import termios  # noqa: F401  (used in the pty wrapper's source)
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable

# exec the command with the pty (fd 0) as its controlling terminal, in the new session Popen made
_CTTY = ("import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
         "os.execvp(sys.argv[1], sys.argv[1:])")


def _stat(pid: int) -> tuple[int, int, int, int, str] | None:
    """(ppid, pgid, sid, starttime, state) of a live process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return int(fields[1]), int(fields[2]), int(fields[3]), int(fields[19]), fields[0]


def processes() -> dict[int, tuple[int, int, int, int, str]]:
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None and st[4] != "Z":
                out[int(entry)] = st
    return out


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return "?"


def listeners() -> dict[int, tuple[str, int]]:
    """inode -> (address, port) of every TCP socket in LISTEN, v4 and v6."""
    out = {}
    for name in ("tcp", "tcp6"):
        try:
            lines = Path(f"/proc/net/{name}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] != "0A":
                continue
            hexaddr, hexport = parts[1].split(":")
            out[int(parts[9])] = (_address(hexaddr), int(hexport, 16))
    return out


def _address(hexaddr: str) -> str:
    raw = bytes.fromhex(hexaddr)
    if len(raw) == 4:
        return ".".join(str(b) for b in raw[::-1])
    words = [raw[i:i + 4][::-1] for i in range(0, 16, 4)]
    joined = b"".join(words)
    if joined[:12] == b"\0" * 10 + b"\xff\xff":
        return "::ffff:" + ".".join(str(b) for b in joined[12:])
    return ":".join(joined[i:i + 2].hex() for i in range(0, 16, 2))


def _socket_inodes(pid: int) -> set[int]:
    out = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                out.add(int(link[8:-1]))
    except OSError:
        pass
    return out


class Watcher:
    """Polls /proc every `interval` s for the processes and listeners of the tree under `root`."""

    def __init__(self, root: int, interval: float = 0.05):
        self.root, self.interval = root, interval
        self.procs: dict[int, int] = {}        # pid -> starttime, everything ever seen as ours
        self.sids: set[int] = set()
        self.listening: dict[int, tuple[str, int, int]] = {}   # inode -> (address, port, pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> "Watcher":
        self.poll()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()

    def poll(self) -> None:
        table = processes()
        root = table.get(self.root)
        if root is not None:
            self.procs.setdefault(self.root, root[3])
            self.sids.add(root[2]) if root[2] == self.root else None
        changed = True
        while changed:
            changed = False
            for pid, (ppid, _pgid, sid, start, _state) in table.items():
                if pid in self.procs:
                    continue
                if ppid in self.procs or (sid in self.sids and sid != 0):
                    self.procs[pid] = start
                    changed = True
                    if sid == pid:
                        self.sids.add(sid)
            for pid in list(self.procs):
                st = table.get(pid)
                if st is not None and st[2] == pid:
                    self.sids.add(pid)
        open_now = listeners()
        for pid, start in list(self.procs.items()):
            st = table.get(pid)
            if st is None or st[3] != start:
                continue
            for inode in _socket_inodes(pid) & open_now.keys():
                self.listening.setdefault(inode, (*open_now[inode], pid))

    def left(self, settle: float = 1.0) -> dict[str, list]:
        """What is still there `settle` s after the run ended: processes and listeners of ours."""
        deadline = time.monotonic() + settle
        while True:
            table = processes()
            alive = [pid for pid, start in self.procs.items()
                     if pid != self.root and pid in table and table[pid][3] == start]
            alive += [pid for pid, st in table.items()
                      if st[2] in self.sids and pid not in self.procs and pid != self.root]
            open_now = listeners()
            ports = [v for k, v in self.listening.items() if k in open_now]
            if (not alive and not ports) or time.monotonic() > deadline:
                return {"processes": [f"{pid} {cmdline(pid)[:200]}" for pid in alive], "listeners": ports}
            time.sleep(0.1)


@pytest.fixture
def own_tmp():
    """A run's own TMPDIR, short: a UNIX socket path (an app's hook, Chromium's singleton) has 107 bytes."""
    path = Path(tempfile.mkdtemp(prefix="sflc-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def tmp_left(tmpdir: Path) -> list[str]:
    """What a run left in its own TMPDIR; pytest's basetemp stays (a fixed-port app's lock file goes with its turn)."""
    return sorted(p.name for p in tmpdir.iterdir() if not p.name.startswith("pytest-of-"))


def env_for(tmpdir: Path) -> dict[str, str]:
    env = dict(os.environ, TMPDIR=str(tmpdir), PYTHONUNBUFFERED="1")
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


class Terminal:
    """A command on a pseudo-terminal of its own: `ctrl_c()` is a user's Ctrl-C (SIGINT to the foreground group)."""

    def __init__(self, argv: list[str], tmpdir: Path, cwd: Path = ROOT):
        master, slave = os.openpty()
        self.master = master
        self.proc = subprocess.Popen([PYTHON, "-c", _CTTY, *argv], stdin=slave, stdout=slave, stderr=slave,
                                     cwd=cwd, env=env_for(tmpdir), start_new_session=True, close_fds=True)
        os.close(slave)
        self.output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:   # EIO: every holder of the slave side is gone
                break
            if not chunk:
                break
            self.output += chunk

    def text(self) -> str:
        return self.output.decode("utf-8", "replace").replace("\r\n", "\n")

    def wait_for_output(self, needle: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text():
                return True
            if self.proc.poll() is not None:
                return needle in self.text()
            time.sleep(0.05)
        return False

    def ctrl_c(self) -> None:
        os.write(self.master, b"\x03")

    def wait(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._reader.join(2)
        try:
            os.close(self.master)
        except OSError:
            pass


def nonblocking(fd: int) -> None:
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
