"""Fault: the HTTP proxy drops or delays Engine.IO packets by type and direction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from ._http_addon import HttpAddonFault

__all__ = ["EnginePackets"]


@dataclass
class EnginePackets(HttpAddonFault):
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

    def make_addon(self):
        from proxies.http.engine_packets import EnginePackets as Addon
        return Addon(types=self.types, action=self.action, delay_ms=self.delay_ms,
                     direction=self.direction, transport=self.transport, data=self.data)
