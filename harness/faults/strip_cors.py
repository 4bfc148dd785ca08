"""Fault: the HTTP proxy removes CORS headers and/or answers preflights itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = ["StripCors"]


@dataclass
class StripCors:
    """headers: Access-Control-* names to remove (empty: all); preflight_status: answer
    OPTIONS with it instead of forwarding (None: forward). Only browsers notice CORS."""

    name: ClassVar[str] = "strip_cors"
    headers: list[str] = field(default_factory=list)
    preflight_status: int | None = None
    proxy: str | None = None
    _addon: Any = field(default=None, init=False, repr=False)

    async def apply(self, ctx) -> None:
        from proxies.http.strip_cors import StripCors as Addon
        self._addon = Addon(self.headers, self.preflight_status)
        ctx.link(self.proxy, "http").add_addon(self._addon)

    async def remove(self, ctx) -> None:
        if self._addon is not None:
            ctx.link(self.proxy, "http").remove_addon(self._addon)
            self._addon = None
