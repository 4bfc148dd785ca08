"""Ports for app servers: a free one picked for `{port}`, or a fixed one held under a lock.

An app that only listens on a fixed port can run one instance at a time, so its main and
control runs (and any other case or xdist worker using that port) take turns: an flock on a
file per port, which conflicts across processes and between two opens in one process.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import socket
import tempfile

from ...errors import PeerError

__all__ = ["free_port", "PortLock"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _in_use(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class PortLock:
    def __init__(self, port: int, label: str):
        self.port, self.label = port, label
        self._fd: int | None = None

    async def acquire(self, timeout: float) -> None:
        path = os.path.join(tempfile.gettempdir(), f"sockfault-port-{self.port}.lock")
        self._fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if loop.time() >= deadline:
                    self.release()
                    raise PeerError(f"fixed port {self.port} stayed taken by another sockfault run for "
                                    f"{timeout:.0f} s", self.label) from None
                await asyncio.sleep(0.05)
        if _in_use(self.port):
            self.release()
            raise PeerError(f"fixed port {self.port} is already in use by a process sockfault did not start "
                            "(stop it, or let sockfault pick the port: `{port}` in `app`/`env`)", self.label)

    def release(self) -> None:
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
                self._fd = None
