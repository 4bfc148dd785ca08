"""The handshake: the open packet, and every server family's refusal turned into one typed error.

Node engine.io answers 400/403 application/json {"code":N,"message":...}; a refused websocket
upgrade is a raw "HTTP/1.1 400" with the bare message; python-engineio answers 400 text/plain
with a JSON string ("Invalid session x", "... is not an accepted origin."). ErrorCode keeps
engine.io's numbers 0-5 and adds harness codes (>= 100) for answers that are not engine.io's.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from ._engineio import Packet, PacketType
from ._errors import ProtocolError
from ._payload import decode_polling_body, sniff_eio

__all__ = ["OpenPacket", "parse_open", "ErrorCode", "ServerError", "parse_error_response",
           "Handshake", "parse_handshake"]


@dataclass(frozen=True)
class OpenPacket:
    sid: str
    upgrades: tuple[str, ...]
    ping_interval: int
    ping_timeout: int
    max_payload: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def drop_after_ms(self) -> int:
        """How long a silent peer lives: pingInterval + pingTimeout, as advertised."""
        return self.ping_interval + self.ping_timeout

    def to_dict(self) -> dict:
        return {"sid": self.sid, "upgrades": list(self.upgrades), "pingInterval": self.ping_interval,
                "pingTimeout": self.ping_timeout, "maxPayload": self.max_payload, **self.extra}


def _int(obj: dict, key: str, required: bool = True) -> int | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ProtocolError(f"open packet: {key} must be a number, got {value!r}")  # json.loads takes NaN, 1e400
    return int(value)


def parse_open(data: str | Packet) -> OpenPacket:
    """The open packet's JSON (or the Packet) into an OpenPacket; key order never matters."""
    if isinstance(data, Packet):
        if data.type is not PacketType.OPEN or data.binary:
            raise ProtocolError(f"expected an open packet, got {data.type.name}")
        data = data.data or ""
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError):
        raise ProtocolError(f"open packet is not JSON: {data[:80]!r}") from None
    if not isinstance(obj, dict):
        raise ProtocolError("open packet is not a JSON object")
    sid, upgrades = obj.get("sid"), obj.get("upgrades", [])
    if not isinstance(sid, str) or not sid:
        raise ProtocolError("open packet: sid missing")
    if not isinstance(upgrades, list) or not all(isinstance(u, str) for u in upgrades):
        raise ProtocolError("open packet: upgrades must be a list of strings")
    known = {"sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"}
    return OpenPacket(sid, tuple(upgrades), _int(obj, "pingInterval"), _int(obj, "pingTimeout"),
                      _int(obj, "maxPayload", required=False), {k: v for k, v in obj.items() if k not in known})


class ErrorCode(IntEnum):
    TRANSPORT_UNKNOWN = 0
    SESSION_ID_UNKNOWN = 1
    BAD_HANDSHAKE_METHOD = 2
    BAD_REQUEST = 3
    FORBIDDEN = 4
    UNSUPPORTED_PROTOCOL_VERSION = 5
    # harness codes: answers that carry no engine.io code
    NOT_FOUND = 100            # wrong path
    PAYLOAD_TOO_LARGE = 101    # 413
    UPGRADE_REQUIRED = 102     # 426: a plain WebSocket server
    HTTP_ERROR = 103           # any other non-2xx
    NOT_ENGINE_IO = 104        # a 2xx body that is no Engine.IO payload
    UNKNOWN = 105              # an engine.io error body without a usable code ({"code":null}, 1.x)
    CONNECTION_FAILED = 106    # no HTTP answer at all (refused, reset, timeout)


