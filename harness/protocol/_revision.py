"""Engine.IO v3 / v4 differences as data: one Revision row per protocol, read by every codec.

The codecs never branch on a version number; they read the row (or pick a function from a
table keyed by one of its fields), so a third revision is one more row.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from ._errors import ProtocolError

__all__ = ["Revision", "REVISIONS", "revision", "detect_eio"]


@dataclass(frozen=True)
class Revision:
    eio: int
    sio_protocol: int               # Socket.IO protocol carried: 4 (socket.io 1.x/2.x) or 5 (3.x+)
    framing: str                    # polling payload framing: "length" (<n>:<packet>) or "separator" (\x1e)
    b64_carries_type: bool          # base64 text packet: "b4AQID" (v3) or "bAQID" (v4, always a message)
    ws_binary_type_byte: bool       # binary websocket frame starts with the packet type (v3) or is raw (v4)
    pinger: str                     # which side sends "2": "client" (v3) or "server" (v4)
    root_auto_connect: bool         # v3: the server sends "40" unasked; v4: the client asks with "40"
    connect_error_shape: str        # CONNECT_ERROR payload: "string" (protocol 4) or "object" (protocol 5)
    strict_sio_payloads: bool       # socket.io-parser >= 4 rejects ill-shaped payloads ("invalid payload")
    nsp_query: bool                 # protocol 4 carries a query in CONNECT: "40/nsp?x=1,"
    open_has_max_payload: bool      # maxPayload may appear in the open packet


REVISIONS: dict[int, Revision] = {
    3: Revision(eio=3, sio_protocol=4, framing="length", b64_carries_type=True, ws_binary_type_byte=True,
                pinger="client", root_auto_connect=True, connect_error_shape="string",
                strict_sio_payloads=False, nsp_query=True, open_has_max_payload=False),
    4: Revision(eio=4, sio_protocol=5, framing="separator", b64_carries_type=False, ws_binary_type_byte=False,
                pinger="server", root_auto_connect=False, connect_error_shape="object",
                strict_sio_payloads=True, nsp_query=False, open_has_max_payload=True),
}


def revision(eio: int | Revision) -> Revision:
    if isinstance(eio, Revision):
        return eio
    try:
        return REVISIONS[eio]
    except (KeyError, TypeError):
        raise ProtocolError(f"unknown Engine.IO revision {eio!r} (known: 3, 4)") from None




def detect_eio(query_string: str | bytes) -> int:
    """The revision a request asks for, judged as engine.io >= 4 does: EIO=4 is 4, anything else 3.

    Accepts a bare query string, one with a leading "?", or a whole URL.
    """
    if isinstance(query_string, (bytes, bytearray)):
        query_string = bytes(query_string).decode("latin-1")
    if "?" in query_string:
        query_string = query_string.split("?", 1)[1]
    values = parse_qs(query_string.split("#", 1)[0], keep_blank_values=True).get("EIO")
    return 4 if values and values[0] == "4" else 3
