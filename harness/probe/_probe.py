"""Raw requests against a Socket.IO server, each decoded and put on the timeline as one event.

The doc's `curl "<url>/socket.io/?EIO=4&transport=polling"` and more: a handshake per revision,
a poll, a POST, a websocket upgrade attempt. Timeline events: kind "http" with method, url,
status, content_type, headers, body (4 KB), json, packets, error, eio, origin; kind
"ws_upgrade" with url, status, accepted, body, error, frames.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import urlencode, urlsplit

import aiohttp

from harness.protocol import (ErrorCode, OpenPacket, Packet, ProtocolError, ServerError, decode_polling_body,
                              decode_ws_frame, describe_packets, encode_polling_body, parse_error_response,
                              parse_handshake)

from ._answered import not_socketio

__all__ = ["ProbeResult", "handshake", "request", "upgrade", "probe_all", "BODY_LIMIT"]

BODY_LIMIT = 4096


@dataclass
class ProbeResult:
    kind: str                          # "http" | "ws_upgrade"
    method: str
    url: str
    eio: int
    origin: str | None = None
    status: int | None = None
    headers: dict = field(default_factory=dict)   # lower-case names
    body: bytes = b""
    packets: list[Packet] | None = None
    open: OpenPacket | None = None
    error: ServerError | None = None
    server_eio: int | None = None      # framing the server answered with (handshakes)
    accepted: bool = False             # ws_upgrade: 101 and no error after it
    frames: list = field(default_factory=list)    # ws_upgrade: frames read after the 101
    deflate: bool | None = None        # ws_upgrade with permessage-deflate offered: did the 101 accept it
    reserved_bits: int | None = None   # ws_upgrade: RSV bits of a frame that had them without an agreed extension

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def foreign_frame(self) -> str | None:
        """ws_upgrade: the first frame after the 101 when it is not an Engine.IO packet (a plain
        WebSocket server's greeting, a binary frame), else None."""
        if self.kind != "ws_upgrade" or not self.frames or "packet" in self.frames[0]:
            return None
        first = self.frames[0]
        if first.get("opcode") not in (1, 2):          # a close or a ping is no greeting
            return None
        return first["data"] if "data" in first else f"<binary {len(base64.b64decode(first.get('b64', '')))} bytes>"

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and self.status < 400

    def json(self) -> Any:
        try:
            return json.loads(self.text) if self.body else None
        except ValueError:
            return None

    def verdict(self) -> str:
        """One line: "EIO=4 ok: pingInterval 25000, ..." or "EIO=3 refused: code 5 ..."."""
        if self.kind == "ws_upgrade":
            if self.accepted and self.foreign_frame is not None:
                return (f"EIO={self.eio} websocket accepted, but its first frame {self.foreign_frame[:60]!r} is not "
                        "Engine.IO: a plain WebSocket server, not Socket.IO")
            if self.accepted:
                seen = ", ".join(f["data"] for f in self.frames if isinstance(f.get("data"), str))[:80]
                return f"EIO={self.eio} websocket ok" + (f": {seen}" if seen else "")
            if self.status == 101:
                return f"EIO={self.eio} websocket accepted, then {self.error}"
            return f"EIO={self.eio} websocket refused: {self.error or self.status}"
        other = not_socketio(self)
        if other is not None:
            failed = self.error is not None and self.error.code == ErrorCode.CONNECTION_FAILED
            return f"EIO={self.eio} {'unreachable: ' if failed else ''}{other}"
        if self.error is not None:
            word = "unreachable" if self.error.code == ErrorCode.CONNECTION_FAILED else "refused"
            return f"EIO={self.eio} {word}: {self.error}"
        if self.open is None:
            return f"EIO={self.eio} HTTP {self.status}"
        o = self.open
        text = (f"EIO={self.eio} ok: pingInterval {o.ping_interval}, pingTimeout {o.ping_timeout}, "
                f"upgrades [{', '.join(o.upgrades)}]")
        if o.max_payload is not None:
            text += f", maxPayload {o.max_payload}"
        if self.server_eio is not None and self.server_eio != self.eio:
            text += f" (answered in EIO={self.server_eio} framing)"
        return text

    def event_data(self) -> dict:
        err = self.error.to_dict() if self.error else None
        if self.kind == "ws_upgrade":
            return {"url": self.url, "status": self.status, "accepted": self.accepted,
                    "body": self.text[:BODY_LIMIT], "error": err, "frames": self.frames,
                    "eio": self.eio, "origin": self.origin}
        decode_eio = self.server_eio or self.eio
        return {"method": self.method, "url": self.url, "status": self.status, "content_type": self.content_type,
                "headers": self.headers, "body": self.text[:BODY_LIMIT], "json": self.json(),
                "packets": describe_packets(self.packets, decode_eio) if self.packets is not None else None,
                "error": err, "eio": self.eio, "origin": self.origin, "server_eio": self.server_eio,
                "open": self.open.to_dict() if self.open else None}


def _url(base_url: str, path: str, params: dict) -> str:
    base = base_url.rstrip("/")
    path = "/" + path.strip("/") + "/" if path.strip("/") else "/"
    return f"{base}{path}?{urlencode(params)}"


def _params(eio: int, transport: str, sid: str | None, query: dict | None) -> dict:
    params: dict = {"EIO": eio, "transport": transport, "t": secrets.token_urlsafe(5)}
    if sid:
        params["sid"] = sid
    params.update(query or {})
    return {k: v for k, v in params.items() if v is not None}


def _record(result: ProbeResult, timeline, source: str) -> ProbeResult:
    if timeline is not None:
        timeline.add(source, result.kind, result.event_data())
    return result


def _failed(exc: BaseException) -> ServerError:
    return ServerError(ErrorCode.CONNECTION_FAILED, f"{type(exc).__name__}: {exc}".strip(), "network", None)


async def request(base_url: str, *, method: str = "GET", eio: int = 4, transport: str = "polling",
                  path: str = "/socket.io/", sid: str | None = None,
                  body: bytes | str | Iterable[Packet] | None = None, origin: str | None = None,
                  query: dict | None = None, timeline=None, source: str = "probe", timeout: float = 10.0,
                  headers: dict | None = None, framing: int | None = None, ssl=None) -> ProbeResult:
    """One raw HTTP exchange, decoded: packets for a 200 GET, the typed error for a refusal.

    A GET without sid is a handshake: its framing is sniffed (a v2 server answers EIO=4 in v3).
    framing: the revision to encode/decode bodies with when the server's differs from eio.
    ssl: aiohttp's `ssl` (False: do not verify the certificate)."""
    url = _url(base_url, path, _params(eio, transport, sid, query))
    send_headers = dict(headers or {})
    if origin:
        send_headers["Origin"] = origin
    if body is not None and not isinstance(body, (bytes, bytearray, str)):
        body = encode_polling_body(list(body), framing or eio)
    if isinstance(body, str):
        body = body.encode("utf-8")
    if body is not None:
        # engine.io v4 closes the session on an application/octet-stream text POST
        binary = body[:1] in (b"\x00", b"\x01")
        send_headers.setdefault("Content-Type", "application/octet-stream" if binary else "text/plain;charset=UTF-8")
    result = ProbeResult("http", method, url, eio, origin, server_eio=framing)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http:
            async with http.request(method, url, data=body, headers=send_headers, allow_redirects=False,
                                    ssl=True if ssl is None else ssl) as resp:
                result.status = resp.status
                result.headers = {k.lower(): v for k, v in resp.headers.items()}
                result.body = await resp.read()
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
        result.error = _failed(exc)
        return _record(result, timeline, source)
    _decode(result, sid)
    return _record(result, timeline, source)


def _decode(result: ProbeResult, sid: str | None) -> None:
    if result.method == "GET" and sid is None and result.status is not None and result.status < 300:
        hs = parse_handshake(result.status, result.content_type, result.body, result.eio)
        result.packets = list(hs.packets) if hs.packets else None
        result.open, result.error, result.server_eio = hs.open, hs.error, hs.server_eio
        return
    result.error = parse_error_response(result.status, result.content_type, result.body)
    if result.error is None and result.method == "GET" and result.body:
        try:
            result.packets = decode_polling_body(result.body, result.server_eio or result.eio)
        except ProtocolError as exc:
            result.error = ServerError(ErrorCode.NOT_ENGINE_IO, str(exc), "protocol", result.status)


async def handshake(base_url: str, *, eio: int = 4, path: str = "/socket.io/", origin: str | None = None,
                    timeline=None, source: str = "probe", timeout: float = 10.0, ssl=None) -> ProbeResult:
    """GET ?EIO=<eio>&transport=polling: the open packet (result.open) or the typed refusal."""
    return await request(base_url, eio=eio, path=path, origin=origin, timeline=timeline, source=source,
                         timeout=timeout, ssl=ssl)


# --- websocket upgrade, on a raw stream so that the refusal's status and body are kept --------------

def _tls(scheme: str, ssl):
    """asyncio's `ssl` for a raw stream: None for http, a context (verifying unless ssl is False)."""
    if scheme != "https":
        return None
    import ssl as tls
    context = tls.create_default_context()
    if ssl is False:
        context.check_hostname, context.verify_mode = False, tls.CERT_NONE
    return context


def _ws_frame(text: str) -> bytes:
    payload = text.encode("utf-8")
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class ReservedBits(ProtocolError):
    """A frame with RSV bits set that no agreed extension explains (RSV1: compressed without permessage-deflate)."""

    def __init__(self, b0: int, b1: int):
        super().__init__(f"invalid websocket frame (RSV bits set, first bytes {bytes([b0, b1])!r})")
        self.bits = (b0 & 0x70) >> 4


async def _read_frame(reader: asyncio.StreamReader, inflater=None) -> tuple[int, bytes, int | None]:
    """One frame: (opcode, payload). inflater (permessage-deflate agreed): a zlib raw-deflate stream that
    inflates an RSV1 frame; without it any RSV bit is an error (ReservedBits)."""
    b0, b1 = await reader.readexactly(2)
    if b0 & 0x70 and not (inflater is not None and b0 & 0x70 == 0x40):
        raise ReservedBits(b0, b1)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack(">H", await reader.readexactly(2))[0]
    elif n == 127:
        n = struct.unpack(">Q", await reader.readexactly(8))[0]
    mask = await reader.readexactly(4) if b1 & 0x80 else b""
    data = await reader.readexactly(n)
    if mask:
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    if b0 & 0x40:                                      # compressed (RFC 7692): the tail 00 00 ff ff was cut
        return b0 & 0x0F, inflater.decompress(data + b"\x00\x00\xff\xff"), len(data)
    return b0 & 0x0F, data, None


async def upgrade(base_url: str, *, eio: int = 4, path: str = "/socket.io/", sid: str | None = None,
                  origin: str | None = None, query: dict | None = None, timeline=None, source: str = "probe",
                  timeout: float = 5.0, send_probe: bool = True, ssl=None, deflate: bool = False,
                  then: tuple[str, ...] = (), wait_for: int = 0) -> ProbeResult:
    """A websocket upgrade attempt. With sid: the upgrade probe (2probe -> 3probe); without: a
    websocket-only connection (the first frame should be the open packet). ssl: as request()'s.

    deflate: offer permessage-deflate (as browsers and the Node client do): result.deflate says whether the
    101 accepted it; compressed frames are inflated (frame item "compressed": wire size), and one with RSV
    bits no agreed extension explains ends the read (result.reserved_bits). then: text frames sent after the
    first frame, whose answers are read until one of at least wait_for bytes (or a compressed one) comes."""
    url = _url(base_url, path, _params(eio, "websocket", sid, query))
    split = urlsplit(url)
    result = ProbeResult("ws_upgrade", "GET", url.replace("http", "ws", 1), eio, origin)
    host, port = split.hostname, split.port or (443 if split.scheme == "https" else 80)
    lines = [f"GET {split.path}?{split.query} HTTP/1.1", f"Host: {split.netloc}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}",
             "Sec-WebSocket-Version: 13"] + ([f"Origin: {origin}"] if origin else []) + \
            (["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"] if deflate else [])
    writer = None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=_tls(split.scheme, ssl)), timeout)
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        result.status = int(status_line.split()[1])
        result.headers = {k.strip().lower(): v.strip() for k, _, v in
                          (h.partition(":") for h in header_lines if h)}
        if result.status != 101:
            result.body = await asyncio.wait_for(_read_body(reader, result.headers), timeout)
            result.error = parse_error_response(result.status, result.content_type, result.body)
            return _record(result, timeline, source)
        inflater = None
        if deflate:
            result.deflate = "permessage-deflate" in result.headers.get("sec-websocket-extensions", "").lower()
            inflater = zlib.decompressobj(-15) if result.deflate else None
        await _after_101(result, reader, writer, sid, send_probe, timeout, inflater)
        if then and result.accepted and result.reserved_bits is None:
            await _exchange(result, reader, writer, then, wait_for, min(timeout, 1.0), inflater)
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError, zlib.error) as exc:
        if result.status is None:
            result.error = _failed(exc)
        elif result.error is None and result.status == 101 and not result.frames:
            result.error = ServerError(ErrorCode.HTTP_ERROR, f"no frame after 101: {type(exc).__name__}",
                                       "protocol", 101)
    finally:
        if writer is not None:
            writer.close()
    return _record(result, timeline, source)


