"""Socket.IO packets, carried in Engine.IO message packets.

Text form: <type>[<attachments>-][<nsp>,][<ack id>][<JSON data>]. A BINARY_EVENT / BINARY_ACK
replaces each bytes value with {"_placeholder":true,"num":k} and is followed by k binary
Engine.IO messages; SocketIODecoder puts them back.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from ._errors import ProtocolError
from ._revision import Revision, revision

__all__ = ["SioType", "SioPacket", "decode_sio", "describe_sio", "encode_sio", "SocketIODecoder"]


class SioType(IntEnum):
    CONNECT = 0
    DISCONNECT = 1
    EVENT = 2
    ACK = 3
    CONNECT_ERROR = 4
    BINARY_EVENT = 5
    BINARY_ACK = 6


_BINARY = (SioType.BINARY_EVENT, SioType.BINARY_ACK)
_DIGITS = re.compile(r"[0-9]+")
RESERVED_EVENTS = frozenset({"connect", "connect_error", "disconnect", "disconnecting",
                             "newListener", "removeListener"})


@dataclass(frozen=True)
class SioPacket:
    type: SioType
    nsp: str = "/"
    data: Any = None                 # None: no payload (JSON null is not sent either)
    id: int | None = None            # ack id
    attachments: int = 0             # binary types only
    query: str | None = None         # protocol 4 only: "40/nsp?query,"
    buffers: tuple[bytes, ...] = field(default=(), compare=False)  # attachments, once reassembled

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", SioType(self.type))

    @property
    def event(self) -> str | None:
        if self.type in (SioType.EVENT, SioType.BINARY_EVENT) and isinstance(self.data, list) and self.data:
            return self.data[0] if isinstance(self.data[0], str) else None
        return None

    def to_dict(self) -> dict:
        return {"type": self.type.name, "nsp": self.nsp, "id": self.id, "data": _jsonable(self.data),
                "attachments": self.attachments, "query": self.query}


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"_bytes": len(value)}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# one decoder for every packet: json.loads with a keyword builds a new JSONDecoder per call; a 1 KB
# event decoded in 38 us vs 114 us that way (same run, loaded machine)
_DECODE = json.JSONDecoder(parse_constant=_reject_constant).decode


def _is_valid(rev: Revision, kind: int, data: Any) -> bool:
    """socket.io-parser >= 4 (protocol 5) rules; protocol 4 accepts any JSON. `kind`: a SioType or its int."""
    if not rev.strict_sio_payloads:
        return True
    if kind == 0:                   # CONNECT (ints: an enum member's lookup costs more than the test)
        return isinstance(data, dict)
    if kind == 1:                   # DISCONNECT
        return False
    if kind == 4:                   # CONNECT_ERROR
        return isinstance(data, (str, dict))
    if kind == 2 or kind == 5:      # EVENT, BINARY_EVENT
        return (isinstance(data, list) and bool(data)
                and (isinstance(data[0], (int, float)) and not isinstance(data[0], bool)
                     or isinstance(data[0], str) and data[0] not in RESERVED_EVENTS))
    return isinstance(data, list)


def _number(digits: str, what: str) -> int:
    try:
        return int(digits)
    except ValueError:  # over Python's 4300-digit limit for int(str)
        raise ProtocolError(f"{what} of {len(digits)} digits") from None


def decode_sio(text: str, eio: int | Revision = 4) -> SioPacket:
    """One Socket.IO packet from the data of an Engine.IO message (placeholders left in place)."""
    kind, nsp, data, ack, attachments, query = _parse(text, revision(eio))
    return SioPacket(kind, nsp, data, ack, attachments, query)


_NAMES = tuple(t.name for t in SioType)


def describe_sio(text: str, eio: int | Revision = 4) -> dict | None:
    """decode_sio(text, eio).to_dict() without the packet object (half the time: the timeline's
    recorders describe every message); None when it waits for attachments (a binary packet)."""
    kind, nsp, data, ack, attachments, query = _parse(text, revision(eio))
    if attachments:
        return None
    # JSON holds no bytes: to_dict()'s _jsonable would copy `data` unchanged
    return {"type": _NAMES[kind], "nsp": nsp, "id": ack, "data": data, "attachments": 0, "query": query}


def _parse(text: str, rev: Revision) -> tuple[int, str, Any, int | None, int, str | None]:
    if not isinstance(text, str):
        raise ProtocolError("a Socket.IO packet is text; binary messages are attachments")
    if not text or not "0" <= text[0] <= "6":
        raise ProtocolError(f"unknown Socket.IO packet type {text[:1]!r}")
    kind, i, end = ord(text[0]) - 48, 1, len(text)
    attachments = 0
    if kind == 5 or kind == 6:          # BINARY_EVENT, BINARY_ACK
        dash = text.find("-", i)
        if dash < 0 or _DIGITS.fullmatch(text, i, dash) is None:
            raise ProtocolError("illegal attachments count")
        attachments, i = _number(text[i:dash], "attachments count"), dash + 1
    nsp, query = "/", None
    if i < end and text[i] == "/":
        comma = text.find(",", i)
        stop = end if comma < 0 else comma
        nsp, i = text[i:stop], (end if comma < 0 else comma + 1)
        if rev.nsp_query and "?" in nsp:
            nsp, query = nsp.split("?", 1)
    ack = None
    m = _DIGITS.match(text, i)
    if m:
        ack, i = _number(m.group(), "ack id"), m.end()
    data = None
    if i < end:
        try:
            data = _DECODE(text[i:])
        except (ValueError, RecursionError) as exc:
            raise ProtocolError(f"invalid JSON payload: {str(exc)[:80]}") from None
        if not _is_valid(rev, kind, data):
            raise ProtocolError(f"invalid payload for {_NAMES[kind]}")
    return kind, nsp, data, ack, attachments, query


def _deconstruct(value: Any, buffers: list[bytes]) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        buffers.append(bytes(value))
        return {"_placeholder": True, "num": len(buffers) - 1}
    if isinstance(value, (list, tuple)):
        return [_deconstruct(v, buffers) for v in value]
    if isinstance(value, dict):
        return {k: _deconstruct(v, buffers) for k, v in value.items()}
    return value


def encode_sio(packet: SioPacket, eio: int | Revision = 4, *, ensure_ascii: bool = False) -> list[str | bytes]:
    """The Engine.IO message data for a packet: [text] or [text, attachment, ...].

    bytes values in data become placeholders (EVENT -> BINARY_EVENT, ACK -> BINARY_ACK).
    ensure_ascii=True writes non-ASCII as \\uXXXX, as python-socketio does; Node writes it raw.
    """
    revision(eio)
    buffers: list[bytes] = []
    data = _deconstruct(packet.data, buffers)
    kind, attachments = packet.type, packet.attachments
    if buffers:
        kind = {SioType.EVENT: SioType.BINARY_EVENT, SioType.ACK: SioType.BINARY_ACK}.get(kind, kind)
        attachments = len(buffers)
    elif packet.buffers:
        buffers = list(packet.buffers)
    out = str(int(kind))
    if kind in _BINARY:
        out += f"{attachments}-"
    if packet.nsp and packet.nsp != "/" or packet.query is not None:
        out += (packet.nsp or "/") + (f"?{packet.query}" if packet.query is not None else "") + ","
    if packet.id is not None:
        out += str(packet.id)
    if data is not None:
        out += json.dumps(data, separators=(",", ":"), ensure_ascii=ensure_ascii)
    return [out, *buffers]


def _reconstruct(value: Any, buffers: list[bytes]) -> Any:
    if isinstance(value, dict):
        if value.get("_placeholder") is True and "num" in value:
            num = value["num"]
            if not isinstance(num, int) or isinstance(num, bool) or not 0 <= num < len(buffers):
                raise ProtocolError(f"attachment placeholder {num!r} out of range")
            return buffers[num]
        return {k: _reconstruct(v, buffers) for k, v in value.items()}
    if isinstance(value, list):
        return [_reconstruct(v, buffers) for v in value]
    return value


class SocketIODecoder:
    """Feed it Engine.IO message data in order; it returns whole Socket.IO packets (None while
    a binary packet still waits for attachments)."""

    def __init__(self, eio: int | Revision = 4):
        self.rev = revision(eio)
        self._pending: SioPacket | None = None
        self._buffers: list[bytes] = []

    @property
    def waiting(self) -> int:
        """Attachments still expected."""
        return self._pending.attachments - len(self._buffers) if self._pending else 0

    def feed(self, data: str | bytes) -> SioPacket | None:
        if isinstance(data, (bytes, bytearray, memoryview)):
            if self._pending is None:
                raise ProtocolError("binary attachment without a pending binary packet")
            self._buffers.append(bytes(data))
            if self.waiting:
                return None
            return self._finish()
        if self._pending is not None:
            raise ProtocolError(f"text packet while {self.waiting} attachment(s) are awaited")
        packet = decode_sio(data, self.rev)
        if packet.attachments:
            self._pending, self._buffers = packet, []
            return None
        return packet

    def _finish(self) -> SioPacket:
        packet, buffers = self._pending, self._buffers
        self._pending, self._buffers = None, []
        return SioPacket(packet.type, packet.nsp, _reconstruct(packet.data, buffers), packet.id,
                         packet.attachments, packet.query, tuple(buffers))
