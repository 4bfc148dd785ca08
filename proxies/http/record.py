"""Put every HTTP exchange and WebSocket message that crosses the proxy on the timeline.

Kinds: "http" (one per exchange, including the 101 of an upgrade and failed ones),
"ws_message" (one per message, direction and decoded Engine.IO packet), "ws_close".
It runs after the fault addons, so it records what the client and server really got;
what a fault did is in data["fault"] / data["dropped"]. Spliced connections are recorded
by the fast path (proxies/http/_wstap.py) with the same `ws_message_data`.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mitmproxy import http

from harness.timeline import Deferred

from ._eio import describe_frame, describe_polling, eio_of

__all__ = ["Record", "WsMessage", "ws_message_data"]

BODY_EXCERPT = 300


def ws_message_data(from_client: bool, sid: str | None, eio: str | None, content: bytes, is_text: bool) -> dict:
    """A "ws_message" event's data: one shape whether mitmproxy or the fast path saw the message."""
    return {"from": "client" if from_client else "server", "sid": sid,
            "packet": describe_frame(content, is_text, eio_of(eio)), "size": len(content)}


class WsMessage(Deferred):
    """A "ws_message" event's data made when first read: the fast path keeps the message's bytes
    (at most the frame reader's limit) and `make()` gives ws_message_data of them, so a relayed
    message costs no decoding until a symptom or a report reads it. `full`: the message's size
    when `content` is its truncated head."""

    __slots__ = ("from_client", "sid", "eio", "content", "is_text", "full", "size")

    def __init__(self, from_client: bool, sid: str | None, eio: str | None, content: bytes, is_text: bool,
                 full: int | None = None):
        self.from_client, self.sid, self.eio, self.content, self.is_text, self.full = \
            from_client, sid, eio, content, is_text, full
        # what the made dict may hold (tracemalloc, benchmarks/bench_timeline_memory.py): ~2.1 KB for a
        # 1 KB string message, more per JSON value (an int ~40 bytes, a small object ~230)
        self.size = 960 + 2 * len(content) + 40 * content.count(b",") + 200 * content.count(b"{")

    def make(self) -> dict:
        data = ws_message_data(self.from_client, self.sid, self.eio, self.content, self.is_text)
        if self.full is not None:
            data["size"], data["truncated"] = self.full, True
        return data

    def __reduce__(self):
        return WsMessage, (self.from_client, self.sid, self.eio, self.content, self.is_text, self.full)


class Record:
    """`fastpath`: the fast path is enabled and records spliced connections itself."""

    def __init__(self, timeline, source: str, ws_messages: bool = True, fastpath: bool = False):
        self.timeline, self.source, self.ws_messages, self.fastpath = timeline, source, ws_messages, fastpath

    @property
    def needs_ws_messages(self) -> bool:      # False lets upgraded connections take the fast path
        return self.ws_messages and not self.fastpath

    def _exchange(self, flow: http.HTTPFlow) -> dict:
        req = flow.request
        data = {"method": req.method, "url": req.url, "path": req.path.split("?", 1)[0],
                "transport": req.query.get("transport"), "sid": req.query.get("sid"),
                "eio": req.query.get("EIO"), "client": flow.client_conn.peername[1] if flow.client_conn.peername else None,
                "ms": round((time.time() - req.timestamp_start) * 1000, 1)}
        for key in ("upstream", "fault", "dropped", "delayed"):
            if f"sockfault.{key}" in flow.metadata:
                data[key] = flow.metadata[f"sockfault.{key}"]
        if req.method == "POST" and req.raw_content:
            data["sent"] = _body(req.raw_content, req.query.get("EIO"), req.headers.get("content-type", ""))
        return data

    def response(self, flow: http.HTTPFlow) -> None:
        data = self._exchange(flow)
        resp = flow.response
        data["status"] = resp.status_code
        data["content_type"] = resp.headers.get("content-type", "")
        if resp.status_code != 101 and resp.raw_content is not None:
            ctype = resp.headers.get("content-type", "") if resp.status_code == 200 else "application/json"
            data["body"] = _body(resp.content or b"", flow.request.query.get("EIO"), ctype)
            data["json"] = _json(resp.content or b"", data["content_type"])
        self.timeline.add(self.source, "http", data)

    def error(self, flow: http.HTTPFlow) -> None:
        data = self._exchange(flow)
        data["status"] = flow.response.status_code if flow.response else None
        data["error"] = flow.error.msg if flow.error else "error"
        self.timeline.add(self.source, "http", data)

    def websocket_message(self, flow: http.HTTPFlow) -> None:
        if not self.ws_messages:
            return
        msg = flow.websocket.messages[-1]
        data = ws_message_data(msg.from_client, flow.request.query.get("sid"), flow.request.query.get("EIO"),
                               msg.content, msg.is_text)
        if msg.dropped:
            data["dropped"] = True
        if msg.injected:
            data["injected"] = True
        self.timeline.add(self.source, "ws_message", data)

    def websocket_end(self, flow: http.HTTPFlow) -> None:
        if flow.metadata.get("sockfault.fastpath"):
            return      # mitmproxy saw none of its frames; the fast path recorded the close
        ws = flow.websocket
        data = {"sid": flow.request.query.get("sid"), "code": ws.close_code, "reason": ws.close_reason,
                "closed_by": "client" if ws.closed_by_client else ("server" if ws.closed_by_client is False else None)}
        if "sockfault.fault" in flow.metadata:
            data["fault"] = flow.metadata["sockfault.fault"]
        self.timeline.add(self.source, "ws_close", data)


def _json(body: bytes, content_type: str):
    """The parsed body, as the probe records it, so the `http` symptom reads proxy and probe alike."""
    if not body or not (content_type.startswith("application/json") or body[:1] in (b"{", b'"')):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _body(body: bytes, eio: str | None, content_type: str):
    if content_type.startswith("application/json") or not body:
        text = body.decode("utf-8", "replace")
        return text[:BODY_EXCERPT]
    packets = describe_polling(body, eio_of(eio, body))
    if packets is not None:
        return {"packets": packets}
    return {"bytes": len(body)}
