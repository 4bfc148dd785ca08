"""Base of the faults that are one mitmproxy addon on an http link."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["HttpAddonFault"]


@dataclass(kw_only=True)
class HttpAddonFault:
    """apply() puts make_addon() on the http link (`proxy`: its name, default the only
    one); remove() takes it off again."""

    proxy: str | None = None
    _addon: Any = field(default=None, init=False, repr=False)

    def make_addon(self) -> Any:
        raise NotImplementedError

    async def apply(self, ctx) -> None:
        self._addon = self.make_addon()
        await ctx.link(self.proxy, "http").add_addon(self._addon)

    async def remove(self, ctx) -> None:
        if self._addon is not None:
            ctx.link(self.proxy, "http").remove_addon(self._addon)
            self._addon = None
