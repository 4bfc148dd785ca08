"""The runner's side of the shared Chromium (host.py): started at the first browser@ peer, stopped
with the peer pool, restarted if it died, and reaped like a peer (its own process group and TMPDIR).

SOCKFAULT_BROWSER_SHARED=0 gives every browser peer a Chromium of its own again (a bisecting aid: the
shared one should change nothing a scenario can see).
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile

from ...errors import PeerError
from .._reaper import forget_dir, forget_group, remember_dir, remember_group
from .peer import HOST_ENV

__all__ = ["BrowserHost", "shared_enabled"]

_READY_TIMEOUT = 30.0
_STDERR_KEEP = 16_384


def shared_enabled() -> bool:
    return os.environ.get("SOCKFAULT_BROWSER_SHARED", "1") != "0"


class BrowserHost:
    def __init__(self):
        self.proc: asyncio.subprocess.Process | None = None
        self.tmpdir: str | None = None
        self.socket: str | None = None
        self._lock = asyncio.Lock()
        self._stderr = bytearray()
        self._drain: asyncio.Task | None = None

    async def env(self) -> dict[str, str]:
        """The environment a browser peer needs to use the host, starting the host if it is not running."""
        async with self._lock:
            if self.proc is None or self.proc.returncode is not None:
                await self._stop()
                await self._start()
        return {HOST_ENV: self.socket}

    async def _start(self) -> None:
        self.tmpdir = tempfile.mkdtemp(prefix="sockfault-chromium-host-")
        remember_dir(self.tmpdir)
        self.socket = os.path.join(self.tmpdir, "host.sock")
        self._stderr.clear()
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-u", "-m", "harness.peers.browser.host", self.socket,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            start_new_session=True, env={**os.environ, "TMPDIR": self.tmpdir})
        remember_group(self.proc.pid)
        self._drain = asyncio.ensure_future(self._keep_stderr())
        try:
            line = await asyncio.wait_for(self.proc.stdout.readline(), _READY_TIMEOUT)
            ready = json.loads(line) if line.strip() else {}
        except (asyncio.TimeoutError, ValueError):
            ready = {}
        if ready.get("event") != "ready":
            await asyncio.sleep(0.1)   # let its last stderr arrive
            stderr = self._stderr.decode("utf-8", "replace")
            await self._stop()
            raise PeerError(f"the shared Chromium (browser host) did not start within {_READY_TIMEOUT:.0f} s",
                            "browser host", stderr)

    async def _keep_stderr(self) -> None:
        while chunk := await self.proc.stderr.read(4096):
            self._stderr += chunk
            del self._stderr[:-_STDERR_KEEP]

    async def close(self) -> None:
        async with self._lock:
            await self._stop()

    async def _stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.returncode is None:
                try:
                    proc.stdin.close()               # the host closes Chromium and exits
                    await asyncio.wait_for(proc.wait(), 5.0)
                except asyncio.TimeoutError:
                    pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            await proc.wait()
            forget_group(proc.pid)
        if self._drain is not None:
            self._drain.cancel()
            self._drain = None
        if self.tmpdir is not None:
            forget_dir(self.tmpdir)                  # kills a detached Chromium still naming it
            self.tmpdir = self.socket = None
