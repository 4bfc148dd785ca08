"""Engine.IO packets: one packet as text or as a websocket frame, both revisions.

Text packet: "<type digit>[data]"; binary as text: "b<type><base64>" (v3) or "b<base64>" (v4).
Websocket: a text frame is a text packet; a binary frame is "<type byte><data>" (v3) or raw data (v4).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from enum import IntEnum

from ._errors import ProtocolError
from ._revision import Revision, revision

__all__ = ["PacketType", "Packet", "decode_packet", "encode_packet", "decode_ws_frame", "encode_ws_frame"]


class PacketType(IntEnum):
    OPEN = 0
    CLOSE = 1
    PING = 2
    PONG = 3
    MESSAGE = 4
    UPGRADE = 5
    NOOP = 6


_BY_CHAR = {str(int(t)): t for t in PacketType}


@dataclass(frozen=True, slots=True)
class Packet:
    """One Engine.IO packet. data is str (text), bytes (binary) or None (no data; "" is folded into None)."""

    type: PacketType
    data: str | bytes | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", PacketType(self.type))
        if self.data == "":
            object.__setattr__(self, "data", None)
        elif isinstance(self.data, (bytearray, memoryview)):
            object.__setattr__(self, "data", bytes(self.data))

    @property
    def binary(self) -> bool:
        return isinstance(self.data, bytes)

    def to_dict(self) -> dict:
        """JSON-ready form for the timeline: binary data as base64 with its size."""
        out: dict = {"type": self.type.name.lower(), "binary": self.binary}
        if self.binary:
            out["data"] = base64.b64encode(self.data).decode("ascii")
            out["size"] = len(self.data)
        else:
            out["data"] = self.data
        return out


def b64decode(text: str) -> bytes:
    """Base64 as Node writes it; engine.io 1.x leaves the padding off, so it is optional here."""
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProtocolError(f"invalid base64 in binary packet: {exc}") from None


def decode_packet(text: str, eio: int | Revision = 4) -> Packet:
    """One text packet (a websocket text frame, or one element of a polling payload)."""
    rev = revision(eio)
    if not text:
        raise ProtocolError("empty packet")
    head = text[0]
    if head == "b":
        if rev.b64_carries_type:
            kind = _BY_CHAR.get(text[1:2])
            if kind is None:
                raise ProtocolError(f"unknown packet type {text[1:2]!r} in base64 packet")
            return Packet(kind, b64decode(text[2:]))
        return Packet(PacketType.MESSAGE, b64decode(text[1:]))
    kind = _BY_CHAR.get(head)
    if kind is None:
        raise ProtocolError(f"unknown packet type {head!r}")
    return Packet(kind, text[1:])


def encode_packet(packet: Packet, eio: int | Revision = 4) -> str:
    """A packet as text; binary data goes base64."""
    rev = revision(eio)
    if packet.binary:
        if rev.b64_carries_type:
            return f"b{int(packet.type)}{base64.b64encode(packet.data).decode('ascii')}"
        if packet.type is not PacketType.MESSAGE:
            raise ProtocolError(f"EIO={rev.eio} can carry binary data only in a message, not {packet.type.name}")
        return "b" + base64.b64encode(packet.data).decode("ascii")
    return f"{int(packet.type)}{packet.data or ''}"


def decode_ws_frame(data: bytes | bytearray | memoryview | str, eio: int | Revision = 4) -> Packet:
    """A websocket message: str for a text frame, bytes for a binary frame."""
    rev = revision(eio)
    if isinstance(data, str):
        return decode_packet(data, rev)
    data = bytes(data)
    if not rev.ws_binary_type_byte:
        return Packet(PacketType.MESSAGE, data)
    if not data:
        raise ProtocolError("empty binary frame: the v3 type byte is missing")
    try:
        kind = PacketType(data[0])
    except ValueError:
        raise ProtocolError(f"unknown packet type byte {data[0]} in binary frame") from None
    return Packet(kind, data[1:])


def encode_ws_frame(packet: Packet, eio: int | Revision = 4) -> str | bytes:
    """The websocket message for a packet: str (text frame) or bytes (binary frame)."""
    rev = revision(eio)
    if not packet.binary:
        return encode_packet(packet, rev)
    if rev.ws_binary_type_byte:
        return bytes([int(packet.type)]) + packet.data
    if packet.type is not PacketType.MESSAGE:
        raise ProtocolError(f"EIO={rev.eio} can carry binary data only in a message, not {packet.type.name}")
    return packet.data