async def _read_body(reader: asyncio.StreamReader, headers: dict) -> bytes:
    """A refusal's body: by Content-Length, de-chunked (nginx sends it chunked), or what comes."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = b""
        while len(body) < BODY_LIMIT:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                break
            body += await reader.readexactly(size)
            await reader.readexactly(2)
        return body
    length = int(headers.get("content-length", "-1"))
    return await (reader.readexactly(length) if length >= 0 else reader.read(BODY_LIMIT))


def _frame_item(result, opcode: int, data: bytes, wire: int | None) -> dict:
    item: dict = {"opcode": opcode}
    if wire is not None:
        item.update(compressed=wire, size=len(data))
    if opcode == 1:
        item["data"] = data.decode("utf-8", "replace")
        try:
            item["packet"] = decode_ws_frame(item["data"], result.eio).to_dict()
        except ProtocolError as exc:
            item["error"] = str(exc)
    else:
        item["b64"] = base64.b64encode(data).decode()
    return item


async def _after_101(result, reader, writer, sid, send_probe, timeout, inflater=None) -> None:
    if sid and send_probe:
        writer.write(_ws_frame("2probe"))
    if not (sid and not send_probe):
        try:
            opcode, data, wire = await asyncio.wait_for(_read_frame(reader, inflater), timeout)
        except ProtocolError as exc:
            result.reserved_bits = getattr(exc, "bits", None)
            rest = await asyncio.wait_for(reader.read(BODY_LIMIT), 1.0)
            result.body = rest
            result.error = ServerError(ErrorCode.BAD_REQUEST, f"{exc}; then {rest[:60]!r}", "node-upgrade", 101)
            return
        result.frames.append(_frame_item(result, opcode, data, wire))
        result.accepted = opcode in (1, 2)
    else:
        result.accepted = True


async def _exchange(result, reader, writer, then, wait_for, timeout, inflater) -> None:
    """Send `then`, read frames until one of wait_for bytes, a compressed one, or the time is up (no error)."""
    for text in then:
        writer.write(_ws_frame(text))
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        try:
            opcode, data, wire = await asyncio.wait_for(_read_frame(reader, inflater), max(end - loop.time(), 0.01))
        except ReservedBits as exc:
            result.reserved_bits = exc.bits
            return
        except (ProtocolError, OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, zlib.error):
            return
        if opcode == 8:
            return
        item = _frame_item(result, opcode, data, wire)
        result.frames.append(item)
        if wire is not None or len(data) >= wait_for:
            return


async def probe_all(base_url: str, *, eios: Iterable[int] = (3, 4), path: str = "/socket.io/",
                    origin: str | None = None, timeline=None, source: str = "probe") -> list[ProbeResult]:
    """The full sweep per revision, with and without Origin: handshake, poll, POST, upgrade probe."""
    results: list[ProbeResult] = []
    for eio in eios:
        for org in ([None, origin] if origin else [None]):
            kw = dict(eio=eio, path=path, origin=org, timeline=timeline, source=source)
            hs = await handshake(base_url, **kw)
            results.append(hs)
            if hs.open is None:
                results.append(await upgrade(base_url, **kw))
                continue
            sid = hs.open.sid
            framing = hs.server_eio or eio
            results.append(await request(base_url, method="POST", sid=sid, framing=framing,
                                         body=[Packet(4, "0")] if framing == 4 else [Packet(2)], **kw))
            results.append(await request(base_url, sid=sid, framing=framing, timeout=3.0, **kw))
            results.append(await upgrade(base_url, sid=sid, **kw))
    return results
