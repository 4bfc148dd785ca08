"""A python-socketio (aiohttp) server on a thread of its own: the "user's server" of the API tests.

On its own loop so sync and async tests alike can put a proxy in front of it. Events: "echo"
answers its argument; "kick" makes the server disconnect the caller. Heartbeat 1 s + 1 s, so
a silent link is noticed in ~2 s.
"""

from __future__ import annotations

import asyncio
import threading

import socketio
from aiohttp import web

APP = """\
import os
import socketio
from aiohttp import web
sio = socketio.AsyncServer(async_mode="aiohttp", ping_interval=1, ping_timeout=1)
@sio.on("echo")
async def echo(sid, data):
    return data
app = web.Application()
sio.attach(app)
web.run_app(app, host="127.0.0.1", port=int(os.environ["PORT"]), print=None)
"""


class SioServer:
    def __init__(self, ping_interval: float = 1, ping_timeout: float = 1):
        self.ping = (ping_interval, ping_timeout)
        self.events: list[tuple[str, str]] = []       # (event, sid)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sio-server", daemon=True)
        self.address: tuple[str, int] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.address[0]}:{self.address[1]}"

    async def _start(self) -> None:
        self.sio = sio = socketio.AsyncServer(async_mode="aiohttp", ping_interval=self.ping[0],
                                              ping_timeout=self.ping[1])

        @sio.on("connect")
        async def connect(sid, environ):
            self.events.append(("connect", sid))

        @sio.on("disconnect")
        async def disconnect(sid, *reason):
            self.events.append(("disconnect", sid))

        @sio.on("echo")
        async def echo(sid, data):
            return data

        @sio.on("kick")
        async def kick(sid, data=None):
            await sio.disconnect(sid)

        app = web.Application()
        sio.attach(app)
        self.runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.address = site._server.sockets[0].getsockname()[:2]

    def __enter__(self) -> "SioServer":
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        return self

    async def _stop(self) -> None:
        await self.sio.shutdown()
        await self.runner.cleanup()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __exit__(self, *exc) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
            self.loop.close()
