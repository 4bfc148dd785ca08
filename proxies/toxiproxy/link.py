"""ToxiproxyLink: a scenario's TCP fault proxy, driven through toxiproxy-python.

Uses the real Toxiproxy at $TOXIPROXY_URL when set; otherwise one in-process
ToxiproxyServer per process (on its own thread, port 0), started on first use and reused by
every scenario. toxiproxy-python is synchronous `requests`, so each call goes through
`asyncio.to_thread`. Every change lands on the timeline once the API has accepted it.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import os
import threading
from typing import Any
from urllib.parse import urlsplit

import toxiproxy
from toxiproxy.api import APIConsumer

from harness.errors import ProxyError
from harness.links import ProxyLink

from .server import ToxiproxyServer

__all__ = ["ToxiproxyLink", "api_address", "shutdown_shared_server"]

_shared: ToxiproxyServer | None = None
_shared_lock = threading.Lock()
_names = itertools.count(1)


def api_address() -> tuple[str, int]:
    """$TOXIPROXY_URL's host and port, or the shared in-process server's (started if needed)."""
    global _shared
    url = os.environ.get("TOXIPROXY_URL")
    if url:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        return parts.hostname or "127.0.0.1", parts.port or 8474
    with _shared_lock:
        if _shared is None:
            _shared = ToxiproxyServer("127.0.0.1", 0).start()
            atexit.register(shutdown_shared_server)
        return _shared.host, _shared.port


def shutdown_shared_server() -> None:
    global _shared
    with _shared_lock:
        server, _shared = _shared, None
    if server is not None:
        server.stop()


def _client() -> toxiproxy.Toxiproxy:
    host, port = api_address()
    client = toxiproxy.Toxiproxy()
    client.update_api_consumer(host, port)
    return client


class ToxiproxyLink(ProxyLink):
    kind = "toxiproxy"

    def __init__(self, name: str, options: dict[str, Any], timeline):
        super().__init__(name, options, timeline)
        self.proxy: toxiproxy.Proxy | None = None
        self.address: tuple[str, int] | None = None

    async def _call(self, what: str, fn, *args, **kwargs) -> Any:
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except Exception as exc:
            detail = exc.args[0] if exc.args else exc
            if isinstance(detail, bytes):
                detail = detail.decode(errors="replace").strip()
            raise ProxyError(f"toxiproxy {self.name}: {what} failed: {type(exc).__name__}: {detail}") from exc

    def _proxy(self) -> toxiproxy.Proxy:
        if self.proxy is None:
            raise ProxyError(f"toxiproxy {self.name}: not started")
        return self.proxy

    async def start(self, upstreams: list[tuple[str, int]]) -> tuple[str, int]:
        if not upstreams:
            raise ProxyError(f"toxiproxy {self.name}: no upstream")
        host, port = upstreams[0]
        upstream = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        proxy_name = f"sockfault-{self.name}-{os.getpid()}-{next(_names)}"
        client = await self._call("connecting to the API", _client)
        self.proxy = await self._call("create", client.create, upstream=upstream, name=proxy_name,
                                      listen="127.0.0.1:0")
        listen_host, _, listen_port = self.proxy.listen.rpartition(":")
        self.address = (listen_host.strip("[]"), int(listen_port))
        self.timeline.add(self.source, "proxy_started", listen=self.proxy.listen, upstream=upstream,
                          api="%s:%s" % (APIConsumer.host, APIConsumer.port))
        return self.address

    async def stop(self) -> None:
        proxy, self.proxy = self.proxy, None
        if proxy is None:
            return
        try:
            await asyncio.to_thread(proxy.destroy)
        except Exception:   # already gone (a /reset elsewhere, a stopped server): nothing to release
            pass

    async def add_toxic(self, type: str, stream: str = "downstream", attributes: dict | None = None,
                        toxicity: float = 1.0, name: str | None = None) -> str:
        name = name or f"{type}_{stream}"
        attributes = dict(attributes or {})
        await self._call(f"adding toxic {name!r}", self._proxy().add_toxic, type=type, stream=stream,
                         name=name, toxicity=toxicity, attributes=attributes)
        self.timeline.add(self.source, "toxic_added", name=name, type=type, stream=stream,
                          toxicity=toxicity, attributes=attributes)
        return name

    async def remove_toxic(self, name: str) -> None:
        await self._call(f"removing toxic {name!r}", self._proxy().destroy_toxic, name)
        self.timeline.add(self.source, "toxic_removed", name=name)

    async def disable(self) -> None:
        await self._call("disable", self._proxy().disable)
        self.timeline.add(self.source, "proxy_down")

    async def enable(self) -> None:
        await self._call("enable", self._proxy().enable)
        self.timeline.add(self.source, "proxy_up")
