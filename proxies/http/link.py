"""HttpLink: the mitmproxy reverse proxy as a link of a scenario's proxy chain.

options (all optional):
  addons:      [{name: {kwargs}}, ...] addons loaded from the start (names: ADDONS)
  sticky:      none | cookie | sid   with several upstreams (default none: round-robin)
  cookie:      the sticky cookie's name (default SERVERID)
  record_ws:   put each WebSocket message on the timeline (default true)
  fastpath:    splice upgraded WebSockets when no addon needs their messages, recording
               them on the side when record_ws (default true: see proxies/http/fastpath.py)
  listen_host, listen_port: where to listen (default 127.0.0.1, port 0: picked at start)
  engine:      auto | relay | mitmproxy (default auto)
Faults add and remove addons at run time with add_addon / remove_addon.

The engine is chosen at start. `auto` takes the wire-speed relay (proxies/http/relay.py)
when everything that may run on this link is something it does: one upstream, no sticky
(balance), `fastpath` not off, every `addons:` entry and every fault of the run that may
target this link (`planned_faults`, set by the runner before start) an addon with
`relay = True` (strip_upgrade, strip_cors); else mitmproxy. Faults not known at start (the Python
API's sockfault.proxy(): its tests apply any fault at any time) mean mitmproxy unless `engine: relay`. `relay` insists (a ScenarioError
names what it cannot do). The choice and its reason are on the timeline ("proxy_started"
{engine, engine_reason}). An addon the relay cannot apply, added at run time (the Python
API, where faults are not known at start), restarts the link on mitmproxy on the same port
when no connection came yet, and is refused after that.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from harness.errors import ScenarioError
from harness.links import ProxyLink
from harness.registry import load_registered

from .. import _out_of_fds as out_of_fds
from .relay import Relay, relay_supported

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
        self._proxy = None                       # a ProxyMaster or a Relay
        self.engine: str | None = None
        self.record = None
        self.fastpath = None
        self.address: tuple[str, int] | None = None
        self._upstreams: list[tuple[str, int]] = []

    def relay_blocker(self, addons: list[Any], upstreams: list) -> str | None:
        """Why this link needs mitmproxy (None: the relay does everything asked)."""
        if len(upstreams) > 1 or self.options.get("sticky"):
            return "balance (several upstreams or sticky)"
        if not self.options.get("fastpath", True):
            return "fastpath: false (every WebSocket message through mitmproxy)"
        if self.planned_faults is None and self.options.get("engine", "auto") == "auto":
            return "the faults are not known at start (the Python API applies any fault at any time)"
        for addon in addons:
            if not relay_supported(addon):
                return f"addon {type(addon).__name__}"
        for fault in self.planned_faults or ():
            make, target = getattr(fault, "make_addon", None), getattr(fault, "proxy", None)
            if make is None or target not in (None, self.name):
                continue
            if not relay_supported(make()):
                return f"fault {getattr(fault, 'name', type(fault).__name__)}"
        return None

    async def start(self, upstreams: list[tuple[str, int]]) -> tuple[str, int]:
        if not upstreams:
            raise ScenarioError(f"http proxy {self.name!r} has no upstream")
        out_of_fds.install(asyncio.get_running_loop())   # the relay and mitmproxy accept on this loop
        addons = []
        for spec in self.options.get("addons", []) or []:
            (name, kwargs), = spec.items() if isinstance(spec, dict) else ((spec, {}),)
            addons.append(make_addon(name, kwargs))
        wanted = self.options.get("engine", "auto")
        if wanted not in ("auto", "relay", "mitmproxy"):
            raise ScenarioError(f"http proxy {self.name!r}: engine {wanted!r} is auto, relay or mitmproxy")
        blocker = self.relay_blocker(addons, upstreams) if wanted != "mitmproxy" else "engine: mitmproxy"
        if wanted == "relay" and blocker:
            raise ScenarioError(f"http proxy {self.name!r}: engine relay cannot apply {blocker}; use engine: mitmproxy")
        self._upstreams = [tuple(u) for u in upstreams]
        if blocker is None:
            self.engine = "relay"
            self._proxy = Relay(self._upstreams[0], self.timeline, self.source, addons,
                                record_ws=self.options.get("record_ws", True),
                                listen_host=self.options.get("listen_host", "127.0.0.1"),
                                listen_port=int(self.options.get("listen_port", 0)))
            self.address = await self._proxy.start()
        else:
            self.address = await self._start_mitmproxy(addons, int(self.options.get("listen_port", 0)))
        self._started(blocker)
        return self.address

    def _started(self, reason: str | None) -> None:
        self.timeline.add(self.source, "proxy_started", {
            "kind": self.kind, "listen": list(self.address), "upstreams": [list(u) for u in self._upstreams],
            "engine": self.engine, "engine_reason": reason or "every addon and fault is one the relay applies"})

    async def _start_mitmproxy(self, addons: list[Any], listen_port: int) -> tuple[str, int]:
        from ._master import ProxyMaster
        from .balance import Balance
        from .fastpath import FastPath
        from .record import Record
        upstreams = self._upstreams
        if len(upstreams) > 1 or self.options.get("sticky"):
            addons.append(Balance(upstreams, sticky=self.options.get("sticky", "none"),
                                  cookie=self.options.get("cookie", "SERVERID")))
        record_ws, fastpath = self.options.get("record_ws", True), self.options.get("fastpath", True)
        self.engine = "mitmproxy"
        self.record = Record(self.timeline, self.source, ws_messages=record_ws, fastpath=fastpath)
        self.fastpath = FastPath(self.timeline, self.source, enabled=fastpath, record=record_ws)
        self._proxy = ProxyMaster(upstreams[0], addons, tail=[self.record, self.fastpath],
                                  listen_host=self.options.get("listen_host", "127.0.0.1"), listen_port=listen_port)
        return await self._proxy.start()

    async def add_addon(self, addon: Any) -> None:
        if self._proxy is None:
            raise RuntimeError(f"http proxy {self.name!r} is not started")
        if self.engine == "relay" and not relay_supported(addon):
            if self._proxy.accepted or self.options.get("engine") == "relay":
                raise ScenarioError(
                    f"http proxy {self.name!r} runs the relay engine (chosen at start) and "
                    f"{type(addon).__name__} needs mitmproxy: set the link's option engine: mitmproxy")
            relay, port = self._proxy, self.address[1]     # nothing connected yet: switch engines
            addons = list(relay.addons)
            relay.addons.clear()
            await relay.stop()
            self.address = await self._start_mitmproxy(addons, port)
            self._started(f"{type(addon).__name__} added at run time")
        self._proxy.add_addon(addon)

    def remove_addon(self, addon: Any) -> None:
        if self._proxy is not None:
            self._proxy.remove_addon(addon)

    async def stop(self) -> None:
        proxy, self._proxy = self._proxy, None
        if proxy is not None:
            await proxy.stop()
            self.timeline.add(self.source, "proxy_stopped", {"kind": self.kind})
