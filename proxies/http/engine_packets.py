"""Drop or delay Engine.IO packets by type and direction, in polling bodies and websocket frames.

Examples: drop the server's pings (v4 client: "ping timeout" at pingInterval+pingTimeout);
eat the `3probe` answer (the upgrade never completes). A polling body whose packets are all
dropped becomes a noop (`6`), which both sides accept; a delay holds the whole body. A
delayed websocket message is dropped and re-injected later (later frames may overtake it).
Framing comes from `_eio` (byte-exact re-encoding); the timeline decodes with harness.protocol.
"""

from __future__ import annotations

import asyncio
from typing import Any, Iterable, Literal

from mitmproxy import http

from ._eio import PACKET_TYPES, eio_of, frame_type, join_polling, packet_type, split_polling

__all__ = ["EnginePackets"]

Direction = Literal["from_server", "from_client", "both"]
Transport = Literal["polling", "websocket", "both"]


class EnginePackets:
    proxy: Any = None  # set by ProxyMaster.add_addon; delayed websocket messages need it

    def __init__(self, types: Iterable[str] = ("ping",), action: Literal["drop", "delay"] = "drop",
                 delay_ms: float = 0.0, direction: Direction = "from_server", transport: Transport = "both",
                 data: str | None = None):
        self.types = set(types)
        unknown = self.types - set(PACKET_TYPES.values())
        if unknown:
            raise ValueError(f"unknown Engine.IO packet types {sorted(unknown)} (valid: {', '.join(PACKET_TYPES.values())})")
        if action not in ("drop", "delay"):
            raise ValueError(f"action {action!r} not in drop, delay")
        if direction not in ("from_server", "from_client", "both") or transport not in ("polling", "websocket", "both"):
            raise ValueError(f"bad direction {direction!r} or transport {transport!r}")
        self.action, self.delay = action, delay_ms / 1000.0
        self.direction, self.transport, self.data = direction, transport, data

    @property
    def needs_ws_messages(self) -> bool:
        return self.transport != "polling"

    def _wants(self, from_client: bool, transport: str) -> bool:
        side = "from_client" if from_client else "from_server"
        return self.direction in (side, "both") and self.transport in (transport, "both")

    def _matches(self, kind: str, payload: str | None) -> bool:
        return kind in self.types and (self.data is None or payload == self.data)

    # --- polling ---------------------------------------------------------------------------
    async def request(self, flow: http.HTTPFlow) -> None:
        if flow.request.method == "POST" and flow.response is None and self._wants(True, "polling"):
            body = await self._filter(flow, flow.request.raw_content or b"")
            if body is not None:
                flow.request.content = body

    async def response(self, flow: http.HTTPFlow) -> None:
        resp = flow.response
        if (flow.request.method == "GET" and resp is not None and resp.status_code == 200
                and flow.request.query.get("transport") == "polling" and self._wants(False, "polling")):
            body = await self._filter(flow, resp.content or b"")
            if body is not None:
                resp.content = body

    async def _filter(self, flow: http.HTTPFlow, body: bytes) -> bytes | None:
        eio = eio_of(flow.request.query.get("EIO"), body)
        packets = split_polling(body, eio)
        if not packets:
            return None
        hit = [p for p in packets if self._matches(packet_type(p), p[1:])]
        if not hit:
            return None
        names = [packet_type(p) for p in hit]
        if self.action == "delay":
            flow.metadata["sockfault.delayed"] = names
            await asyncio.sleep(self.delay)
            return None
        flow.metadata["sockfault.dropped"] = names
        keep = [p for p in packets if p not in hit] or ["6"]
        return join_polling(keep, eio)

    # --- websocket -------------------------------------------------------------------------
    def websocket_message(self, flow: http.HTTPFlow) -> None:
        msg = flow.websocket.messages[-1]
        if msg.injected or not self._wants(msg.from_client, "websocket"):
            return
        eio = eio_of(flow.request.query.get("EIO"))
        kind = frame_type(msg.content, msg.is_text, eio)
        payload = msg.content[1:].decode("utf-8", "replace") if msg.is_text else None
        if not self._matches(kind, payload):
            return
        msg.drop()
        if self.action == "delay" and self.proxy is not None:
            content, is_text, to_client = msg.content, msg.is_text, not msg.from_client
            asyncio.get_running_loop().call_later(
                self.delay, self._inject, flow, to_client, content, is_text)

    def _inject(self, flow, to_client: bool, content: bytes, is_text: bool) -> None:
        if flow.live and flow.websocket is not None and flow.websocket.timestamp_end is None:
            self.proxy.proxyserver.inject_websocket(flow, to_client, content, is_text)
