"""Cut every request or WebSocket older than N seconds, as serverless platforms do."""

from __future__ import annotations

import asyncio
from typing import Any

from mitmproxy import http

__all__ = ["RequestDeadline"]


class RequestDeadline:
    """seconds: the deadline from the request's first byte; http / websocket: which to cut."""

    proxy: Any = None  # set by ProxyMaster.add_addon

    def __init__(self, seconds: float, http: bool = True, websocket: bool = True):
        self.seconds, self.http, self.websocket = float(seconds), http, websocket
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        upgrade = "websocket" in flow.request.headers.get("upgrade", "").lower()
        if not (self.websocket if upgrade else self.http):
            return
        loop = asyncio.get_running_loop()
        self._timers[flow.id] = loop.call_later(self.seconds, self._cut, flow)

    def _cut(self, flow: http.HTTPFlow) -> None:
        self._timers.pop(flow.id, None)
        flow.metadata["sockfault.fault"] = f"request_deadline:{self.seconds:g}s"
        if self.proxy is not None:
            self.proxy.cut(flow)

    def _cancel(self, flow: http.HTTPFlow) -> None:
        timer = self._timers.pop(flow.id, None)
        if timer:
            timer.cancel()

    def response(self, flow: http.HTTPFlow) -> None:
        if flow.websocket is None and not (flow.response and flow.response.status_code == 101):
            self._cancel(flow)

    def error(self, flow: http.HTTPFlow) -> None:
        self._cancel(flow)

    def websocket_end(self, flow: http.HTTPFlow) -> None:
        self._cancel(flow)

    def done(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
