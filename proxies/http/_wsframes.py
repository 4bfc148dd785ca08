"""A sans-IO WebSocket frame reader: bytes of one direction in, complete messages out.

The fast path relays raw bytes and records what crossed with this reader on the side, so
a message costs a header parse, one XOR over its payload and (when permessage-deflate was
negotiated) an inflate, not mitmproxy's layer stack. It accepts any chunking, fragmented
messages with control frames between their fragments, and bounds its memory: a message
larger than `limit` is counted to its end but only its first `limit` bytes are kept
(`truncated`). Protocol violations raise FrameError; the caller stops reading that stream.
"""

from __future__ import annotations

import zlib
from typing import NamedTuple

__all__ = ["FrameError", "FrameReader", "Inflater", "Message", "close_info", "deflate_params",
           "TEXT", "BINARY", "CLOSE", "PING", "PONG"]

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0, 1, 2, 8, 9, 10
LIMIT = 1 << 20            # engine.io's default maxPayload is 1e6 bytes
_TAIL = b"\x00\x00\xff\xff"  # stripped from every compressed message by the sender (RFC 7692 7.2.1)


class FrameError(ValueError):
    """The bytes are not a valid WebSocket stream."""


class Message(NamedTuple):
    opcode: int
    payload: bytes          # the whole message, or its first `limit` bytes when truncated
    size: int               # the message's full size (inflated, when it was compressed)
    truncated: bool = False


def _xor(data: bytes, mask: bytes) -> bytes:
    """XOR with the 4-byte mask as one big integer (a per-byte loop is ~100x slower)."""
    n = len(data)
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(key, "little")).to_bytes(n, "little")


try:        # websockets (a dependency) ships it in C: 1 KB in ~1/15 of _xor's time
    from websockets.speedups import apply_mask as _apply_mask
except ImportError:             # its pure-Python build
    _apply_mask = _xor


def unmask(data: bytes, mask: bytes, offset: int = 0) -> bytes:
    """`data` XOR the 4-byte mask, which starts at byte `offset` of the frame's payload."""
    if not data:
        return data
    if offset % 4:
        mask = mask[offset % 4:] + mask[:offset % 4]
    return _apply_mask(data, mask)


def close_info(payload: bytes) -> tuple[int | None, str]:
    """(code, reason) of a close frame; 1005 "no status" when it carries none."""
    if not payload:
        return 1005, ""
    if len(payload) < 2:
        return None, ""
    return int.from_bytes(payload[:2], "big"), payload[2:].decode("utf-8", "replace")


def deflate_params(header: str | None) -> dict[str, str] | None:
    """The parameters of a negotiated permessage-deflate (from the 101's Sec-WebSocket-Extensions)."""
    for ext in (header or "").split(","):
        name, *params = (p.strip() for p in ext.split(";"))
        if name.lower() == "permessage-deflate":
            return {k.strip().lower(): v.strip().strip('"') for k, _, v in (p.partition("=") for p in params if p)}
    return None


