"""One Toxiproxy toxic on each stream of a link, added and removed together: the base of the faults
that act on both directions at once (blackhole, lifetime)."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import ClassVar

__all__ = ["BothStreams"]

_ids = itertools.count(1)
STREAMS = ("upstream", "downstream")


@dataclass
class BothStreams:
    toxic_type: ClassVar[str]
    proxy: str | None = None
    _toxics: list = field(default_factory=list, init=False, repr=False)

    def attributes(self) -> dict:
        raise NotImplementedError

    async def apply(self, ctx) -> None:
        link = ctx.link(self.proxy, "toxiproxy")
        n = next(_ids)
        self._toxics = list(await asyncio.gather(*(
            link.add_toxic(self.toxic_type, stream, self.attributes(), 1.0, f"{self.name}_{stream}_{n}")
            for stream in STREAMS)))

    async def remove(self, ctx) -> None:
        names, self._toxics = self._toxics, []
        if names:
            link = ctx.link(self.proxy, "toxiproxy")
            await asyncio.gather(*(link.remove_toxic(name) for name in names))
