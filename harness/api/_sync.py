"""Sync faces for plain (non-async) tests: the async objects, run on sockfault's loop thread.

A SyncProxy / SyncApp is started when made and closed by close() or `with`. Its reads
(transports(), http_statuses(), ...) are direct; apply / remove / wait_for block the caller.
From an async test, the *_async variants await the same work without blocking its loop.
"""

from __future__ import annotations

from typing import Any, Callable

from harness.timeline import Event, Timeline

from . import _loop
from ._app import App
from ._proxy import FaultHandle, Proxy
from ._view import WireView

__all__ = ["SyncProxy", "SyncApp", "proxy_sync", "app_sync"]

_START = 60.0     # seconds: mitmproxy's first import alone takes 1-2 s; an app may take its start_timeout
_CALL = 30.0


class SyncProxy(WireView):
    def __init__(self, proxy: Proxy, timeout: float = _START):
        self._proxy = proxy
        _loop.run(proxy.start(), timeout)
        _loop.close_at_exit(self)

    # what the async Proxy knows
    kind = property(lambda self: self._proxy.kind)
    url = property(lambda self: self._proxy.url)
    address = property(lambda self: self._proxy.address)
    upstream = property(lambda self: self._proxy.upstream)
    timeline: Timeline = property(lambda self: self._proxy.timeline)     # type: ignore[assignment]
    links = property(lambda self: self._proxy.links)
    active = property(lambda self: self._proxy.active)
    _http_source = property(lambda self: self._proxy._http_source)

    def _sources(self) -> set[str]:
        return self._proxy._sources()

    def apply(self, fault: str, /, **params: Any) -> FaultHandle:
        return _loop.run(self._proxy.apply(fault, **params), _CALL)

    def remove(self, handle_or_name: FaultHandle | str) -> None:
        _loop.run(self._proxy.remove(handle_or_name), _CALL)

    def wait_for(self, predicate: Callable[[Event], bool] | None = None, timeout: float = 5.0, *,
                 kind: str | None = None, **fields: Any) -> Event:
        return _loop.run(self._wait(predicate, timeout, kind, fields), timeout + _CALL)

    async def apply_async(self, fault: str, /, **params: Any) -> FaultHandle:
        return await _loop.run_async(self._proxy.apply(fault, **params))

    async def remove_async(self, handle_or_name: FaultHandle | str) -> None:
        await _loop.run_async(self._proxy.remove(handle_or_name))

    async def wait_for_async(self, predicate: Callable[[Event], bool] | None = None, timeout: float = 5.0, *,
                             kind: str | None = None, **fields: Any) -> Event:
        return await self._wait(predicate, timeout, kind, fields)   # the Timeline wakes any loop

    def close(self, timeout: float = _CALL) -> None:
        _loop.forget(self)
        _loop.run(self._proxy.stop(), timeout)

    def __enter__(self) -> "SyncProxy":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<SyncProxy {self.kind} {self.url} -> {self.upstream[0]}:{self.upstream[1]}>"


class SyncApp:
    def __init__(self, app: App):
        self._app = app
        _loop.run(app.start(), max(_START, float(app.spec.app.start_timeout) + 10))
        _loop.close_at_exit(self)

    url = property(lambda self: self._app.url)
    address = property(lambda self: self._app.address)
    timeline = property(lambda self: self._app.timeline)
    server = property(lambda self: self._app.server)
    output = property(lambda self: self._app.output)

    def events(self, kind: str | None = None) -> list[Event]:
        return self._app.events(kind)

    def close(self, timeout: float = _CALL) -> None:
        _loop.forget(self)
        _loop.run(self._app.stop(), timeout)

    def __enter__(self) -> "SyncApp":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<SyncApp {self._app.spec.label} at {self._app.address}>"


def proxy_sync(upstream: Any, kind: str = "http", *, http_options: dict | None = None,
               timeline: Timeline | None = None) -> SyncProxy:
    """sockfault.proxy(), started now on sockfault's loop thread; `with` (or close()) stops it."""
    return SyncProxy(Proxy(upstream, kind, http_options=http_options, timeline=timeline))


def app_sync(command: str | list[str] | None = None, **kwargs: Any) -> SyncApp:
    """sockfault.app(), started now on sockfault's loop thread; `with` (or close()) stops it."""
    return SyncApp(App(command, **kwargs))
