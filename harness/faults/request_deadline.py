"""Fault: the HTTP proxy cuts every request or WebSocket older than N seconds (serverless)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = ["RequestDeadline"]


@dataclass
class RequestDeadline:
    """seconds: the age at which a request/websocket is cut; http, websocket: which ones."""

    name: ClassVar[str] = "request_deadline"
    seconds: float = 30.0
    http: bool = True
    websocket: bool = True
    proxy: str | None = None
    _addon: Any = field(default=None, init=False, repr=False)

    async def apply(self, ctx) -> None:
        from proxies.http.request_deadline import RequestDeadline as Addon
        self._addon = Addon(self.seconds, http=self.http, websocket=self.websocket)
        ctx.link(self.proxy, "http").add_addon(self._addon)

    async def remove(self, ctx) -> None:
        if self._addon is not None:
            ctx.link(self.proxy, "http").remove_addon(self._addon)
            self._addon = None
