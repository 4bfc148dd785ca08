"""Proxy links: what sits between a client and a server in a scenario's proxy chain.

A scenario's `proxies:` list becomes links started in order from the server outwards:
the client talks to the outermost link, each link forwards to the next, the innermost to
the server(s). A link kind lives in its own module, imported only when a scenario uses it
(importing mitmproxy costs a second), and is registered here by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from .registry import load_registered
from .timeline import Timeline

__all__ = ["ProxyLink", "LINK_KINDS", "load_link"]

# kind -> "module:Class"
LINK_KINDS: dict[str, str] = {
    "toxiproxy": "proxies.toxiproxy.link:ToxiproxyLink",
    "http": "proxies.http.link:HttpLink",
    "nginx": "proxies.nginx.link:NginxLink",
    "haproxy": "proxies.haproxy.link:HaproxyLink",
}


class ProxyLink(ABC):
    """One proxy in the chain. `upstreams` has one (host, port) per server behind it."""

    kind: ClassVar[str]
    # the run's fault objects (applied at start or later), set by the runner before start():
    # a link may choose how to serve from what could be applied to it (the http link's engine).
    # None: not known (the Python API applies faults at any time)
    planned_faults: list[Any] | None = None

    def __init__(self, name: str, options: dict[str, Any], timeline: Timeline):
        self.name, self.options, self.timeline = name, options, timeline
        self.source = f"proxy:{name}"

    @abstractmethod
    async def start(self, upstreams: list[tuple[str, int]]) -> tuple[str, int]:
        """Start listening on 127.0.0.1 port 0; return the address clients should use."""

    @abstractmethod
    async def stop(self) -> None:
        """Release every socket, task and process; safe to call twice."""

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """Why this link cannot run on this machine (a missing binary), or None."""
        return None


def load_link(kind: str) -> type[ProxyLink]:
    return load_registered(LINK_KINDS, kind, "proxy kind")
