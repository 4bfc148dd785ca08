"""Fault: a browser client's timers throttled as in a background tab (deterministic model).

Real intensive throttling needs a hidden page and minutes (wire-facts.md, "Browser timer
throttling"); the browser peer instead carries a timer shim (harness/peers/browser/timers.js)
that aligns timers of nesting level < 5 to a `wake_ms` grid and chained ones (level >= 5) to an
`intensive_ms` grid. Chrome's values are 1000 / 60000 ms; a compressed scenario passes them
scaled explicitly (e.g. 25 / 1500 next to pingInterval 625).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..errors import ScenarioError

__all__ = ["ThrottleTimers"]


@dataclass
class ThrottleTimers:
    """client: index of the browser client whose page is throttled."""

    name: ClassVar[str] = "throttle_timers"
    wake_ms: float = 1000
    intensive_ms: float = 60000
    client: int = 0
    _on: bool = field(default=False, init=False, repr=False)

    def _peer(self, ctx):
        if not 0 <= self.client < len(ctx.clients):
            raise ScenarioError(f"throttle_timers targets client {self.client}; the run has {len(ctx.clients)}")
        peer = ctx.clients[self.client]
        if getattr(peer.spec, "family", "browser") != "browser":
            raise ScenarioError(f"throttle_timers needs a browser client; client {self.client} is {peer.spec.label}")
        return peer

    async def apply(self, ctx) -> None:
        await self._peer(ctx).send({"cmd": "throttle", "wake_ms": self.wake_ms, "intensive_ms": self.intensive_ms})
        self._on = True

    async def remove(self, ctx) -> None:
        if self._on:
            self._on = False
            await self._peer(ctx).send({"cmd": "throttle", "off": True})
