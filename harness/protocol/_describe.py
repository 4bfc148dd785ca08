"""Packets as JSON-ready dicts for the timeline, with the Socket.IO layer decoded where it parses."""

from __future__ import annotations

from typing import Iterable

from ._engineio import Packet, PacketType
from ._errors import ProtocolError
from ._handshake import parse_open
from ._revision import Revision, revision
from ._socketio import SocketIODecoder

__all__ = ["describe_packets"]


def describe_packets(packets: Iterable[Packet], eio: int | Revision = 4) -> list[dict]:
    """Each packet's to_dict(), plus "open" for an open packet and "sio" (or "sio_error") for a
    message; a binary packet's "sio" is the packet it completes, if any."""
    rev = revision(eio)
    decoder = SocketIODecoder(rev)
    out = []
    for packet in packets:
        item = packet.to_dict()
        try:
            if packet.type is PacketType.OPEN:
                item["open"] = parse_open(packet).to_dict()
            elif packet.type is PacketType.MESSAGE:
                sio = decoder.feed(packet.data or "")
                if sio is not None:
                    item["sio"] = sio.to_dict()
        except ProtocolError as exc:
            item["sio_error" if packet.type is PacketType.MESSAGE else "error"] = str(exc)
            decoder = SocketIODecoder(rev)
        out.append(item)
    return out
