"""Fault: a half-open connection: the TCP proxy silently drops every byte both ways at once.

No FIN and no RST reach either peer while it is on (a peer's own close is held too), so both
TCP connections stay open and each side learns of the loss only from its heartbeat. It is two
Toxiproxy `timeout` toxics with timeout 0 (drop, never close: the one-direction blackhole),
added to both streams together, so it also works against a real Toxiproxy ($TOXIPROXY_URL).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._both_streams import BothStreams

__all__ = ["Blackhole"]


@dataclass
class Blackhole(BothStreams):
    """Every byte dropped both ways at once, no FIN, no RST, until removed (half-open);
    proxy: the toxiproxy link's name when there is more than one."""

    name: ClassVar[str] = "blackhole"
    toxic_type: ClassVar[str] = "timeout"

    def attributes(self) -> dict:
        return {"timeout": 0}
