"""Polling payloads: several packets in one HTTP body.

v4: text packets joined by \\x1e (binary as "b<base64>").
v3 text: "<n>:<packet>" repeated; n counts UTF-16 code units (JavaScript's string length), so
an emoji counts 2. v3 XHR2 binary (a body that starts with byte 0 or 1), per packet:
<0 string | 1 binary> <length as one byte per decimal digit> 0xFF <data>; a string's length
counts its UTF-8 bytes; a binary packet's data is <type byte><bytes>.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from ._engineio import Packet, PacketType, decode_packet, encode_packet
from ._errors import ProtocolError
from ._revision import Revision, revision

__all__ = ["decode_polling_body", "encode_polling_body", "utf16_len", "sniff_eio"]

SEPARATOR = "\x1e"
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_LENGTH = re.compile(r"[0-9]{1,20}:")


def utf16_len(text: str) -> int:
    """JavaScript's String.length: code units, astral characters count 2."""
    if text.isascii():
        return len(text)
    return len(text) + len(_ASTRAL.findall(text))


def _take_units(text: str, start: int, units: int) -> int:
    """Index after `units` UTF-16 code units from start (slow path, astral text only)."""
    i, end = start, len(text)
    while units > 0:
        if i >= end:
            raise ProtocolError("v3 payload: length runs past the end of the body")
        units -= 2 if text[i] > "\uffff" else 1
        i += 1
    if units < 0:
        raise ProtocolError("v3 payload: length splits a surrogate pair")
    return i


def _decode_length_text(text: str, rev: Revision) -> list[Packet]:
    packets: list[Packet] = []
    fast = text.isascii() or _ASTRAL.search(text) is None
    i, end = 0, len(text)
    while i < end:
        m = _LENGTH.match(text, i)
        if m is None:
            raise ProtocolError(f"v3 payload: expected '<length>:' at offset {i}")
        n = int(m.group()[:-1])
        start = m.end()
        if fast:
            stop = start + n
            if stop > end:
                raise ProtocolError("v3 payload: length runs past the end of the body")
        else:
            stop = _take_units(text, start, n)
        if n:
            packets.append(decode_packet(text[start:stop], rev))
        i = stop
    return packets


def _decode_xhr2(body: bytes, rev: Revision) -> list[Packet]:
    packets: list[Packet] = []
    i, end = 0, len(body)
    while i < end:
        kind = body[i]
        if kind > 1:
            raise ProtocolError(f"XHR2 payload: marker byte {kind} at offset {i} is neither 0 nor 1")
        stop = body.find(b"\xff", i + 1, i + 1 + 311)
        digits = body[i + 1:stop]
        if stop < 0 or not digits or max(digits) > 9:
            raise ProtocolError(f"XHR2 payload: bad length at offset {i}")
        n = int(bytes(d + 48 for d in digits))
        start, i = stop + 1, stop + 1 + n
        if i > end:
            raise ProtocolError("XHR2 payload: length runs past the end of the body")
        chunk = body[start:i]
        if kind == 0:
            try:
                packets.append(decode_packet(chunk.decode("utf-8"), rev))
            except UnicodeDecodeError as exc:
                raise ProtocolError(f"XHR2 payload: string packet is not UTF-8: {exc}") from None
        elif not chunk or chunk[0] > 6:
            raise ProtocolError("XHR2 payload: binary packet without a valid type byte")
        else:
            packets.append(Packet(PacketType(chunk[0]), chunk[1:]))
    return packets


def _decode_length(body: bytes, rev: Revision) -> list[Packet]:
    if body[:1] in (b"\x00", b"\x01"):
        return _decode_xhr2(body, rev)
    return _decode_length_text(_utf8(body), rev)


def _decode_separator(body: bytes, rev: Revision) -> list[Packet]:
    return [decode_packet(part, rev) for part in _utf8(body).split(SEPARATOR)]


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"polling payload is not UTF-8: {exc}") from None


def _encode_length(packets: list[Packet], rev: Revision, binary: bool | str) -> bytes:
    if binary == "always" or binary and any(p.binary for p in packets):
        out = bytearray()
        for p in packets:
            if p.binary:
                data, marker = bytes([int(p.type)]) + p.data, 1
            else:
                data, marker = encode_packet(p, rev).encode("utf-8"), 0
            out.append(marker)
            out += bytes(int(d) for d in str(len(data)))
            out.append(0xFF)
            out += data
        return bytes(out)
    if not packets:
        return b"0:"
    texts = [encode_packet(p, rev) for p in packets]
    return "".join(f"{utf16_len(t)}:{t}" for t in texts).encode("utf-8")


def _encode_separator(packets: list[Packet], rev: Revision, binary: bool | str) -> bytes:
    if not packets:
        raise ProtocolError("an EIO=4 payload holds at least one packet")
    return SEPARATOR.join(encode_packet(p, rev) for p in packets).encode("utf-8")


_DECODERS: dict[str, Callable[[bytes, Revision], list[Packet]]] = {
    "length": _decode_length, "separator": _decode_separator}
_ENCODERS: dict[str, Callable[[list[Packet], Revision, bool | str], bytes]] = {
    "length": _encode_length, "separator": _encode_separator}


def decode_polling_body(body: bytes | bytearray | memoryview | str, eio: int | Revision = 4) -> list[Packet]:
    """Every packet in a polling request or response body (the HTTP body, undecoded)."""
    rev = revision(eio)
    if isinstance(body, str):
        body = body.encode("utf-8")
    body = bytes(body)
    if not body:
        raise ProtocolError("empty polling payload")
    return _DECODERS[rev.framing](body, rev)


def encode_polling_body(packets: Iterable[Packet], eio: int | Revision = 4, *,
                        binary: bool | str = True) -> bytes:
    """The HTTP body for packets. v3: XHR2 framing when binary=True and a packet is binary
    (engine.io 2.x/3.x), always when binary="always" (engine.io 1.x), else text framing with
    base64 (binary=False: "b64=1" clients). v4 is always text."""
    rev = revision(eio)
    return _ENCODERS[rev.framing](list(packets), rev, binary)


def sniff_eio(body: bytes | str) -> int | None:
    """Which framing a handshake body uses: 4 ("0{"), 3 ("<n>:0{" or XHR2), or None."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if body.startswith(b"0{"):
        return 4
    if body[:1] in (b"\x00", b"\x01") or re.match(rb"[0-9]+:", body):
        return 3
    return None
