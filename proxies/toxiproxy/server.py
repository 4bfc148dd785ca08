"""ToxiproxyServer: the API plus its proxies on one event loop, in-process.

`start()`/`stop()` run it on its own thread and loop, so synchronous clients
(toxiproxy-python, via `asyncio.to_thread`) never block the loop the proxies live on;
`astart()`/`astop()` run it on the caller's loop instead (the CLI does).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from aiohttp import web

from .. import _out_of_fds as out_of_fds
from . import _gojson
from ._proxy import ProxyCollection
from ._rand import rng
from .api import VERSION, Api, populate

__all__ = ["ToxiproxyServer"]

log = logging.getLogger(__name__)


class ToxiproxyServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 8474, config: str | None = None,
                 seed: int | None = None, version: str = VERSION):
        self.host, self.port, self.config, self.version = host, port, config, version
        if seed is not None:
            rng.seed(seed)
        self.collection: ProxyCollection | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.ServerRunner | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    # -- on the caller's loop -------------------------------------------------------
    async def astart(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.collection = ProxyCollection()
        api = Api(self.collection, self.version)
        self._runner = web.ServerRunner(web.Server(api.handle, access_log=None), handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await self._runner.cleanup()
            self._runner = None
            raise
        self.port = self._runner.addresses[0][1]
        if self.config:
            await self._populate_config(self.config)

    async def _populate_config(self, path: str) -> None:
        """As toxiproxy-server -config: problems are logged, the server keeps running."""
        try:
            with open(path, "rb") as f:
                raw = f.read()
            proxies, err = await populate(self.collection, _gojson.decode(raw))
        except (OSError, _gojson.GoJSONError) as exc:
            log.error("toxiproxy: cannot populate from config %s: %s", path, exc)
            return
        if err:
            log.error("toxiproxy: failed to populate proxies from %s: %s", path, err.message)
        else:
            log.info("toxiproxy: populated %d proxies from %s", len(proxies), path)

    async def astop(self) -> None:
        if self.collection is not None:
            await self.collection.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- on a thread of its own -----------------------------------------------------
    def start(self, timeout: float = 10.0) -> "ToxiproxyServer":
        ready = threading.Event()
        failure: list[BaseException] = []

        def main() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            out_of_fds.install(loop)
            try:
                loop.run_until_complete(self.astart())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self.astop())
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in pending:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.close()

        self._thread = threading.Thread(target=main, name=f"toxiproxy-{self.port}", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("toxiproxy server did not start")
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]
        return self

    def stop(self, timeout: float = 10.0) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.loop.stop)
        thread.join(timeout)

    def call(self, coro: Any, timeout: float = 10.0) -> Any:
        """Run a coroutine on the server's loop from another thread (tests, tools)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> "ToxiproxyServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
