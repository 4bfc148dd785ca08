"""WebSocket fast path: once an upgrade completed and no addon needs WebSocket messages,
relay the two sockets' bytes directly, so frames bypass mitmproxy's layers and hooks.

mitmproxy costs ~0.3 ms of CPU per message (layer stack, wsproto, hooks); a raw relay a
few microseconds. At `websocket_start` (the 101 is already in the client's send buffer)
both transports get a relay protocol, so mitmproxy's readers see no more data; bytes
mitmproxy read but had not relayed yet (queued while the hook runs, e.g. a
websocket-only server's open packet) are taken from the paused WebSocket layer and sent
first. Each direction's bytes are relayed, then read by a Tap (proxies/http/_wstap.py): with
`record` every message goes on the timeline as "ws_message", and the first close frame
gives "ws_close" its code. When both sides are gone, mitmproxy's readers get EOF so its
handlers finish as usual.

A connection is spliced for its life: an addon that needs messages (`needs_ws_messages`,
by default "has a websocket_message hook") added later applies to new connections only.
Timeline: "ws_fastpath" at the splice, "ws_message" per message (with `record`),
"ws_close" (fastpath: true) at the end.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from mitmproxy import http
from mitmproxy.proxy import events
from mitmproxy.proxy.layers.websocket import WebsocketLayer

from ._wstap import Tap

__all__ = ["FastPath", "needs_ws_messages"]

log = logging.getLogger(__name__)


def needs_ws_messages(addon: Any) -> bool:
    flag = getattr(addon, "needs_ws_messages", None)
    return bool(flag) if flag is not None else hasattr(addon, "websocket_message")


class FastPath:
    """Tail addon (after the recorder): splice eligible WebSockets."""

    proxy: Any = None              # set by ProxyMaster
    needs_ws_messages = False

    def __init__(self, timeline, source: str, enabled: bool = True, record: bool = True):
        self.timeline, self.source, self.enabled, self.record = timeline, source, enabled, record
        self.relays: set[_Relay] = set()

    def _blocked(self) -> bool:
        chain = self.proxy.master.addons.chain if self.proxy and self.proxy.master else []
        return any(needs_ws_messages(a) for a in chain if a is not self)

    async def websocket_start(self, flow: http.HTTPFlow) -> None:
        if not self.enabled or self.proxy is None or self._blocked():
            return
        handler = self.proxy.connection_of(flow)
        if handler is None:
            return
        cio, sio = handler.transports.get(flow.client_conn), handler.transports.get(flow.server_conn)
        if not (cio and sio and cio.writer and sio.writer) or cio.writer.is_closing() or sio.writer.is_closing():
            return                                   # cut by a fault (close-after-101) or gone
        layer = _ws_layer(handler.layer, flow)
        if layer is None:
            return
        relay = _Relay(self, flow, handler, cio, sio)
        relay.attach()
        # let mitmproxy's readers hand over what they already read (it is queued in the
        # paused WebSocket layer); then nothing more reaches them
        for _ in range(50):
            if not cio.reader._buffer and not sio.reader._buffer:
                break
            await asyncio.sleep(0)
        async with handler._server_event_lock:
            pass
        if not relay.adopt(layer._paused_event_queue):
            relay.detach()                           # a close is already queued: mitmproxy finishes it
            return
        flow.metadata["sockfault.fastpath"] = True
        handler.timeout_watchdog.timeout = 10 ** 9   # mitmproxy sees no activity any more
        self.timeline.add(self.source, "ws_fastpath", {
            "sid": flow.request.query.get("sid"), "eio": flow.request.query.get("EIO"),
            "client": flow.client_conn.peername[1] if flow.client_conn.peername else None})
        self.relays.add(relay)
        relay.go()

    def closed(self, relay: "_Relay") -> None:
        self.relays.discard(relay)
        flow = relay.flow
        # no close frame: 1006 and the side that went first, as mitmproxy (wsproto) records it
        code, reason, by = relay.tap.close or (1006, "", relay.gone)
        data = {"sid": flow.request.query.get("sid"), "code": code, "reason": reason, "closed_by": by,
                "fastpath": True, "bytes_from_client": relay.halves[0].count,
                "bytes_from_server": relay.halves[1].count}
        if "sockfault.fault" in flow.metadata:
            data["fault"] = flow.metadata["sockfault.fault"]
        self.timeline.add(self.source, "ws_close", data)


class _Half(asyncio.Protocol):
    """Reads one side's transport, writes to the other's."""

    def __init__(self, relay: "_Relay", side: str, transport, original):
        self.relay, self.side, self.transport, self.original = relay, side, transport, original
        self.peer: _Half | None = None
        self.pending: list[bytes] | None = []         # until go()
        self.tap = relay.tap
        self.count = 0
        self.eof = self.lost = False

    def data_received(self, data: bytes) -> None:
        if self.pending is not None:
            self.pending.append(data)
            return
        self.peer.transport.write(data)
        self.count += len(data)
        self.tap.feed(self.side, data)

    def eof_received(self) -> bool:
        self.eof = True
        if self.pending is None:
            self.relay.on_eof(self)
        return True

    def connection_lost(self, exc) -> None:
        self.lost = True
        if self.pending is None:
            self.relay.on_lost(self)

    def pause_writing(self) -> None:        # our send buffer is full: stop reading the peer
        self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        self.peer.transport.resume_reading()


class _Relay:
    def __init__(self, owner: FastPath, flow, handler, cio, sio):
        self.owner, self.flow, self.handler, self.ios = owner, flow, handler, (cio, sio)
        self.tap = Tap(owner.timeline, owner.source, flow, record=owner.record)
        ct, st = cio.writer.transport, sio.writer.transport
        client = _Half(self, "client", ct, ct.get_protocol())
        server = _Half(self, "server", st, st.get_protocol())
        client.peer, server.peer = server, client
        self.halves = (client, server)
        self.done = False
        self.gone: str | None = None      # the side whose connection ended first

    def attach(self) -> None:
        for h in self.halves:
            h.transport.set_protocol(h)

    def detach(self) -> None:
        """Give the transports back to mitmproxy, replaying what arrived meanwhile."""
        for h in self.halves:
            h.transport.set_protocol(h.original)
            for chunk in h.pending or ():
                h.original.data_received(chunk)
            if h.lost:
                h.original.connection_lost(None)
            elif h.eof and not h.original.eof_received():
                h.transport.close()

    def adopt(self, queue) -> bool:
        """Take the not yet relayed data out of the paused WebSocket layer (in order)."""
        client = self.flow.client_conn
        if any(not isinstance(ev, events.DataReceived) for ev in queue):
            return False
        stolen = {"client": [], "server": []}
        for ev in queue:
            stolen["client" if ev.connection is client else "server"].append(ev.data)
        queue.clear()
        for h in self.halves:
            h.pending[:0] = stolen[h.side]
        return True

    def go(self) -> None:
        for h in self.halves:
            pending, h.pending = h.pending, None
            for chunk in pending:
                h.data_received(chunk)
        for h in self.halves:
            if h.lost:
                self.on_lost(h)
            elif h.eof:
                self.on_eof(h)

    def on_eof(self, half: _Half) -> None:
        """A WebSocket has no half-close: one side gone ends both, as mitmproxy's own layer does (a
        half-close waited forever on a server behind a silent TCP toxic, and no ws_close came)."""
        self.gone = self.gone or half.side
        self.finish()

    def on_lost(self, half: _Half) -> None:
        self.gone = self.gone or half.side
        self.finish()                     # close() flushes what is buffered first

    def finish(self) -> None:
        if self.done:
            return
        self.done = True
        for h in self.halves:
            h.transport.close()
        # mitmproxy's readers wait for data that will never come to them: end them
        for io in self.ios:
            if io.reader is not None and not io.reader.at_eof():
                io.reader.feed_eof()
        self.owner.closed(self)


def _ws_layer(root, flow) -> WebsocketLayer | None:
    stack, seen = [root], set()
    while stack:
        layer = stack.pop()
        if layer is None or id(layer) in seen:
            continue
        seen.add(id(layer))
        if isinstance(layer, WebsocketLayer) and layer.flow is flow:
            return layer
        stack.extend(getattr(layer, name, None) for name in ("layer", "child_layer"))
        streams = getattr(layer, "streams", None)
        if isinstance(streams, dict):
            stack.extend(streams.values())
    return None
