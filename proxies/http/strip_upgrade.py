"""Refuse WebSocket upgrades the ways real proxies do; Socket.IO then stays on polling."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from mitmproxy import http

__all__ = ["StripUpgrade", "is_upgrade"]

Mode = Literal["strip-headers", "reject", "close-after-101", "hang"]
MODES = ("strip-headers", "reject", "close-after-101", "hang")


def is_upgrade(flow: http.HTTPFlow) -> bool:
    return "websocket" in flow.request.headers.get("upgrade", "").lower()


class StripUpgrade:
    """strip-headers: forward without Upgrade/Connection (the server answers 400);
    reject: answer `status` (403) here; close-after-101: let the 101 through, then close;
    hang: never answer (released, closed, when the addon is removed).
    The same four modes apply in the relay engine (relay_* hooks, proxies/http/relay.py)."""

    proxy: Any = None  # set by ProxyMaster.add_addon; close-after-101 needs it
    relay = True

    def __init__(self, mode: Mode = "reject", status: int = 403):
        if mode not in MODES:
            raise ValueError(f"strip_upgrade mode {mode!r} not in {MODES}")
        self.mode, self.status = mode, status
        self._held: list = []           # mitmproxy flows, or the relay's futures

    def request(self, flow: http.HTTPFlow) -> None:
        if not is_upgrade(flow):
            return
        flow.metadata["sockfault.fault"] = f"strip_upgrade:{self.mode}"
        if self.mode == "strip-headers":
            flow.request.headers.pop("upgrade", None)
            flow.request.headers.pop("connection", None)
        elif self.mode == "reject":
            from mitmproxy import http
            flow.response = http.Response.make(self.status, b"upgrade refused by proxy\n",
                                               {"content-type": "text/plain", "connection": "close"})
        elif self.mode == "hang":
            self._held.append(flow)
            flow.intercept()

    def websocket_start(self, flow: http.HTTPFlow) -> None:
        if self.mode == "close-after-101" and self.proxy is not None:
            flow.metadata["sockfault.fault"] = "strip_upgrade:close-after-101"
            self.proxy.cut(flow)

    # -- the relay engine's hooks (an Exchange, not a flow) --
    def relay_request(self, ex) -> None:
        if "websocket" not in ex.header("upgrade").lower():
            return
        ex.metadata["sockfault.fault"] = f"strip_upgrade:{self.mode}"
        if self.mode == "strip-headers":
            ex.drop_header("upgrade")
            ex.drop_header("connection")
        elif self.mode == "reject":
            ex.respond(self.status, b"upgrade refused by proxy\n", [("content-type", "text/plain"), ("connection", "close")])
        elif self.mode == "hang":
            ex.hold = asyncio.get_running_loop().create_future()
            self._held.append(ex.hold)

    def relay_websocket_start(self, ex) -> bool:
        if self.mode == "close-after-101":
            ex.metadata["sockfault.fault"] = "strip_upgrade:close-after-101"
            return True
        return False

    def done(self) -> None:
        """Removed: the held upgrades are closed, not forwarded late."""
        held, self._held = self._held, []
        for flow in held:
            if isinstance(flow, asyncio.Future):
                if not flow.done():
                    flow.set_result(None)
            elif flow.intercepted:
                flow.resume()
                if flow.killable:
                    flow.kill()
