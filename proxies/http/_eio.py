"""Just enough Engine.IO framing to split, filter and re-join packets in transit.

The timeline's decoded view comes from harness.protocol when it is importable
(`describe_*`); dropping and delaying need a byte-exact re-encoding, which lives here:
v4 polling joins packets with \\x1e, v3 prefixes each with `<length>:` (length in UTF-16
units, as JavaScript counts), websocket frames carry one packet each.
"""

from __future__ import annotations

import re

__all__ = ["PACKET_TYPES", "split_polling", "join_polling", "frame_type", "packet_type", "eio_of",
           "describe_polling", "describe_frame"]

PACKET_TYPES = {"0": "open", "1": "close", "2": "ping", "3": "pong", "4": "message", "5": "upgrade", "6": "noop"}
TYPE_CODES = {v: k for k, v in PACKET_TYPES.items()}
_V3_HEAD = re.compile(r"(\d{1,15}):")   # a longer length is no v3 frame (and int() of 5,000 digits raises)


def eio_of(query_eio: str | None, body: bytes = b"") -> int:
    """v3 when asked for, or when the body is v3-framed (a 2.x server answers EIO=4 in v3)."""
    if query_eio == "3":
        return 3
    if re.match(rb"\d+:[0-6]", body):
        return 3
    return 4


def _js_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _js_take(s: str, start: int, units: int) -> int:
    """Index after `units` UTF-16 code units of s starting at start."""
    i, n = start, 0
    while n < units and i < len(s):
        n += 2 if ord(s[i]) > 0xFFFF else 1
        i += 1
    return i


def split_polling(body: bytes, eio: int) -> list[str] | None:
    """Packets as strings (`"2"`, `"4hello"`, `"bAAE="`), or None when not text-framed (v3 XHR2 binary)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text:
        return []
    if eio >= 4:
        return text.split("\x1e")
    packets, i = [], 0
    while i < len(text):
        m = _V3_HEAD.match(text, i)
        if not m:
            return None
        start = m.end()
        end = _js_take(text, start, int(m.group(1)))
        packets.append(text[start:end])
        i = end
    return packets


def join_polling(packets: list[str], eio: int) -> bytes:
    if eio >= 4:
        return "\x1e".join(packets).encode("utf-8")
    return "".join(f"{_js_len(p)}:{p}" for p in packets).encode("utf-8")


def frame_type(data: bytes | str, is_text: bool, eio: int) -> str:
    """The Engine.IO type of one websocket frame; v4 binary frames are messages."""
    if not is_text:
        if eio >= 4 or not data:
            return "message"
        first = data[0] if isinstance(data, (bytes, bytearray)) else ord(data[0])
        return PACKET_TYPES.get(str(first), "unknown")
    text = data.decode("utf-8", "replace") if isinstance(data, (bytes, bytearray)) else data
    return PACKET_TYPES.get(text[:1], "message" if text[:1] == "b" else "unknown")


def packet_type(packet: str) -> str:
    if packet[:1] == "b":
        return "message"
    return PACKET_TYPES.get(packet[:1], "unknown")


def _short(packet: str, limit: int = 160) -> dict:
    kind = packet_type(packet)
    data = packet[1:] if kind != "message" or packet[:1] != "b" else packet
    out = {"type": kind}
    if data:
        out["data"] = data if len(data) <= limit else data[:limit] + f"...(+{len(data) - limit})"
    return out


def describe_polling(body: bytes, eio: int) -> list[dict] | None:
    """A JSON-friendly view of a polling body: harness.protocol's when importable."""
    codec = _codec()
    if codec is not None:
        try:
            return [_trim(d) for d in codec.describe_packets(codec.decode_polling_body(body, eio), eio)]
        except Exception:   # ProtocolError, or a codec bug: fall back to the raw split
            pass
    packets = split_polling(body, eio)
    return None if packets is None else [_short(p) for p in packets]


def describe_frame(data: bytes, is_text: bool, eio: int) -> dict:
    codec = _codec()
    if codec is not None:
        try:
            frame = data.decode("utf-8") if is_text else data
            if is_text and frame[:1] == "4":
                return _trim(_describe_message(codec, frame[1:], eio))
            return _trim(codec.describe_packets([codec.decode_ws_frame(frame, eio)], eio)[0])
        except Exception:
            pass
    if not is_text:
        return {"type": frame_type(data, False, eio), "binary": len(data)}
    return _short(data.decode("utf-8", "replace"))


def _describe_message(codec, data: str, eio: int) -> dict:
    """describe_packets([decode_ws_frame("4" + data)])[0], without the Engine.IO packet object and the
    per-call decoder: the same dict (tests/http/test_eio.py compares them) at ~half the cost per message."""
    item = {"type": "message", "binary": False, "data": data or None}
    try:
        sio = codec.describe_sio(data, eio)
        if sio is not None:              # None: a binary packet waits for attachments a lone frame never has
            item["sio"] = sio
    except codec.ProtocolError as exc:
        item["sio_error"] = str(exc)
    return item


_CODEC: object = None


def _codec():
    """harness.protocol, or None while it is absent (the local framing above is used then)."""
    global _CODEC
    if _CODEC is None:
        try:
            import harness.protocol as codec
            _CODEC = codec if hasattr(codec, "describe_sio") else False
        except ImportError:
            _CODEC = False
    return _CODEC or None


def _trim(item: dict, limit: int = 160) -> dict:
    data = item.get("data")
    if isinstance(data, str) and len(data) > limit:
        item["data"] = data[:limit] + f"...(+{len(data) - limit})"
    return item
