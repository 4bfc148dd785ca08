"""sockfault.proxy(): a fault proxy in front of YOUR server, for YOUR client code's tests.

One object, two links of the scenario runner's own proxy chain, started the same way:

    your client -> http link (mitmproxy: records every exchange and frame, HTTP faults)
                -> toxiproxy link (TCP faults: toxic, down) -> upstream

so every registered fault (harness.faults.FAULTS) applies to the one object, through a
FaultContext whose links are these two, as harness/_run.py wires it. kind="tcp" starts only the
toxiproxy link (no HTTP records, no HTTP faults).
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

from harness.errors import ScenarioError
from harness.faults import FaultContext, load_fault
from harness.links import ProxyLink, load_link
from harness.timeline import Event, Timeline

from ._errors import SockfaultError
from ._view import WireView

__all__ = ["Proxy", "FaultHandle", "proxy", "parse_upstream"]

KINDS = ("http", "tcp")
SOURCE = "test"            # the timeline source of fault_applied / fault_removed
_ids = itertools.count(1)


@dataclass(eq=False)
class FaultHandle:
    """What apply() returns; give it to remove(). `fault` is the harness fault object."""
    name: str
    params: dict
    fault: Any = field(repr=False)
    id: int = 0
    active: bool = True


class _YourClient:
    """ctx.clients[0]: the user's own client code. sockfault only sees it on the wire, so a
    fault that would command a client it runs (throttle_timers) gets a clear refusal."""

    class spec:
        family = "external"
        label = "your own client code (sockfault only sees it on the wire; it runs no client here)"

    hello = None

    async def send(self, command: dict) -> None:
        raise SockfaultError(f"cannot send {command.get('cmd')!r} to {self.spec.label}")


def parse_upstream(upstream: Any) -> tuple[str, int]:
    """"http://host:port", "host:port", (host, port), or a started sockfault app."""
    if not isinstance(upstream, (str, tuple, list)) and hasattr(upstream, "address"):
        if upstream.address is None:
            raise SockfaultError(f"upstream {upstream!r} is not started (start the app first)")
        return tuple(upstream.address)
    if isinstance(upstream, (tuple, list)) and len(upstream) == 2:
        return str(upstream[0]), int(upstream[1])
    if isinstance(upstream, str):
        text = upstream if "://" in upstream else f"http://{upstream}"
        parts = urlsplit(text)
        if parts.scheme != "http":
            raise SockfaultError(f"upstream {upstream!r}: only http:// upstreams (the proxy speaks plain HTTP)")
        if not parts.hostname:
            raise SockfaultError(f"upstream {upstream!r}: no host")
        return parts.hostname, parts.port or 80
    raise SockfaultError(f"upstream {upstream!r}: give \"http://host:port\", (host, port) or a sockfault app")


class Proxy(WireView):
    """Async face. `async with sockfault.proxy(url) as p:` (or `await p.start()` / `await p.stop()`)."""

    def __init__(self, upstream: Any, kind: str = "http", *, http_options: dict | None = None,
                 timeline: Timeline | None = None):
        if kind not in KINDS:
            raise SockfaultError(f"kind {kind!r}: one of {', '.join(KINDS)}")
        self.kind = kind
        self.upstream = parse_upstream(upstream)
        shared = getattr(upstream, "timeline", None) if not isinstance(upstream, (str, tuple, list)) else None
        self.timeline: Timeline = timeline or shared or Timeline()
        self.http_options = dict(http_options or {})
        self.links: dict[str, ProxyLink] = {}
        self.address: tuple[str, int] | None = None
        self._http_source: str | None = None
        self._active: list[FaultHandle] = []
        server = getattr(upstream, "server", None)     # a sockfault app's AppServer
        self._ctx = FaultContext(self.timeline, servers=[server] if server is not None else [],
                                 clients=[_YourClient()])
        self._started = False

    # -- life cycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self.address is None:
            raise SockfaultError("the proxy is not started")
        return f"http://{self.address[0]}:{self.address[1]}"

    def _name(self, base: str) -> str:
        """`http` / `tcp`, or `http-2`, ... when another proxy already writes to this timeline."""
        used = {e.source for e in self.timeline.events()}
        for n in itertools.count(1):
            name = base if n == 1 else f"{base}-{n}"
            if f"proxy:{name}" not in used:
                return name

    async def start(self) -> "Proxy":
        if self._started:
            return self
        self._started = True
        try:
            tcp = load_link("toxiproxy")(self._name("tcp"), {}, self.timeline)
            self.links[tcp.name] = tcp
            address = await tcp.start([self.upstream])
            if self.kind == "http":
                http = load_link("http")(self._name("http"), self.http_options, self.timeline)
                self.links[http.name] = http
                address = await http.start([address])
                self._http_source = http.source
            self.address = tuple(address)
            self._ctx.links = self.links
            self.timeline.add(SOURCE, "proxy_ready", {"url": self.url, "kind": self.kind,
                                                      "upstream": list(self.upstream), "links": list(self.links)})
        except BaseException:
            await self._stop_links()
            raise
        return self

    async def stop(self) -> None:
        for handle in list(self._active):
            try:
                await asyncio.wait_for(self.remove(handle), 2.0)
            except Exception:
                pass
        await self._stop_links()

    async def _stop_links(self) -> None:
        for link in reversed(list(self.links.values())):     # the outer link first
            try:
                await link.stop()
            except Exception:
                pass

    async def __aenter__(self) -> "Proxy":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    def _sources(self) -> set[str]:
        return {link.source for link in self.links.values()} | {SOURCE}

    # -- faults -------------------------------------------------------------------------------
    @property
    def active(self) -> list[FaultHandle]:
        return list(self._active)

    async def apply(self, fault: str, /, **params: Any) -> FaultHandle:
        """Inject a registered fault now; params are its fields (as in a scenario's `faults:`)."""
        if self.address is None:
            raise SockfaultError("start the proxy before applying a fault")
        instance = _make_fault(fault, params)
        try:
            await instance.apply(self._ctx)
        except ScenarioError as exc:
            raise SockfaultError(f"fault {fault!r} cannot apply to this proxy: {exc}{self._hint()}") from None
        handle = FaultHandle(fault, dict(params), instance, next(_ids))
        self._active.append(handle)
        self.timeline.add(SOURCE, "fault_applied", {"fault": fault, "params": dict(params), "id": handle.id})
        return handle

    def _hint(self) -> str:
        if self.kind == "tcp":
            return " (a kind='tcp' proxy has only the TCP link: HTTP-level faults need kind='http')"
        return ""

    async def remove(self, handle_or_name: FaultHandle | str) -> None:
        """Undo one applied fault (its handle), or every active one of that name."""
        if isinstance(handle_or_name, FaultHandle):
            handles = [handle_or_name] if handle_or_name in self._active else []
        else:
            handles = [h for h in self._active if h.name == handle_or_name]
            if not handles:
                active = ", ".join(h.name for h in self._active) or "none"
                raise SockfaultError(f"no active fault {handle_or_name!r} (active: {active})")
        for handle in handles:
            self._active.remove(handle)
            handle.active = False
            await handle.fault.remove(self._ctx)
            self.timeline.add(SOURCE, "fault_removed", {"fault": handle.name, "id": handle.id})

    # -- waiting ------------------------------------------------------------------------------
    async def wait_for(self, predicate: Callable[[Event], bool] | None = None, timeout: float = 5.0, *,
                       kind: str | None = None, **fields: Any) -> Event:
        """The first past or future timeline event with this kind and data fields (data[k] == v)
        for which predicate(event) is true; WaitTimeout (an AssertionError) after timeout s."""
        return await self._wait(predicate, timeout, kind, fields)


def _make_fault(name: str, params: dict) -> Any:
    try:
        cls = load_fault(name)
        from harness.scenario._validate import check_dataclass_params  # costs ~0.4 s: on first use
        check_dataclass_params(cls, params, f"fault {name}", None, None)
        return cls(**params)
    except ScenarioError as exc:
        raise SockfaultError(str(exc)) from None
    except (TypeError, ValueError) as exc:
        raise SockfaultError(f"fault {name}: {exc}") from None


def proxy(upstream: Any, kind: str = "http", *, http_options: dict | None = None,
          timeline: Timeline | None = None) -> Proxy:
    """A Proxy in front of upstream, started by `async with` (or `await .start()`).

    upstream: "http://127.0.0.1:3000", (host, port) or a sockfault app (its timeline is shared).
    kind: "http" (client -> http link -> toxiproxy link -> upstream, every fault) or "tcp"
    (toxiproxy link only). http_options: the http link's options (record_ws, fastpath,
    listen_port, addons; see docs/http-proxies.md)."""
    return Proxy(upstream, kind, http_options=http_options, timeline=timeline)

