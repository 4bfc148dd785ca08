"""Fault: the HTTP proxy cuts every request or WebSocket older than N seconds (serverless)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._http_addon import HttpAddonFault

__all__ = ["RequestDeadline"]


@dataclass
class RequestDeadline(HttpAddonFault):
    """seconds: the age at which a request/websocket is cut; http, websocket: which ones."""

    name: ClassVar[str] = "request_deadline"
    seconds: float = 30.0
    http: bool = True
    websocket: bool = True

    def make_addon(self):
        from proxies.http.request_deadline import RequestDeadline as Addon
        return Addon(self.seconds, http=self.http, websocket=self.websocket)
