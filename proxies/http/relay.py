"""The wire-speed engine of the `http` link: an asyncio HTTP/1.1 relay that records.

mitmproxy spends ~1 ms of CPU on every HTTP request (layers, hooks, flow objects); with
hundreds of long-polling clients that is the proxy's limit. This relay reads each request's
head and body (_h1.py), forwards it on the client connection's own kept-alive upstream
connection, reads the response and relays it, then puts on the timeline exactly the "http"
event the mitmproxy recorder (record.py) gives. An `Upgrade: websocket` answered 101 is
spliced at once, recorded on the side by the fast path's Tap ("ws_fastpath", "ws_message",
"ws_close" as in fastpath.py).

Faults are the addons that can say what to do per request without mitmproxy
(`relay_request(ex)`, `relay_response(ex)`, `relay_websocket_start(ex)`: strip_upgrade,
strip_cors); HttpLink picks this engine only when every addon that may be applied has them
(link.py). Like mitmproxy: the Host header is rewritten to the upstream, an unreachable
upstream is a 502 with `Connection: close`, a client that goes away mid-request takes the
upstream connection with it (the server sees its poll end). A request head must arrive
whole within `head_timeout` of its first byte; a malformed one gets 400 and the connection
closes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable

from ._h1 import (REASONS, H1Error, Head, build_head, decoded, parse_request_head, parse_response_head,
                  query_of, read_body, request_framing, response_framing)
from ._splice import Splice
from ._wstap import Tap
from .record import _body, _json

__all__ = ["Relay", "Exchange", "relay_supported"]

log = logging.getLogger(__name__)

LIMIT = 1 << 16            # the longest head line
HIGH_WATER = 1 << 20
# idle kept-alive upstream connections kept for the next client connection: as many as the long-polls a
# ping answers at once (each hands its connection to that client's pong and next poll); 32 closed all but 32
# of 1,000 and reopened them a moment later (8,107 connects for ~9,000 requests, each through the in-process
# TCP proxy too). Idle ones go when the server closes them (node's keepAliveTimeout, _unpool).
POOL = 1024


def relay_supported(addon: Any) -> bool:
    """Whether the relay can apply this addon (it says so with `relay = True`)."""
    return bool(getattr(addon, "relay", False))


class Exchange:
    """One request as relay-aware addons see it (the relay's counterpart of a mitmproxy flow)."""

    __slots__ = ("method", "target", "version", "headers", "metadata", "response", "hold",
                 "status", "resp_headers", "query")

    def __init__(self, head: Head):
        self.method, self.target, self.version = head.first
        self.headers: list[tuple[str, str]] = list(head.headers)
        self.query = query_of(self.target)
        self.metadata: dict[str, Any] = {}
        self.response: tuple[int, list[tuple[str, str]], bytes] | None = None   # answered here
        self.hold: asyncio.Future | None = None     # an addon holds the request until it resolves
        self.status: int | None = None
        self.resp_headers: list[tuple[str, str]] | None = None

    def header(self, name: str, default: str = "") -> str:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), default)

    def drop_header(self, name: str) -> None:
        name = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name]

    def respond(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        """Answer here instead of forwarding (Content-Length added, as mitmproxy's Response.make)."""
        self.response = (status, [*headers, ("content-length", str(len(body)))], body)


class _Reader(asyncio.StreamReader):
    """A StreamReader that says when its connection is gone (EOF or error)."""

    def __init__(self):
        super().__init__(limit=LIMIT)
        self.gone = asyncio.Event()
        self.on_gone: Callable[[], None] | None = None     # called once when it goes

    def feed_eof(self):
        super().feed_eof()
        self._went()

    def set_exception(self, exc):
        super().set_exception(exc)
        self._went()

    def _went(self) -> None:
        if not self.gone.is_set():
            self.gone.set()
            if self.on_gone is not None:
                self.on_gone()


class _Shim:
    """What Tap reads off a mitmproxy flow: request.query, response.headers."""

    def __init__(self, query: dict, resp_headers: list[tuple[str, str]]):
        self.request = self
        self.query = query
        self.response = self
        self.headers = Head(("", "", ""), resp_headers)


class _Gone(Exception):
    """The client went away while its request was in flight."""


class Relay:
    def __init__(self, upstream: tuple[str, int], timeline, source: str, addons: list[Any] = (),
                 record_ws: bool = True, listen_host: str = "127.0.0.1", listen_port: int = 0,
                 head_timeout: float = 30.0, backlog: int = 4096):
        self.upstream, self.timeline, self.source = tuple(upstream), timeline, source
        self.addons: list[Any] = list(addons)
        self.record_ws, self.head_timeout, self.backlog = record_ws, head_timeout, backlog
        self.listen = (listen_host, listen_port)
        host, port = self.upstream
        self.host_header = host if port == 80 else f"{host}:{port}"
        self.url_base = f"http://{self.host_header}"
        self.accepted = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self._transports: set[asyncio.BaseTransport] = set()
        self._idle: list[tuple[_Reader, asyncio.StreamWriter]] = []    # the upstream pool (_pool, _pooled)

    async def start(self) -> tuple[str, int]:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: asyncio.StreamReaderProtocol(_Reader(), self._accept), *self.listen, backlog=self.backlog)
        return self._server.sockets[0].getsockname()[:2]

    def add_addon(self, addon: Any) -> None:
        self.addons.append(addon)

    def remove_addon(self, addon: Any) -> None:
        if addon in self.addons:
            self.addons.remove(addon)
            if hasattr(addon, "done"):
                addon.done()

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        self._idle.clear()          # their transports are aborted below
        for addon in self.addons:
            if hasattr(addon, "done"):
                addon.done()
        for t in list(self._transports):
            t.abort()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()

    # -- one client connection -----------------------------------------------------------------
    def _accept(self, reader: _Reader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        task = asyncio.ensure_future(self._serve(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, reader: _Reader, writer: asyncio.StreamWriter) -> None:
        self._transports.add(writer.transport)
        peer = writer.get_extra_info("peername")
        client_port = peer[1] if peer else None
        up: list = [None]          # this client connection's upstream (reader, writer)
        try:
            while await self._one(reader, writer, client_port, up):
                pass
            self._pool(up)             # idle between exchanges: the next client connection takes it
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception:              # a bug of ours must not kill the proxy
            log.exception("relay connection")
        finally:
            for w in (writer, up[0] and up[0][1]):
                if w is not None:
                    w.close()
                    self._transports.discard(w.transport)

    async def _head(self, reader: _Reader) -> tuple[bytes, float] | None:
        first = await reader.read(1)
        while first in (b"\r", b"\n"):          # stray CRLF between requests (RFC 9112 2.2)
            first = await reader.read(1)
        if not first:
            return None
        started = time.time()
        try:
            async with asyncio.timeout(self.head_timeout):      # a timer, not a task per request
                rest = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            raise H1Error("request head too long") from None
        except asyncio.IncompleteReadError:
            return None
        return first + rest, started

    async def _one(self, reader: _Reader, writer, client_port, up: list) -> bool:
        """Serve one request; False: close the client connection."""
        try:
            got = await self._head(reader)
            if got is None:
                return False
            raw_head, started = got
            head = parse_request_head(raw_head)
            raw_body, body = await read_body(reader, request_framing(head))
        except asyncio.TimeoutError:
            return False                        # slowloris: the head did not come whole in time
        except H1Error as e:
            writer.write(_error_response(400, str(e)))
            return False
        ex = Exchange(head)
        for addon in list(self.addons):
            hook = getattr(addon, "relay_request", None)
            if hook is not None:
                hook(ex)
        if ex.hold is not None:
            await _first(ex.hold, reader.gone.wait())
            self._record(ex, started, client_port, body, error="Connection killed.")
            return False
        if ex.response is not None:
            status, headers, resp_body = ex.response
            ex.status, ex.resp_headers = status, headers
            self._respond_hooks(ex)
            writer.write(build_head(("HTTP/1.1", str(status), REASONS.get(status, "")), ex.resp_headers) + resp_body)
            self._record(ex, started, client_port, body, resp_body=resp_body)
            return _keep_alive(head, ex.resp_headers)
        # forward
        headers = [("Host", self.host_header) if k.lower() == "host" else (k, v) for k, v in ex.headers]
        if not any(k.lower() == "host" for k, _ in ex.headers):
            headers.insert(0, ("Host", self.host_header))
        # Connection is hop-by-hop (RFC 9110 7.6.1): a client's `close` (node's polling client sends it on
        # every request) ends its own connection, not the upstream one, which the pool keeps for the next
        closing = ex.version == "HTTP/1.1" and head.get("connection").strip().lower() == "close"
        if closing:
            headers = [(k, "keep-alive") if k.lower() == "connection" else (k, v) for k, v in headers]
        out = build_head((ex.method, ex.target, ex.version), headers) + raw_body
        try:
            rhead, raw_resp_head, resp_raw, resp_body = await self._forward(out, ex.method, reader, up)
        except _Gone:
            self._record(ex, started, client_port, body, error="Client disconnected.")
            return False
        except (OSError, asyncio.IncompleteReadError, H1Error, asyncio.LimitOverrunError) as e:
            msg = _upstream_error(e, self.upstream)
            self._drop_upstream(up)
            writer.write(_error_response(502, msg))
            self._record(ex, started, client_port, body, error=msg)
            return False
        ex.status, ex.resp_headers = int(rhead.first[1]), list(rhead.headers)
        self._respond_hooks(ex)
        if closing and ex.status != 101:     # what the server says to a `close` request, not to ours
            ex.resp_headers = [(k, v) for k, v in ex.resp_headers if k.lower() not in ("connection", "keep-alive")]
            ex.resp_headers.append(("Connection", "close"))
        if ex.resp_headers != rhead.headers:
            raw_resp_head = build_head(rhead.first, ex.resp_headers)
        writer.write(raw_resp_head + resp_raw)
        self._record(ex, started, client_port, body, resp_body=resp_body)
        if writer.transport.get_write_buffer_size() > HIGH_WATER:
            await writer.drain()
        if ex.status == 101:
            await self._splice(ex, client_port, reader, writer, up)
            return False
        framing = response_framing(rhead, ex.method)[0]
        keep = framing != "close" and _keep_alive(head, ex.resp_headers)
        if framing == "close" or not (keep or closing) or "close" in rhead.get("connection").lower():
            self._drop_upstream(up)         # the server may close it: never pooled
        return keep

    def _respond_hooks(self, ex: Exchange) -> None:
        for addon in list(self.addons):
            hook = getattr(addon, "relay_response", None)
            if hook is not None:
                hook(ex)

    async def _connect(self) -> tuple[_Reader, asyncio.StreamWriter]:
        loop = asyncio.get_running_loop()
        r = _Reader()
        transport, protocol = await loop.create_connection(lambda: asyncio.StreamReaderProtocol(r), *self.upstream)
        self._transports.add(transport)
        return r, asyncio.StreamWriter(transport, protocol, r, loop)

    def _drop_upstream(self, up: list) -> None:
        if up[0] is not None:
            self._transports.discard(up[0][1].transport)
            up[0][1].transport.abort()
            up[0] = None

    async def _forward(self, out: bytes, method: str, client: _Reader, up: list):
        for attempt in (0, 1):
            if up[0] is None or up[0][0].gone.is_set():
                self._drop_upstream(up)
                up[0] = self._pooled()
            reused = up[0] is not None
            if not reused:
                up[0] = await _or_gone(self._connect(), client, self, up)
            r, w = up[0]
            w.write(out)
            if client.gone.is_set() and not client._buffer:
                self._drop_upstream(up)
                raise _Gone
            cut: list[bool] = []

            def gone(w=w) -> None:          # the client went: so does its request upstream
                cut.append(True)
                w.transport.abort()
            client.on_gone = gone
            try:
                got = await self._response(r, method)
                if cut:                     # read to the abort ("close" framing): not a response
                    raise asyncio.IncompleteReadError(b"", None)
                return got
            except asyncio.IncompleteReadError as e:
                self._drop_upstream(up)
                if cut:
                    raise _Gone from None
                if reused and not e.partial and attempt == 0:
                    continue        # the server closed an idle kept-alive connection as we sent: retry once
                raise
            finally:
                client.on_gone = None
        raise AssertionError("unreachable")

    def _pool(self, up: list) -> None:
        conn, up[0] = up[0], None
        if conn is None:
            return
        r, w = conn
        if r.gone.is_set() or r._buffer or len(self._idle) >= POOL or self._server is None:
            up[0] = conn            # closed by the caller
            return
        self._idle.append(conn)
        r.on_gone = lambda: self._unpool(conn)

    def _unpool(self, conn) -> None:
        """A pooled connection the server closed: gone from the pool at once."""
        if conn in self._idle:
            self._idle.remove(conn)
            self._transports.discard(conn[1].transport)
            conn[1].transport.abort()

    def _pooled(self) -> tuple[_Reader, asyncio.StreamWriter] | None:
        while self._idle:
            r, w = self._idle.pop()
            r.on_gone = None
            if not r.gone.is_set() and not r._buffer:
                return r, w
            self._transports.discard(w.transport)
            w.transport.abort()
        return None

    async def _response(self, r: _Reader, method: str):
        while True:
            raw_head = await r.readuntil(b"\r\n\r\n")
            head = parse_response_head(raw_head)
            if 100 <= int(head.first[1]) < 200 and head.first[1] != "101":
                continue            # 100 Continue and friends: the final response follows
            raw, body = await read_body(r, response_framing(head, method))
            return head, raw_head, raw, body

    async def _splice(self, ex: Exchange, client_port, creader: _Reader, cwriter, up: list) -> None:
        sreader, swriter = up[0]
        up[0] = None
        self._transports.add(swriter.transport)     # still ours until the splice ends
        cut = False
        for addon in list(self.addons):
            hook = getattr(addon, "relay_websocket_start", None)
            if hook is not None and hook(ex):
                cut = True
        sid, eio = ex.query.get("sid"), ex.query.get("EIO")
        if cut:      # as mitmproxy: what the server sent with its 101 is recorded, not relayed
            swriter.transport.abort()
            if self.record_ws and sreader._buffer:
                Tap(self.timeline, self.source, _Shim(ex.query, ex.resp_headers)).feed("server", bytes(sreader._buffer))
            data = {"sid": sid, "code": 1006, "reason": None, "closed_by": "client"}
            if "sockfault.fault" in ex.metadata:
                data["fault"] = ex.metadata["sockfault.fault"]
            self.timeline.add(self.source, "ws_close", data)
            return
        self.timeline.add(self.source, "ws_fastpath", {"sid": sid, "eio": eio, "client": client_port})
        tap = Tap(self.timeline, self.source, _Shim(ex.query, ex.resp_headers), record=self.record_ws)
        splice = Splice(cwriter.transport, swriter.transport, tap.feed)
        early = {"client": bytes(creader._buffer), "server": bytes(sreader._buffer)}
        creader._buffer.clear()
        sreader._buffer.clear()
        splice.start(early, {side for side, r in (("client", creader), ("server", sreader)) if r.at_eof() or r.gone.is_set()})
        try:
            gone = await splice.done
        finally:
            if not splice.done.done():       # cancelled: the relay stops
                splice.abort()
            swriter.close()
            self._transports.discard(swriter.transport)
        counts = splice.counts
        code, reason, by = tap.close or (1006, "", gone)
        data = {"sid": sid, "code": code, "reason": reason, "closed_by": by, "fastpath": True,
                "bytes_from_client": counts["client"], "bytes_from_server": counts["server"]}
        if "sockfault.fault" in ex.metadata:
            data["fault"] = ex.metadata["sockfault.fault"]
        self.timeline.add(self.source, "ws_close", data)

    # -- the record: record.Record's "http" event, field for field ------------------------------
    def _record(self, ex: Exchange, started: float, client_port, body: bytes, resp_body: bytes | None = None,
                error: str | None = None) -> None:
        eio = ex.query.get("EIO")
        data = {"method": ex.method, "url": self.url_base + ex.target, "path": ex.target.split("?", 1)[0],
                "transport": ex.query.get("transport"), "sid": ex.query.get("sid"), "eio": eio,
                "client": client_port, "ms": round((time.time() - started) * 1000, 1)}
        for key in ("upstream", "fault", "dropped", "delayed"):
            if f"sockfault.{key}" in ex.metadata:
                data[key] = ex.metadata[f"sockfault.{key}"]
        if ex.method == "POST" and body:
            data["sent"] = _body(body, eio, ex.header("content-type"))
        if error is not None:
            data["status"] = None
            data["error"] = error
        else:
            head = Head(("", "", ""), ex.resp_headers)
            ctype = head.get("content-type")
            data["status"] = ex.status
            data["content_type"] = ctype
            if ex.status != 101:
                content = decoded(resp_body or b"", head.get("content-encoding"))
                data["body"] = _body(content, eio, ctype if ex.status == 200 else "application/json")
                data["json"] = _json(content, ctype)
        self.timeline.add(self.source, "http", data)


async def _first(*aws) -> None:
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()


async def _or_gone(aw, client: _Reader, relay: Relay, up: list):
    """`aw`, unless the client goes away first: then the upstream connection goes too (_Gone)."""
    task = asyncio.ensure_future(aw)
    task.add_done_callback(_retrieve)
    watch = asyncio.ensure_future(client.gone.wait())
    try:
        if not (client.gone.is_set() and not client._buffer):
            await asyncio.wait((task, watch), return_when=asyncio.FIRST_COMPLETED)
    finally:
        watch.cancel()
        if not task.done():
            task.cancel()
    if not task.done() or task.cancelled():
        relay._drop_upstream(up)
        raise _Gone
    return task.result()


def _retrieve(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()


def _keep_alive(head: Head, resp_headers: list[tuple[str, str]]) -> bool:
    conn = head.get("connection").lower()
    if "close" in conn or "close" in Head(("", "", ""), resp_headers).get("connection").lower():
        return False
    return head.first[2] == "HTTP/1.1" or "keep-alive" in conn


def _error_response(status: int, message: str) -> bytes:
    """As mitmproxy's make_error_response: text/html, Connection: close."""
    body = (f"<html><head><title>{status} {REASONS.get(status, '')}</title></head>"
            f"<body><h1>{status} {REASONS.get(status, '')}</h1><p>{message}</p></body></html>\n").encode()
    return build_head(("HTTP/1.1", str(status), REASONS.get(status, "")),
                      [("Server", "sockfault-relay"), ("Connection", "close"), ("Content-Type", "text/html"),
                       ("content-length", str(len(body)))]) + body


def _upstream_error(e: BaseException, upstream: tuple[str, int]) -> str:
    if isinstance(e, asyncio.IncompleteReadError):
        return "Server disconnected."
    if isinstance(e, H1Error):
        return f"HTTP/1 protocol error: {e}"
    return str(e) or type(e).__name__
