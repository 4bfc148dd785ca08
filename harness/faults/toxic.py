"""Fault: a Toxiproxy toxic on a TCP proxy (latency, bandwidth, a cut, a reset, ...)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import ClassVar, Literal

__all__ = ["ToxicFault"]

_ids = itertools.count(1)


@dataclass
class ToxicFault:
    """type: the toxic; attributes: its Toxiproxy attributes (ms, KB/s, bytes); stream:
    upstream = client to server, downstream = server to client; toxicity: the share of
    connections affected; proxy: the toxiproxy link's name when there is more than one."""

    name: ClassVar[str] = "toxic"
    type: Literal["latency", "bandwidth", "slow_close", "timeout", "reset_peer", "slicer", "limit_data"]
    attributes: dict = field(default_factory=dict)
    stream: Literal["upstream", "downstream"] = "downstream"
    toxicity: float = 1.0
    proxy: str | None = None
    _toxic: str | None = field(default=None, init=False, repr=False)

    async def apply(self, ctx) -> None:
        self._toxic = await ctx.link(self.proxy, "toxiproxy").add_toxic(
            self.type, self.stream, dict(self.attributes), self.toxicity,
            f"{self.type}_{self.stream}_{next(_ids)}")

    async def remove(self, ctx) -> None:
        if self._toxic is not None:
            name, self._toxic = self._toxic, None
            await ctx.link(self.proxy, "toxiproxy").remove_toxic(name)
