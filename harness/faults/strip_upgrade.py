"""Fault: the HTTP proxy refuses WebSocket upgrades (the client stays on polling)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

__all__ = ["StripUpgrade"]


@dataclass
class StripUpgrade:
    """mode: strip-headers (server answers 400) | reject (`status`, default 403) |
    close-after-101 | hang. proxy: the http link's name (default: the only one)."""

    name: ClassVar[str] = "strip_upgrade"
    mode: Literal["strip-headers", "reject", "close-after-101", "hang"] = "reject"
    status: int = 403
    proxy: str | None = None
    _addon: Any = field(default=None, init=False, repr=False)

    async def apply(self, ctx) -> None:
        from proxies.http.strip_upgrade import StripUpgrade as Addon
        self._addon = Addon(self.mode, self.status)
        ctx.link(self.proxy, "http").add_addon(self._addon)

    async def remove(self, ctx) -> None:
        if self._addon is not None:
            ctx.link(self.proxy, "http").remove_addon(self._addon)
            self._addon = None
