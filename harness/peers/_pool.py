"""Warm spares: start the next peer of a kind while the current scenario runs.

A Python peer pays ~0.7 s of imports and a Node peer ~0.2 s; a spare that has already said
hello turns that into a pipe write. Spares are owned here and stopped by close().
Only the bundled runners get spares: a user's program (`command:`, `app:`) may do real work
when it starts (migrate a database, bind a port), so it is started once per use, never ahead.
"""

from __future__ import annotations

import asyncio

from ._catalog import PeerSpec
from ._process import PeerProcess
from .browser._host_owner import BrowserHost, shared_enabled

__all__ = ["PeerPool"]

_NEVER_WARM = ("command", "app")   # users' programs: started when a run asks for one, never ahead
# a client with its own `env` (HTTP_PROXY, ...) is started for its run too: a spare would outlive it


def _key(spec: PeerSpec) -> tuple:
    return (spec.argv, spec.env) if spec.env else spec.argv


class PeerPool:
    def __init__(self, spares: int = 2, hello_timeout: float = 20.0):
        self.spares, self.hello_timeout = spares, hello_timeout
        self._idle: dict[tuple, list[asyncio.Task]] = {}
        self._closed = False
        self.browser_host = BrowserHost()    # the one Chromium browser@ and page: peers share, started at the first

    async def acquire(self, spec: PeerSpec) -> PeerProcess:
        queue = self._idle.setdefault(_key(spec), [])
        peer = None
        while queue and peer is None:
            task = queue.pop(0)
            try:
                candidate = await task
            except Exception:
                continue
            if candidate.alive:
                peer = candidate
            else:
                await candidate.stop()
        if peer is None:
            peer = await self._start(spec)
        self._refill(spec)
        return peer

    def _refill(self, spec: PeerSpec) -> None:
        if self.spares <= 0 or self._closed or spec.family in _NEVER_WARM or spec.env:
            return
        queue = self._idle.setdefault(_key(spec), [])
        while len(queue) < min(self.spares, spec.max_spares):
            queue.append(asyncio.ensure_future(self._start(spec)))

    async def _start(self, spec: PeerSpec) -> PeerProcess:
        env = await self.browser_host.env() if spec.family in ("browser", "page") and shared_enabled() else {}
        peer = await PeerProcess.spawn(spec, env)
        try:
            await peer.wait_hello(self.hello_timeout)
        except BaseException:
            await peer.stop()
            raise
        return peer

    async def close(self) -> None:
        self._closed = True
        tasks = [t for queue in self._idle.values() for t in queue]
        self._idle.clear()
        for task in tasks:
            try:
                peer = await task
            except BaseException:
                continue
            await peer.stop()
        await self.browser_host.close()