class Inflater:
    """Inflates one direction's compressed messages, keeping or resetting the LZ77 window."""

    def __init__(self, no_context_takeover: bool = False):
        self.reset_each = no_context_takeover
        self._z = zlib.decompressobj(-zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> tuple[bytes, int]:
        """(the first `room` bytes of the output, the output's full length)."""
        kept, size = [], 0
        while data:
            out = self._z.decompress(data, 65536)
            data = self._z.unconsumed_tail
            if room > size:
                kept.append(out[:room - size])
            size += len(out)
            if self._z.eof:        # a final block: the sender started a new stream
                data = self._z.unused_data + data
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        return b"".join(kept), size

    def end_message(self, room: int) -> tuple[bytes, int]:
        tail = self.feed(_TAIL, room)
        if self.reset_each:
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        return tail


class FrameReader:
    """Feed it one direction's bytes in any chunks; get back the messages they complete."""

    def __init__(self, limit: int = LIMIT, inflater: Inflater | None = None):
        self.limit, self.inflater = limit, inflater
        self._head = b""          # an incomplete frame header
        self._left = -1           # payload bytes still due in the current frame; -1: a header is due
        self._opcode = self._offset = 0
        self._fin = True
        self._mask: bytes | None = None
        self._frame: list[bytes] = []     # kept payload of the current frame (control frames, uncompressed data)
        self._msg_op = None               # opcode of the data message under way
        self._msg: list[bytes] = []
        self._kept = self._size = 0
        self._deflated = False

    def feed(self, data: bytes) -> list[Message]:
        out: list[Message] = []
        if self._head:
            data, self._head = self._head + data, b""
        pos, end = 0, len(data)
        while pos < end or self._left == 0:
            if self._left < 0:
                if self._msg_op is None:
                    whole = self._whole_frame(data, pos, end, out)
                    if whole:
                        pos = whole
                        continue
                need = self._header(data, pos, end)
                if need < 0:
                    self._head = data[pos:]
                    break
                pos = need
            take = min(self._left, end - pos)
            if take:
                self._payload(data if pos == 0 and take == end else data[pos:pos + take])
                pos += take
                self._left -= take
            if self._left == 0:
                msg = self._end_frame()
                if msg is not None:
                    out.append(msg)
        return out

    def _whole_frame(self, data: bytes, pos: int, end: int, out: list) -> int:
        """The common case in one step: a final uncompressed text/binary frame, whole in `data` and
        within `limit`, between messages. Appends its Message; 0 when the general path must read it."""
        if end - pos < 2 or data[pos] not in (0x81, 0x82):      # FIN, no RSV bit, TEXT or BINARY
            return 0
        b1 = data[pos + 1]
        n, at = b1 & 0x7F, pos + 2
        if n == 126:
            if end - at < 2:
                return 0
            n, at = int.from_bytes(data[at:at + 2], "big"), at + 2
        elif n == 127:
            return 0
        stop = at + (4 if b1 & 0x80 else 0) + n
        if stop > end or n > self.limit:
            return 0
        if b1 & 0x80:
            payload = unmask(data[at + 4:stop], data[at:at + 4])
        else:
            payload = data[at:stop]
        out.append(Message(data[pos] & 0x0F, payload, n))
        return stop

    def _header(self, data: bytes, pos: int, end: int) -> int:
        """Parse the frame header at pos: the payload's start, or -1 when it is incomplete."""
        if end - pos < 2:
            return -1
        b0, b1 = data[pos], data[pos + 1]
        n, at = b1 & 0x7F, pos + 2
        if n == 126:
            at += 2
        elif n == 127:
            at += 8
        masked = b1 & 0x80
        if end < at + (4 if masked else 0):
            return -1
        if n >= 126:
            n = int.from_bytes(data[pos + 2:at], "big")
        self._mask = data[at:at + 4] if masked else None
        at += 4 if masked else 0
        op, fin, rsv1 = b0 & 0x0F, bool(b0 & 0x80), bool(b0 & 0x40)
        if op >= 8:
            if not fin or n > 125:
                raise FrameError(f"control frame {op}: fragmented or longer than 125 bytes")
        elif op == CONT:
            if self._msg_op is None:
                raise FrameError("continuation frame without a message under way")
        elif op in (TEXT, BINARY):
            if self._msg_op is not None:
                raise FrameError("new data frame inside a fragmented message")
            self._msg_op, self._msg, self._kept, self._size = op, [], 0, 0
            self._deflated = rsv1 and self.inflater is not None
        else:
            raise FrameError(f"reserved opcode {op}")
        self._opcode, self._fin, self._left, self._offset, self._frame = op, fin, n, 0, []
        return at

    def _payload(self, part: bytes) -> None:
        offset, self._offset = self._offset, self._offset + len(part)
        if self._opcode < 8 and not self._deflated:
            self._size += len(part)
            room = self.limit - self._kept
            if room <= 0:
                return                  # counted, not kept (nor unmasked): limit=0 only counts
            part = part[:room]
            self._kept += len(part)
            self._msg.append(unmask(part, self._mask, offset) if self._mask else part)
            return
        if self._mask is not None:
            part = unmask(part, self._mask, offset)
        if self._opcode >= 8:
            self._frame.append(part)
        else:
            self._keep(*self.inflater.feed(part, self.limit - self._kept))

    def _keep(self, kept: bytes, size: int) -> None:
        if kept:
            self._msg.append(kept)
            self._kept += len(kept)
        self._size += size

    def _end_frame(self) -> Message | None:
        self._left = -1
        if self._opcode >= 8:
            payload = b"".join(self._frame)
            return Message(self._opcode, payload, len(payload))
        if not self._fin:
            return None
        if self._deflated:
            self._keep(*self.inflater.end_message(self.limit - self._kept))
        payload = self._msg[0] if len(self._msg) == 1 else b"".join(self._msg)
        msg = Message(self._msg_op, payload, self._size, self._size > self._kept)
        self._msg_op, self._msg = None, []
        return msg
