"""Fault: the TCP proxy goes down (stops listening, drops every connection), then back up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

__all__ = ["DownFault"]


@dataclass
class DownFault:
    """proxy: the toxiproxy link's name when there is more than one."""

    name: ClassVar[str] = "down"
    proxy: str | None = None
    _down: bool = field(default=False, init=False, repr=False)

    async def apply(self, ctx) -> None:
        await ctx.link(self.proxy, "toxiproxy").disable()
        self._down = True

    async def remove(self, ctx) -> None:
        if self._down:
            self._down = False
            await ctx.link(self.proxy, "toxiproxy").enable()
