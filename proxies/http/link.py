"""HttpLink: the mitmproxy reverse proxy as a link of a scenario's proxy chain.

options (all optional):
  addons:      [{name: {kwargs}}, ...] addons loaded from the start (names: ADDONS)
  sticky:      none | cookie | sid   with several upstreams (default none: round-robin)
  cookie:      the sticky cookie's name (default SERVERID)
  record_ws:   put each WebSocket message on the timeline (default true)
  fastpath:    splice upgraded WebSockets when no addon needs their messages, recording
               them on the side when record_ws (default true: see proxies/http/fastpath.py)
  listen_host, listen_port: where to listen (default 127.0.0.1, port 0: picked at start)
Faults add and remove addons at run time with add_addon / remove_addon.
"""

from __future__ import annotations

from typing import Any, ClassVar

from harness.errors import ScenarioError
from harness.links import ProxyLink
from harness.registry import load_registered

from ._master import ProxyMaster
from .balance import Balance
from .fastpath import FastPath
from .record import Record

__all__ = ["HttpLink", "ADDONS", "make_addon"]

ADDONS: dict[str, str] = {
    "strip_upgrade": "proxies.http.strip_upgrade:StripUpgrade",
    "strip_cors": "proxies.http.strip_cors:StripCors",
    "rewrite": "proxies.http.rewrite:Rewrite",
    "request_deadline": "proxies.http.request_deadline:RequestDeadline",
    "engine_packets": "proxies.http.engine_packets:EnginePackets",
}


def make_addon(name: str, kwargs: dict[str, Any] | None = None) -> Any:
    addon_class = load_registered(ADDONS, name, "http addon")
    try:
        return addon_class(**(kwargs or {}))
    except (TypeError, ValueError) as e:
        raise ScenarioError(f"http addon {name}: {e}") from e


class HttpLink(ProxyLink):
    kind: ClassVar[str] = "http"

    def __init__(self, name, options, timeline):
        super().__init__(name, options or {}, timeline)
        self._proxy: ProxyMaster | None = None
        self.record: Record | None = None
        self.fastpath: FastPath | None = None
        self.address: tuple[str, int] | None = None

    async def start(self, upstreams: list[tuple[str, int]]) -> tuple[str, int]:
        if not upstreams:
            raise ScenarioError(f"http proxy {self.name!r} has no upstream")
        addons = []
        for spec in self.options.get("addons", []) or []:
            (name, kwargs), = spec.items() if isinstance(spec, dict) else ((spec, {}),)
            addons.append(make_addon(name, kwargs))
        if len(upstreams) > 1 or self.options.get("sticky"):
            addons.append(Balance(upstreams, sticky=self.options.get("sticky", "none"),
                                  cookie=self.options.get("cookie", "SERVERID")))
        record_ws, fastpath = self.options.get("record_ws", True), self.options.get("fastpath", True)
        self.record = Record(self.timeline, self.source, ws_messages=record_ws, fastpath=fastpath)
        self.fastpath = FastPath(self.timeline, self.source, enabled=fastpath, record=record_ws)
        self._proxy = ProxyMaster(tuple(upstreams[0]), addons, tail=[self.record, self.fastpath],
                                  listen_host=self.options.get("listen_host", "127.0.0.1"),
                                  listen_port=int(self.options.get("listen_port", 0)))
        self.address = await self._proxy.start()
        self.timeline.add(self.source, "proxy_started", {"kind": self.kind, "listen": list(self.address),
                                                        "upstreams": [list(u) for u in upstreams]})
        return self.address

    def add_addon(self, addon: Any) -> None:
        if self._proxy is None:
            raise RuntimeError(f"http proxy {self.name!r} is not started")
        self._proxy.add_addon(addon)

    def remove_addon(self, addon: Any) -> None:
        if self._proxy is not None:
            self._proxy.remove_addon(addon)

    async def stop(self) -> None:
        proxy, self._proxy = self._proxy, None
        if proxy is not None:
            await proxy.stop()
            self.timeline.add(self.source, "proxy_stopped", {"kind": self.kind})
