"""Fault: the HTTP proxy removes CORS headers and/or answers preflights itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ._http_addon import HttpAddonFault

__all__ = ["StripCors"]


@dataclass
class StripCors(HttpAddonFault):
    """headers: Access-Control-* names to remove (empty: all); preflight_status: answer
    OPTIONS with it instead of forwarding (None: forward). Only browsers notice CORS."""

    name: ClassVar[str] = "strip_cors"
    headers: list[str] = field(default_factory=list)
    preflight_status: int | None = None

    def make_addon(self):
        from proxies.http.strip_cors import StripCors as Addon
        return Addon(self.headers, self.preflight_status)
