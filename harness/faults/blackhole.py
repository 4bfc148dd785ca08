"""Fault: a half-open connection: the TCP proxy silently drops every byte both ways at once.

No FIN and no RST reach either peer while it is on (a peer's own close is held too), so both
TCP connections stay open and each side learns of the loss only from its heartbeat. It is two
Toxiproxy `timeout` toxics with timeout 0 (drop, never close: the one-direction blackhole),
added to both streams together, so it also works against a real Toxiproxy ($TOXIPROXY_URL).
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import ClassVar

__all__ = ["Blackhole"]

_ids = itertools.count(1)
STREAMS = ("upstream", "downstream")


@dataclass
class Blackhole:
    """Every byte dropped both ways at once, no FIN, no RST, until removed (half-open);
    proxy: the toxiproxy link's name when there is more than one."""

    name: ClassVar[str] = "blackhole"
    proxy: str | None = None
    _toxics: list = field(default_factory=list, init=False, repr=False)

    async def apply(self, ctx) -> None:
        link = ctx.link(self.proxy, "toxiproxy")
        n = next(_ids)
        self._toxics = list(await asyncio.gather(*(
            link.add_toxic("timeout", stream, {"timeout": 0}, 1.0, f"blackhole_{stream}_{n}")
            for stream in STREAMS)))

    async def remove(self, ctx) -> None:
        names, self._toxics = self._toxics, []
        if names:
            link = ctx.link(self.proxy, "toxiproxy")
            await asyncio.gather(*(link.remove_toxic(name) for name in names))
