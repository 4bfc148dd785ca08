"""Fault: the TCP proxy closes every connection `seconds` after it opened, whatever the traffic.

A lifetime cap (some load balancers, corporate proxies and NAT gateways end long-lived
connections at a fixed age): heartbeats cannot keep such a connection alive. It is the
`lifetime` toxic (sockfault's own; a real Toxiproxy has none) on both streams, so each peer
gets a FIN at the same moment. The age counts from the connection's dial; a connection that
was already open when the fault came is closed `seconds` after the fault.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import ClassVar

__all__ = ["Lifetime"]

_ids = itertools.count(1)
STREAMS = ("upstream", "downstream")


@dataclass
class Lifetime:
    """seconds: the age at which every connection is closed (a FIN to both peers), not scaled;
    proxy: the toxiproxy link's name when there is more than one."""

    name: ClassVar[str] = "lifetime"
    seconds: float = 60.0
    proxy: str | None = None
    _toxics: list = field(default_factory=list, init=False, repr=False)

    async def apply(self, ctx) -> None:
        link = ctx.link(self.proxy, "toxiproxy")
        n = next(_ids)
        ms = max(1, round(self.seconds * 1000))
        self._toxics = list(await asyncio.gather(*(
            link.add_toxic("lifetime", stream, {"lifetime": ms}, 1.0, f"lifetime_{stream}_{n}")
            for stream in STREAMS)))

    async def remove(self, ctx) -> None:
        names, self._toxics = self._toxics, []
        if names:
            link = ctx.link(self.proxy, "toxiproxy")
            await asyncio.gather(*(link.remove_toxic(name) for name in names))
