"""Fault: a browser client's timers throttled as in a background tab, modelled or real.

`mode: model` (the default) is deterministic: the browser peer's timer shim
(harness/peers/browser/timers.js) aligns timers of nesting level < 5 to a `wake_ms` grid and
chained ones (level >= 5) to an `intensive_ms` grid. Chrome's values are 1000 / 60000 ms; a
compressed scenario passes them scaled explicitly (e.g. 25 / 1500 next to pingInterval 625).

`mode: real` is Chromium's own throttling: the peer moves its page to a Chromium launched
without the anti-throttling flags (harness/peers/browser/_real_throttle.py) and really hides it
(`hide: new-tab`, a foreground tab over it, or `minimize`); intensive throttling starts after
`grace_s` of hiding (plus up to a minute: its wake-ups are minute-aligned). The page is moved,
not throttled in place, so a real fault must be in place before `connect` (no `at`). It takes
minutes in real time: the scenarios that use it are `timing: faithful` and tagged `slow`.
The page's wake-ups (a 1 s setInterval) land on the timeline as `wakeup` events with `gap_ms`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from ..errors import ScenarioError

__all__ = ["ThrottleTimers"]


@dataclass
class ThrottleTimers:
    """client: index of the browser client whose page is throttled; mode: model | real."""

    name: ClassVar[str] = "throttle_timers"
    wake_ms: float = 1000
    intensive_ms: float = 60000
    client: int = 0
    mode: Literal["model", "real"] = "model"
    hide: Literal["new-tab", "minimize"] = "new-tab"   # mode real: how the page is hidden
    grace_s: float = 10                                 # mode real: IntensiveWakeUpThrottling grace period
    _on: bool = field(default=False, init=False, repr=False)

    def _peer(self, ctx):
        if not 0 <= self.client < len(ctx.clients):
            raise ScenarioError(f"throttle_timers targets client {self.client}; the run has {len(ctx.clients)}")
        peer = ctx.clients[self.client]
        if getattr(peer.spec, "family", "browser") != "browser":
            raise ScenarioError(f"throttle_timers needs a browser client; client {self.client} is {peer.spec.label}")
        return peer

    def command(self) -> dict:
        """What the browser peer is sent (docs/browser-peer.md)."""
        if self.mode == "real":
            return {"cmd": "throttle", "mode": "real", "hide": self.hide, "grace_s": self.grace_s}
        return {"cmd": "throttle", "wake_ms": self.wake_ms, "intensive_ms": self.intensive_ms}

    async def apply(self, ctx) -> None:
        await self._peer(ctx).send(self.command())
        self._on = True

    async def remove(self, ctx) -> None:
        if self._on:
            self._on = False
            await self._peer(ctx).send({"cmd": "throttle", "off": True, **({"mode": "real"} if self.mode == "real" else {})})
