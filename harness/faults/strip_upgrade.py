"""Fault: the HTTP proxy refuses WebSocket upgrades (the client stays on polling)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from ._http_addon import HttpAddonFault

__all__ = ["StripUpgrade"]


@dataclass
class StripUpgrade(HttpAddonFault):
    """mode: strip-headers (server answers 400) | reject (`status`, default 403) |
    close-after-101 | hang. proxy: the http link's name (default: the only one)."""

    name: ClassVar[str] = "strip_upgrade"
    mode: Literal["strip-headers", "reject", "close-after-101", "hang"] = "reject"
    status: int = 403

    def make_addon(self):
        from proxies.http.strip_upgrade import StripUpgrade as Addon
        return Addon(self.mode, self.status)
