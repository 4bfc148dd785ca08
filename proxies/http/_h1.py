"""Just enough HTTP/1.1 for the relay: heads parsed, bodies framed (Content-Length, chunked,
until close), nothing re-encoded that does not have to be.

Heads are parsed from bytes (sans-IO); bodies are read from an asyncio.StreamReader and
returned twice: the raw bytes to forward as they came and the de-chunked body to record.
A malformed head or body raises H1Error (the relay answers 400 and closes).
"""

from __future__ import annotations

import re
import zlib
from typing import NamedTuple
from urllib.parse import parse_qsl

__all__ = ["H1Error", "Head", "parse_request_head", "parse_response_head", "build_head", "read_body",
           "request_framing", "response_framing", "query_of", "decoded", "REASONS"]

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VERSIONS = (b"HTTP/1.1", b"HTTP/1.0")
MAX_BODY = 64 << 20
REASONS = {100: "Continue", 101: "Switching Protocols", 200: "OK", 204: "No Content", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           413: "Payload Too Large", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}


class H1Error(ValueError):
    """Not HTTP/1.x: the relay answers 400 (from a client) or 502 (from the server)."""


class Head(NamedTuple):
    first: tuple[str, str, str]          # method, target, version | version, status, reason
    headers: list[tuple[str, str]]       # in order, names as sent

    def get(self, name: str, default: str = "") -> str:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return default

    def all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]


def _headers(lines: list[bytes]) -> list[tuple[str, str]]:
    out = []
    for line in lines:
        name, sep, value = line.partition(b":")
        if not sep or not _TOKEN.fullmatch(name):
            raise H1Error(f"bad header line {line[:60]!r}")
        out.append((name.decode("latin-1"), value.strip(b" \t").decode("latin-1")))
    return out


def parse_request_head(raw: bytes) -> Head:
    """`raw`: the head up to and including the blank line."""
    lines = raw.rstrip(b"\r\n").split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or not _TOKEN.fullmatch(parts[0]) or parts[2] not in _VERSIONS or not parts[1]:
        raise H1Error(f"bad request line {lines[0][:60]!r}")
    return Head(tuple(p.decode("latin-1") for p in parts), _headers(lines[1:]))


def parse_response_head(raw: bytes) -> Head:
    lines = raw.rstrip(b"\r\n").split(b"\r\n")
    version, _, rest = lines[0].partition(b" ")
    status, _, reason = rest.partition(b" ")
    if version not in _VERSIONS or not status.isdigit() or len(status) != 3:
        raise H1Error(f"bad status line {lines[0][:60]!r}")
    return Head((version.decode(), status.decode(), reason.decode("latin-1")), _headers(lines[1:]))


def build_head(first: tuple[str, str, str], headers: list[tuple[str, str]]) -> bytes:
    return ("%s %s %s\r\n" % first + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n").encode("latin-1")


def request_framing(head: Head) -> tuple[str, int]:
    """("chunked", 0) | ("length", n)."""
    if "chunked" in head.get("transfer-encoding").lower():
        return "chunked", 0
    return "length", _length(head)


def response_framing(head: Head, method: str) -> tuple[str, int]:
    """("none", 0) | ("chunked", 0) | ("length", n) | ("close", 0): read until the server closes."""
    status = int(head.first[1])
    if method == "HEAD" or status < 200 or status in (204, 304):
        return "none", 0
    if "chunked" in head.get("transfer-encoding").lower():
        return "chunked", 0
    if head.all("content-length"):
        return "length", _length(head)
    return "close", 0


def _length(head: Head) -> int:
    values = {v.strip() for v in head.all("content-length")}
    if not values:
        return 0
    if len(values) != 1 or not next(iter(values)).isdigit():
        raise H1Error(f"bad Content-Length {sorted(values)}")
    n = int(next(iter(values)))
    if n > MAX_BODY:
        raise H1Error(f"body of {n} bytes over {MAX_BODY}")
    return n


async def read_body(reader, framing: tuple[str, int]) -> tuple[bytes, bytes]:
    """(raw bytes to forward, the body itself)."""
    kind, n = framing
    if kind == "none" or (kind == "length" and n == 0):
        return b"", b""
    if kind == "length":
        data = await reader.readexactly(n)
        return data, data
    if kind == "close":
        data = await reader.read(-1)
        return data, data
    raw, body = bytearray(), bytearray()
    while True:
        line = await reader.readuntil(b"\r\n")
        raw += line
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise H1Error(f"bad chunk size {line[:40]!r}") from None
        if size == 0:
            while True:                     # trailers, up to the blank line
                line = await reader.readuntil(b"\r\n")
                raw += line
                if line == b"\r\n":
                    return bytes(raw), bytes(body)
        if len(body) + size > MAX_BODY:
            raise H1Error("chunked body too large")
        chunk = await reader.readexactly(size + 2)
        if chunk[-2:] != b"\r\n":
            raise H1Error("chunk not followed by CRLF")
        raw += chunk
        body += chunk[:-2]


def query_of(target: str) -> dict[str, str]:
    """The first value of each query parameter (as mitmproxy's request.query.get gives it)."""
    out: dict[str, str] = {}
    if "?" in target:
        for k, v in parse_qsl(target.split("?", 1)[1], keep_blank_values=True, errors="surrogateescape"):
            out.setdefault(k, v)
    return out


def decoded(body: bytes, encoding: str) -> bytes:
    """The body without its Content-Encoding (gzip, deflate), as mitmproxy's `.content`."""
    enc = encoding.strip().lower()
    if not body or enc in ("", "identity"):
        return body
    try:
        if enc in ("gzip", "x-gzip"):
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if enc == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
        if enc == "br":
            import brotli
            return brotli.decompress(body)
    except Exception:
        return body
    return body
