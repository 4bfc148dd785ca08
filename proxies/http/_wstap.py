"""The fast path's recorder: the relayed bytes of each direction, read on the side, become
the same "ws_message" events mitmproxy's hook gives (record.ws_message_data, made when the event
is first read: record.WsMessage), plus the
first close frame for "ws_close".

The relay writes a chunk on first and hands it here after, so recording never delays a
byte. With `record` false only frame headers are parsed (for the close frame).
"""

from __future__ import annotations

import logging

from ._wsframes import BINARY, CLOSE, TEXT, FrameError, FrameReader, Inflater, close_info, deflate_params
from .record import WsMessage

__all__ = ["Tap"]

log = logging.getLogger(__name__)


class Tap:
    def __init__(self, timeline, source: str, flow, record: bool = True):
        self.timeline, self.source, self.record = timeline, source, record
        self.sid, self.eio = flow.request.query.get("sid"), flow.request.query.get("EIO")
        deflate = deflate_params(flow.response.headers.get("Sec-WebSocket-Extensions")) if flow.response else None
        self.readers: dict[str, FrameReader | None] = {side: _reader(record, deflate, side) for side in ("client", "server")}
        self.close: tuple[int | None, str, str] | None = None     # code, reason, closed_by

    def feed(self, side: str, data: bytes) -> None:
        reader = self.readers[side]
        if reader is None:
            return
        try:
            messages = reader.feed(data)
        except FrameError as e:
            log.warning("fast path sid=%s: %s stream is not WebSocket any more (%s); no longer read", self.sid, side, e)
            self.readers[side] = None
            return
        for msg in messages:
            if msg.opcode == TEXT or msg.opcode == BINARY:
                if self.record:       # decoded when first read (record.WsMessage)
                    self.timeline.add(self.source, "ws_message", WsMessage(
                        side == "client", self.sid, self.eio, msg.payload, msg.opcode == TEXT,
                        msg.size if msg.truncated else None))
            elif msg.opcode == CLOSE and self.close is None:
                self.close = (*close_info(msg.payload), side)


def _reader(record: bool, deflate: dict | None, side: str) -> FrameReader:
    if not record:
        return FrameReader(limit=0)
    if deflate is None:
        return FrameReader()
    return FrameReader(inflater=Inflater(f"{side}_no_context_takeover" in deflate))
