"""The relay engine (proxies/http/relay.py): HTTP/1.1 framing, errors, and the record it leaves,
compared event for event with the mitmproxy engine on the same exchanges. A fake Engine.IO-ish
upstream (asyncio, no Node)."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import json
import os
import socket

import pytest

from harness.timeline import Timeline
from proxies.http.link import HttpLink
from proxies.http.relay import Relay
from proxies.http.strip_cors import StripCors
from proxies.http.strip_upgrade import StripUpgrade

OPEN = b'0{"sid":"S1","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'


class Upstream:
    """Answers by request: a handshake, POSTs (Content-Length or chunked), a 400, gzip, CORS, a 101."""

    def __init__(self):
        self.received: list[tuple[str, bytes]] = []
        self.hosts: list[str] = []
        self.connection_headers: list[str | None] = []
        self.connections = 0
        self.closed = asyncio.Event()

    async def start(self):
        self.server = await asyncio.start_server(self.serve, "127.0.0.1", 0)
        self.address = self.server.sockets[0].getsockname()[:2]
        return self.address

    async def stop(self):
        self.server.close()
        await self.server.wait_closed()

    async def serve(self, r, w):
        self.connections += 1
        try:
            while True:
                head = await r.readuntil(b"\r\n\r\n")
                line, *hdrs = head.decode().split("\r\n")[:-2]
                method, target, _ = line.split(" ")
                h = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in hdrs)}
                self.hosts.append(h.get("host"))
                self.connection_headers.append(h.get("connection"))
                body = b""
                if "chunked" in h.get("transfer-encoding", ""):
                    while True:
                        size = int((await r.readuntil(b"\r\n")).split(b";")[0], 16)
                        data = await r.readexactly(size + 2)
                        if size == 0:
                            break
                        body += data[:-2]
                elif h.get("content-length"):
                    body = await r.readexactly(int(h["content-length"]))
                self.received.append((f"{method} {target}", body))
                if target.startswith("/hold"):
                    try:
                        await r.read()          # wait until the proxy drops the connection
                    finally:
                        self.closed.set()
                    return
                if "upgrade" in h and "websocket" in h["upgrade"].lower():
                    accept = base64.b64encode(hashlib.sha1((h["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
                    w.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode() + b"\x81\x063probe")
                    await w.drain()
                    while data := await r.read(65536):
                        if b"\x88\x82" in data:      # the client's masked close: answer it and end
                            w.write(b"\x88\x02\x03\xe8")
                            await w.drain()
                            break
                    return
                w.write(self.answer(method, target, h, body))
                await w.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            w.close()

    @staticmethod
    def answer(method, target, h, body) -> bytes:
        def resp(status, reason, ctype, payload, extra=()):
            headers = [f"Content-Type: {ctype}", f"Content-Length: {len(payload)}", *extra]
            return (f"HTTP/1.1 {status} {reason}\r\n" + "".join(x + "\r\n" for x in headers) + "\r\n").encode() + payload
        if method == "OPTIONS":
            return resp(204, "No Content", "text/plain", b"", ["Access-Control-Allow-Origin: *",
                                                              "Access-Control-Allow-Methods: GET,POST"])
        if "transport=websocket" in target:
            return resp(400, "Bad Request", "application/json", b'{"code":3,"message":"Bad request"}')
        if "sid=BAD" in target:
            return resp(400, "Bad Request", "application/json", b'{"code":1,"message":"Session ID unknown"}')
        if method == "POST":
            return resp(200, "OK", "text/html", b"ok", ["Access-Control-Allow-Origin: *"])
        if "gzip" in target:
            return resp(200, "OK", "text/plain; charset=UTF-8", gzip.compress(b"42[\"m\",\"" + b"x" * 2000 + b"\"]"),
                        ["Content-Encoding: gzip"])
        if "chunked" in target:
            return b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nTransfer-Encoding: chunked\r\n\r\n" \
                   b"3\r\n40{\r\n8\r\n\"sid\":1}\r\n0\r\n\r\n"
        if "sid=" in target:
            return resp(200, "OK", "text/plain; charset=UTF-8", b'40{"sid":"x"}\x1e2', ["Access-Control-Allow-Origin: *"])
        return resp(200, "OK", "text/plain; charset=UTF-8", OPEN, ["Access-Control-Allow-Origin: *"])


async def read_response(r) -> tuple[int, dict, bytes]:
    head = await r.readuntil(b"\r\n\r\n")
    line, *hdrs = head.decode("latin-1").split("\r\n")[:-2]
    h = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in hdrs)}
    status = int(line.split(" ")[1])
    if status in (101, 204):
        return status, h, b""
    if "content-length" in h:
        return status, h, await r.readexactly(int(h["content-length"]))
    if "chunked" in h.get("transfer-encoding", ""):
        body = b""
        while True:
            size = int((await r.readuntil(b"\r\n")).split(b";")[0], 16)
            data = await r.readexactly(size + 2)
            if size == 0:
                return status, h, body
            body += data[:-2]
    return status, h, await r.read()


def request(method, target, body=b"", headers=(), chunked=False) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", *headers]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        payload = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (body[:1], body[1:])) + b"0\r\n\r\n"
    else:
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        payload = body
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


WS_HEADERS = ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]


def masked(opcode: int, payload: bytes) -> bytes:
    mask = os.urandom(4)
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


async def script(address, fault: str | None) -> None:
    """The same client exchanges, whichever engine serves them."""
    r, w = await asyncio.open_connection(*address)
    P = "/socket.io/?EIO=4&transport=polling"
    for req in (request("GET", P + "&t=1"),
                request("POST", P + "&sid=S1", b"40", ["Content-Type: text/plain;charset=UTF-8"]),
                request("POST", P + "&sid=S1", b'42["a","b"]', ["Content-Type: text/plain;charset=UTF-8"], chunked=True),
                request("GET", P + "&sid=S1"), request("GET", P + "&sid=BAD"),
                request("GET", P + "&sid=S1&gzip=1"), request("GET", P + "&sid=S1&chunked=1"),
                request("OPTIONS", P + "&sid=S1", headers=["Origin: http://a.test"])):
        w.write(req)
        await read_response(r)
    w.close()
    r, w = await asyncio.open_connection(*address)
    w.write(request("GET", "/socket.io/?EIO=4&transport=websocket&sid=S1", headers=WS_HEADERS))
    status, _, _ = await read_response(r)
    if status == 101:
        w.write(masked(1, b"2probe") + masked(1, b"5") + masked(8, b"\x03\xe8"))
        await r.read()
    w.close()


def normalized(timeline: Timeline) -> list[tuple[str, dict]]:
    out = []
    for e in timeline.events():
        if e.kind in ("http", "ws_message", "ws_close", "ws_fastpath"):
            data = {k: v for k, v in e.data.items() if k not in ("ms", "client")}
            if "url" in data:
                data["url"] = data["url"].split("/", 3)[3]
            out.append((e.kind, data))
    return out


async def run_engine(engine: str, fault: str | None):
    up = Upstream()
    address = await up.start()
    timeline = Timeline()
    link = HttpLink("edge", {"engine": engine}, timeline)
    try:
        proxy = await link.start([address])
        if fault:
            name, _, mode = fault.partition(":")
            await link.add_addon(StripUpgrade(mode) if name == "strip_upgrade" else StripCors())
        await asyncio.wait_for(script(proxy, fault), 10)
        await asyncio.sleep(0.1)
    finally:
        await link.stop()
        await up.stop()
    return normalized(timeline), up


@pytest.mark.parametrize("fault", [None, "strip_upgrade:reject", "strip_upgrade:strip-headers",
                                   "strip_upgrade:close-after-101", "strip_cors"])
async def test_relay_records_what_mitmproxy_records(fault):
    relay, up_relay = await run_engine("relay", fault)
    mitm, up_mitm = await run_engine("mitmproxy", fault)
    assert relay == mitm
    assert up_relay.received == up_mitm.received          # the server got the same requests
    for up in (up_relay, up_mitm):                         # Host rewritten to the upstream alike
        assert set(up.hosts) == {"%s:%d" % up.address}
    kinds = [k for k, _ in relay]
    assert kinds.count("http") >= 9


# -- HTTP/1.1 framing and errors (relay only) ---------------------------------------------------
@pytest.fixture
async def relayed():
    up = Upstream()
    address = await up.start()
    timeline = Timeline()
    relay = Relay(address, timeline, "proxy:r", head_timeout=0.3)
    proxy = await relay.start()
    yield proxy, up, timeline
    await relay.stop()
    await up.stop()


async def test_pipelined_requests_are_answered_in_order_on_one_upstream_connection(relayed):
    proxy, up, timeline = relayed
    r, w = await asyncio.open_connection(*proxy)
    P = "/socket.io/?EIO=4&transport=polling"
    w.write(request("GET", P) + request("POST", P + "&sid=S1", b"40") + request("GET", P + "&sid=BAD")
            + request("GET", P + "&sid=S1&chunked=1"))
    answers = [await read_response(r) for _ in range(4)]
    assert [a[0] for a in answers] == [200, 200, 400, 200]
    assert answers[0][2] == OPEN and answers[3][2] == b'40{"sid":1}'
    assert up.connections == 1
    assert [e.data["status"] for e in timeline.events(kind="http")] == [200, 200, 400, 200]
    w.close()


async def test_a_chunked_request_body_is_relayed_and_recorded_decoded(relayed):
    proxy, up, timeline = relayed
    r, w = await asyncio.open_connection(*proxy)
    w.write(request("POST", "/socket.io/?EIO=4&transport=polling&sid=S1", b'42["a"]', chunked=True))
    assert (await read_response(r))[0] == 200
    assert up.received[-1][1] == b'42["a"]'
    sent = timeline.events(kind="http")[-1].data["sent"]
    assert sent["packets"][0]["type"] == "message"
    w.close()


@pytest.mark.parametrize("garbage", [b"HELLO\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
                                     b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"])
async def test_a_garbage_request_gets_400_and_the_connection_closes(relayed, garbage):
    proxy, up, _ = relayed
    r, w = await asyncio.open_connection(*proxy)
    w.write(garbage)
    status, headers, _ = await asyncio.wait_for(read_response(r), 5)
    assert status == 400 and headers["connection"] == "close"
    assert await asyncio.wait_for(r.read(), 5) == b""
    assert up.received == []
    w.close()


async def test_a_slowloris_head_is_cut_after_the_head_timeout(relayed):
    proxy, up, _ = relayed
    r, w = await asyncio.open_connection(*proxy)
    w.write(b"GET / HTTP/1.1\r\nHost: x\r\n")           # never finished
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    assert await asyncio.wait_for(r.read(), 5) == b""
    assert loop.time() - t0 < 2
    assert up.received == []
    w.close()


async def test_an_idle_kept_alive_connection_is_not_a_slowloris(relayed):
    proxy, _, _ = relayed
    r, w = await asyncio.open_connection(*proxy)
    await asyncio.sleep(0.5)                              # longer than head_timeout, before any byte
    w.write(request("GET", "/socket.io/?EIO=4&transport=polling"))
    assert (await read_response(r))[0] == 200
    w.close()


async def test_upstream_refused_gives_502_and_an_error_event():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()
    timeline = Timeline()
    relay = Relay(dead, timeline, "proxy:r")
    proxy = await relay.start()
    try:
        r, w = await asyncio.open_connection(*proxy)
        w.write(request("GET", "/socket.io/?EIO=4&transport=polling"))
        status, headers, _ = await read_response(r)
        assert status == 502 and headers["connection"] == "close"
        event, = timeline.events(kind="http")
        assert event.data["status"] is None and "Connect call failed" in event.data["error"]   # mitmproxy's text
        w.close()
    finally:
        await relay.stop()


async def test_a_client_gone_mid_request_takes_the_upstream_connection_with_it(relayed):
    proxy, up, timeline = relayed
    r, w = await asyncio.open_connection(*proxy)
    w.write(request("GET", "/hold?EIO=4&transport=polling&sid=S1"))
    await asyncio.sleep(0.2)
    w.close()
    await asyncio.wait_for(up.closed.wait(), 5)           # the server saw its long-poll end
    await asyncio.sleep(0.05)
    event, = timeline.events(kind="http")
    assert event.data["error"] == "Client disconnected." and event.data["sid"] == "S1"


async def test_hang_holds_the_upgrade_until_the_fault_is_removed(relayed):
    proxy, up, timeline = relayed
    relay_addon = StripUpgrade("hang")
    # the fixture's relay is reachable through its address only: build one here
    t2 = Timeline()
    relay = Relay(("127.0.0.1", 9), t2, "proxy:h", addons=[relay_addon])
    p2 = await relay.start()
    try:
        r, w = await asyncio.open_connection(*p2)
        w.write(request("GET", "/socket.io/?EIO=4&transport=websocket", headers=WS_HEADERS))
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(r.read(1), 0.3)
        relay.remove_addon(relay_addon)
        assert await asyncio.wait_for(r.read(), 5) == b""
        event, = t2.events(kind="http")
        assert event.data["fault"] == "strip_upgrade:hang"
        w.close()
    finally:
        await relay.stop()


async def test_auto_picks_the_relay_unless_a_planned_fault_needs_mitmproxy():
    from harness.faults.engine_packets import EnginePackets
    from harness.faults.strip_upgrade import StripUpgrade as StripFault
    up = Upstream()
    address = await up.start()
    try:
        for faults, engine in (([StripFault(mode="reject")], "relay"),
                               ([EnginePackets(types=["ping"], action="drop")], "mitmproxy"),
                               ([EnginePackets(types=["ping"], action="drop", proxy="other")], "relay")):
            timeline = Timeline()
            link = HttpLink("edge", {}, timeline)
            link.planned_faults = faults
            await link.start([address])
            await link.stop()
            started, = timeline.events(kind="proxy_started")
            assert started.data["engine"] == engine, started.data
        timeline = Timeline()
        link = HttpLink("edge", {}, timeline)          # faults not known (the Python API): mitmproxy
        await link.start([address])
        await link.stop()
        started, = timeline.events(kind="proxy_started")
        assert started.data["engine"] == "mitmproxy" and "not known" in started.data["engine_reason"]
    finally:
        await up.stop()


async def test_an_addon_the_relay_cannot_apply_switches_engines_before_any_connection():
    from proxies.http.engine_packets import EnginePackets
    up = Upstream()
    address = await up.start()
    timeline = Timeline()
    link = HttpLink("edge", {}, timeline)
    link.planned_faults = []           # a run whose faults were all known, then one added anyway
    try:
        proxy = await link.start([address])
        await link.add_addon(EnginePackets(types=["ping"], action="drop"))
        assert link.engine == "mitmproxy" and link.address == proxy
        r, w = await asyncio.open_connection(*proxy)
        w.write(request("GET", "/socket.io/?EIO=4&transport=polling"))
        assert (await read_response(r))[0] == 200
        w.close()
        link2 = HttpLink("late", {}, timeline)
        link2.planned_faults = []
        p2 = await link2.start([address])
        r, w = await asyncio.open_connection(*p2)
        w.write(request("GET", "/socket.io/?EIO=4&transport=polling"))
        await read_response(r)
        from harness.errors import ScenarioError
        with pytest.raises(ScenarioError, match="engine: mitmproxy"):
            await link2.add_addon(EnginePackets(types=["ping"], action="drop"))
        w.close()
        await link2.stop()
    finally:
        await link.stop()
        await up.stop()
