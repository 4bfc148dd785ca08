"""Fault: the HTTP proxy drops or delays Engine.IO packets by type and direction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

__all__ = ["EnginePackets"]


@dataclass
class EnginePackets:
    """types: Engine.IO packet types (open close ping pong message upgrade noop);
    action: drop | delay (by delay_ms); direction: from_server | from_client | both;
    transport: polling | websocket | both; data: only packets whose payload equals it
    (e.g. types [pong] + data "probe" eats the upgrade probe answer)."""

    name: ClassVar[str] = "engine_packets"
    types: list[str] = field(default_factory=lambda: ["ping"])
    action: Literal["drop", "delay"] = "drop"
    delay_ms: float = 0.0
    direction: Literal["from_server", "from_client", "both"] = "from_server"
    transport: Literal["polling", "websocket", "both"] = "both"
    data: str | None = None
    proxy: str | None = None
    _addon: Any = field(default=None, init=False, repr=False)

    async def apply(self, ctx) -> None:
        from proxies.http.engine_packets import EnginePackets as Addon
        self._addon = Addon(types=self.types, action=self.action, delay_ms=self.delay_ms,
                            direction=self.direction, transport=self.transport, data=self.data)
        ctx.link(self.proxy, "http").add_addon(self._addon)

    async def remove(self, ctx) -> None:
        if self._addon is not None:
            ctx.link(self.proxy, "http").remove_addon(self._addon)
            self._addon = None