MESSAGES = {
    ErrorCode.TRANSPORT_UNKNOWN: "Transport unknown",
    ErrorCode.SESSION_ID_UNKNOWN: "Session ID unknown",
    ErrorCode.BAD_HANDSHAKE_METHOD: "Bad handshake method",
    ErrorCode.BAD_REQUEST: "Bad request",
    ErrorCode.FORBIDDEN: "Forbidden",
    ErrorCode.UNSUPPORTED_PROTOCOL_VERSION: "Unsupported protocol version",
    ErrorCode.NOT_FOUND: "Not found",
    ErrorCode.PAYLOAD_TOO_LARGE: "Payload too large",
    ErrorCode.UPGRADE_REQUIRED: "Upgrade required",
    ErrorCode.HTTP_ERROR: "HTTP error",
    ErrorCode.NOT_ENGINE_IO: "Not an Engine.IO answer",
    ErrorCode.UNKNOWN: "Unknown engine.io error",
    ErrorCode.CONNECTION_FAILED: "Connection failed",
}
_BY_MESSAGE = {m.lower(): c for c, m in MESSAGES.items() if c < 100}
# python-engineio's messages, matched in order
_PYTHON = [
    (re.compile(r"^Invalid session"), ErrorCode.SESSION_ID_UNKNOWN),
    (re.compile(r"unsupported version"), ErrorCode.UNSUPPORTED_PROTOCOL_VERSION),
    (re.compile(r"^Invalid transport"), ErrorCode.TRANSPORT_UNKNOWN),
    (re.compile(r"not an accepted origin", re.I), ErrorCode.FORBIDDEN),
]
_BY_STATUS = {404: ErrorCode.NOT_FOUND, 413: ErrorCode.PAYLOAD_TOO_LARGE, 426: ErrorCode.UPGRADE_REQUIRED,
              403: ErrorCode.FORBIDDEN}


@dataclass(frozen=True)
class ServerError:
    code: int
    message: str
    family: str          # "node" | "node-upgrade" | "python" | "http" | "protocol"
    status: int | None = None

    @property
    def name(self) -> str:
        return ErrorCode(self.code).name

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "family": self.family,
                "status": self.status, "name": self.name}

    def __str__(self) -> str:
        return f"code {self.code} {self.message}"


def parse_error_response(status: int, content_type: str | None, body: bytes | str) -> ServerError | None:
    """A non-2xx answer as one typed error (None for 1xx/2xx)."""
    if status < 300:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, (bytes, bytearray)) else body
    ctype = (content_type or "").split(";")[0].strip().lower()
    try:
        parsed: Any = json.loads(text) if text else None
    except (ValueError, RecursionError):
        parsed = None
    if isinstance(parsed, dict) and "code" in parsed:
        code = parsed.get("code")
        if isinstance(code, int) and not isinstance(code, bool) and 0 <= code <= 5:
            return ServerError(code, str(parsed.get("message") or MESSAGES[ErrorCode(code)]), "node", status)
        return ServerError(ErrorCode.UNKNOWN, str(parsed.get("message") or f"error code {code!r}"), "node", status)
    if isinstance(parsed, str):
        for pattern, code in _PYTHON:
            if pattern.search(parsed):
                return ServerError(code, parsed, "python", status)
        return ServerError(_BY_STATUS.get(status, ErrorCode.BAD_REQUEST), parsed, "python", status)
    if ctype == "text/html" and text.strip().lower() in _BY_MESSAGE:
        return ServerError(_BY_MESSAGE[text.strip().lower()], text.strip(), "node-upgrade", status)
    code = _BY_STATUS.get(status, ErrorCode.HTTP_ERROR)
    return ServerError(code, text.strip()[:200] or MESSAGES[code], "http", status)


@dataclass(frozen=True)
class Handshake:
    status: int
    eio: int                           # the revision asked for
    server_eio: int | None             # the framing the server answered with
    packets: tuple[Packet, ...] = ()
    open: OpenPacket | None = None
    error: ServerError | None = None

    @property
    def ok(self) -> bool:
        return self.open is not None and self.error is None


def parse_handshake(status: int, content_type: str | None, body: bytes, eio: int) -> Handshake:
    """The answer to GET ?EIO=<eio>&transport=polling: decoded packets and open, or the typed error.

    A server that answers in the other revision's framing (socket.io 2.x answering EIO=4) is
    decoded in the framing it used; server_eio says which.
    """
    error = parse_error_response(status, content_type, body)
    if error is not None:
        return Handshake(status, eio, None, error=error)
    server_eio = sniff_eio(body)
    try:
        if server_eio is None:
            raise ProtocolError("no open packet")
        packets = decode_polling_body(body, server_eio)
        if not packets or packets[0].type is not PacketType.OPEN:
            raise ProtocolError("the first packet is not an open packet")
        return Handshake(status, eio, server_eio, tuple(packets), parse_open(packets[0]))
    except ProtocolError as exc:
        return Handshake(status, eio, server_eio,
                         error=ServerError(ErrorCode.NOT_ENGINE_IO, str(exc), "protocol", status))
