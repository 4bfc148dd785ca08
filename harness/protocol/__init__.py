"""Sans-IO Engine.IO v3/v4 and Socket.IO codec: bytes in, packets out; no sockets, no timers.

Layers: Engine.IO packets (_engineio), polling payloads (_payload), Socket.IO packets
(_socketio), the handshake and the servers' error answers (_handshake), and a Session that
follows one connection (_session). v3/v4 differences are rows of REVISIONS (_revision).
Every decode failure raises ProtocolError (a ValueError and a HarnessError).
"""

from ._describe import describe_packets
from ._engineio import Packet, PacketType, decode_packet, decode_ws_frame, encode_packet, encode_ws_frame
from ._errors import ProtocolError
from ._handshake import (ErrorCode, Handshake, OpenPacket, ServerError, parse_error_response, parse_handshake,
                         parse_open)
from ._payload import decode_polling_body, encode_polling_body, sniff_eio, utf16_len
from ._revision import REVISIONS, Revision, detect_eio, revision
from ._session import CLIENT, SERVER, Session, Violation
from ._socketio import SioPacket, SioType, SocketIODecoder, decode_sio, describe_sio, encode_sio

__all__ = [
    "ProtocolError",
    "Revision", "REVISIONS", "revision", "detect_eio",
    "PacketType", "Packet", "decode_packet", "encode_packet", "decode_ws_frame", "encode_ws_frame",
    "decode_polling_body", "encode_polling_body", "sniff_eio", "utf16_len",
    "SioType", "SioPacket", "decode_sio", "describe_sio", "encode_sio", "SocketIODecoder",
    "OpenPacket", "parse_open", "ErrorCode", "ServerError", "parse_error_response", "Handshake", "parse_handshake",
    "Session", "Violation", "CLIENT", "SERVER",
    "describe_packets",
]
