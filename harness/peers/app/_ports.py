"""Ports for app servers: a free one picked for `{port}`, or a fixed one held under a lock.

An app that only listens on a fixed port can run one instance at a time, so its main and
control runs (and any other case or xdist worker using that port) take turns: an flock on a
file per port, which conflicts across processes and between two opens in one process. An app
that refuses a second instance in its folder (`single_instance: true`: a lock file of its own,
a database it migrates) takes turns the same way, on a file per folder and program.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import socket
import tempfile

from ...errors import PeerError

__all__ = ["free_port", "PortLock", "InstanceLock"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _in_use(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class _TurnLock:
    """An flock on a file named by `key`: one holder at a time, across processes.

    The holder removes the file before it unlocks, so no lock file outlives a run. A waiter that
    then wins the lock on the removed file sees its inode is no longer the path's and opens again.
    """

    def __init__(self, key: str, label: str, taken: str):
        self.key, self.label, self.taken = key, label, taken
        self.path = os.path.join(tempfile.gettempdir(), f"sockfault-{key}.lock")
        self._fd: int | None = None

    async def acquire(self, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if self._holds_path():
                    return
                self._close()             # the file we locked was removed by its last holder: open anew
                continue
            except BlockingIOError:
                if loop.time() >= deadline:
                    self._close()
                    raise PeerError(f"{self.taken} stayed taken by another sockfault run for {timeout:.0f} s",
                                    self.label) from None
                await asyncio.sleep(0.05)

    def _holds_path(self) -> bool:
        try:
            return os.stat(self.path).st_ino == os.fstat(self._fd).st_ino
        except FileNotFoundError:
            return False

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.unlink(self.path)      # still locked: nobody can be holding this file but us
            except FileNotFoundError:
                pass
            self._close()

    def _close(self) -> None:
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
                self._fd = None


class PortLock(_TurnLock):
    def __init__(self, port: int, label: str):
        super().__init__(f"port-{port}", label, f"fixed port {port}")
        self.port = port

    async def acquire(self, timeout: float) -> None:
        await super().acquire(timeout)
        if _in_use(self.port):
            self.release()
            raise PeerError(f"fixed port {self.port} is already in use by a process sockfault did not start "
                            "(stop it, or let sockfault pick the port: `{port}` in `app`/`env`)", self.label)


class InstanceLock(_TurnLock):
    def __init__(self, cwd: str, argv: tuple[str, ...], label: str):
        digest = hashlib.sha1("\0".join((cwd, *argv)).encode()).hexdigest()[:16]
        super().__init__(f"app-{digest}", label, f"the single instance of {' '.join(argv)} (in {cwd})")