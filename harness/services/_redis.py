"""A redis-server of its own for one run: free 127.0.0.1 port, no persistence, stopped after.

Its process group is remembered by the reaper, so a second Ctrl-C or a SIGTERM that skips the
run's `finally` still kills it; it writes no file (no RDB, no AOF) and logs to a pipe we read.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import tempfile
from collections import deque

from ..errors import PeerError
from ..peers._reaper import forget_group, remember_group

__all__ = ["RedisService"]

_READY_S = 5.0


class RedisService:
    name = "redis"
    FIELDS = ("{redis_url}", "{redis_port}")

    def __init__(self):
        self.port: int | None = None
        self.proc: asyncio.subprocess.Process | None = None
        self._log: deque[bytes] = deque(maxlen=40)
        self._reader: asyncio.Task | None = None

    @staticmethod
    def unavailable_reason() -> str | None:
        if shutil.which("redis-server") is None:
            return "redis-server is not installed (Debian: apt-get install redis-server; `make setup` does it as root)"
        return None

    @property
    def fields(self) -> dict[str, str]:
        return {"{redis_url}": f"redis://127.0.0.1:{self.port}", "{redis_port}": str(self.port)}

    async def start(self) -> dict:
        for _attempt in range(3):   # a free port picked here may be taken before redis binds it
            self.port = _free_port()
            argv = [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", tempfile.gettempdir(), "--daemonize", "no",
                    "--loglevel", "warning"]
            try:
                self.proc = await asyncio.create_subprocess_exec(
                    *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.STDOUT, start_new_session=True)
            except OSError as exc:
                raise PeerError(f"cannot start redis-server: {exc}", "service:redis") from None
            remember_group(self.proc.pid)
            self._reader = asyncio.ensure_future(self._read(self.proc.stdout))
            if await self._ready():
                return {"port": self.port, "url": self.fields["{redis_url}"], "pid": self.proc.pid}
            await self._kill()
        raise PeerError(f"redis-server did not answer within {_READY_S:.0f} s", "service:redis", self._log_tail())

    async def _ready(self) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _READY_S
        while loop.time() < deadline and self.proc.returncode is None:
            try:   # our redis, not another program that took the port first: its process_id is ours
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                try:
                    writer.write(b"INFO server\r\n")
                    header = await asyncio.wait_for(reader.readline(), 1.0)
                    if header.startswith(b"$"):
                        body = await asyncio.wait_for(reader.readexactly(int(header[1:]) + 2), 1.0)
                        if f"process_id:{self.proc.pid}\r".encode() in body:
                            return True
                finally:
                    writer.close()
            except (OSError, ValueError, asyncio.TimeoutError, asyncio.IncompleteReadError):
                pass
            await asyncio.sleep(0.02)
        return False

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for line in stream:
            self._log.append(line[:500])

    def _log_tail(self) -> str:
        return b"".join(self._log).decode("utf-8", "replace")

    async def _kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 2.0)):
            try:
                os.killpg(proc.pid, sig)
            except (ProcessLookupError, PermissionError):
                break
            try:
                await asyncio.wait_for(proc.wait(), wait)
                break
            except asyncio.TimeoutError:
                continue
        forget_group(proc.pid)

    async def stop(self) -> None:
        await self._kill()
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 1.0)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._reader.cancel()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
