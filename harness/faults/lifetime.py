"""Fault: the TCP proxy closes every connection `seconds` after it opened, whatever the traffic.

A lifetime cap (some load balancers, corporate proxies and NAT gateways end long-lived
connections at a fixed age): heartbeats cannot keep such a connection alive. It is the
`lifetime` toxic (sockfault's own; a real Toxiproxy has none) on both streams, so each peer
gets a FIN at the same moment. The age counts from the connection's dial; a connection that
was already open when the fault came is closed `seconds` after the fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._both_streams import BothStreams

__all__ = ["Lifetime"]


@dataclass
class Lifetime(BothStreams):
    """seconds: the age at which every connection is closed (a FIN to both peers), not scaled;
    proxy: the toxiproxy link's name when there is more than one."""

    name: ClassVar[str] = "lifetime"
    toxic_type: ClassVar[str] = "lifetime"
    seconds: float = 60.0

    def attributes(self) -> dict:
        return {"lifetime": max(1, round(self.seconds * 1000))}
