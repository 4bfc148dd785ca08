"""The probe against a tiny in-test aiohttp server that replays bytes captured from real servers."""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

import pytest
from aiohttp import WSMsgType, web

from harness.probe import BODY_LIMIT, handshake, probe_all, request, upgrade
from harness.probe import cli
from harness.protocol import ErrorCode, Packet, PacketType
from harness.timeline import Timeline

SEEN = web.AppKey("seen", list)
FIXTURES = Path(__file__).parents[1] / "protocol" / "fixtures"


def recorded(server: str, name: str, index: int = 0) -> dict:
    hits = [e for e in json.loads((FIXTURES / f"{server}.json").read_text())["exchanges"] if e["name"] == name]
    return hits[index]


def replay(e: dict) -> web.Response:
    ctype = e["content_type"] or "text/plain"
    return web.Response(status=e["status"], body=base64.b64decode(e["body_b64"]),
                        headers={"Content-Type": ctype})


def make_app(server: str) -> web.Application:
    """Answers as `server` did: handshakes per EIO, one poll, POST ok, the upgrade probe."""
    v3 = server.startswith("node-2")
    seen: list = []

    async def polling(req: web.Request):
        seen.append((req.method, dict(req.query), req.headers.get("Origin"), await req.read()))
        if req.query.get("transport") == "websocket":
            if req.query.get("sid") == "bogus":
                return web.Response(status=400, text="Session ID unknown", content_type="text/html")
            ws = web.WebSocketResponse()
            await ws.prepare(req)
            if "sid" not in req.query:
                await ws.send_str('0{"sid":"w","upgrades":[],"pingInterval":1,"pingTimeout":2}')
            else:
                msg = await ws.receive()
                if msg.type == WSMsgType.TEXT and msg.data == "2probe":
                    await ws.send_str("3probe")
            await ws.close()
            return ws
        if req.method == "POST":
            return web.Response(text="ok")
        if "sid" in req.query:
            return replay(recorded(server, "poll_pong" if v3 else "poll_ping"))
        return replay(recorded(server, "handshake_default", 0 if req.query.get("EIO") == "3" else 1))

    app = web.Application()
    app[SEEN] = seen
    app.router.add_route("*", "/socket.io/", polling)
    return app


@pytest.fixture
async def serve():
    runners = []

    async def start(server: str) -> tuple[str, web.Application]:
        app = make_app(server)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        return f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}", app
    yield start
    for runner in runners:
        await runner.cleanup()


async def test_handshake_verdicts_and_timeline(serve):
    url, app = await serve("node-4.8.1")
    tl = Timeline()
    v3 = await handshake(url, eio=3, timeline=tl, origin="http://evil.example")
    v4 = await handshake(url, eio=4, timeline=tl)
    assert v3.verdict() == "EIO=3 refused: code 5 Unsupported protocol version"
    assert v4.verdict() == ("EIO=4 ok: pingInterval 25000, pingTimeout 20000, upgrades [websocket], "
                            "maxPayload 1000000")
    assert v3.error.code == ErrorCode.UNSUPPORTED_PROTOCOL_VERSION and not v3.ok and v4.ok
    first, second = tl.events(source="probe", kind="http")
    assert set(first.data) >= {"method", "url", "status", "content_type", "headers", "body", "json", "packets",
                               "error", "eio", "origin"}
    assert first.data["error"] == {"code": 5, "message": "Unsupported protocol version", "family": "node",
                                   "status": 400, "name": "UNSUPPORTED_PROTOCOL_VERSION"}
    assert first.data["json"] == {"code": 5, "message": "Unsupported protocol version"}
    assert first.data["origin"] == "http://evil.example" and first.data["packets"] is None
    assert second.data["packets"][0]["open"]["maxPayload"] == 1000000 and second.data["eio"] == 4
    assert all(k == k.lower() for k in second.data["headers"])
    assert app[SEEN][0][2] == "http://evil.example"


async def test_v2_server_answers_eio4_in_v3_framing(serve):
    url, _ = await serve("node-2.4.1")
    v4 = await handshake(url, eio=4)
    assert v4.server_eio == 3 and v4.open.ping_timeout == 5000
    assert v4.verdict().endswith("(answered in EIO=3 framing)")
    assert [p.data for p in v4.packets] == [v4.packets[0].data, "0"]


async def test_post_poll_and_upgrade(serve):
    url, app = await serve("node-2.4.1")
    tl = Timeline()
    post = await request(url, method="POST", eio=3, sid="abc", body=[Packet(PacketType.PING)],
                         timeline=tl)
    assert post.ok and post.packets is None and app[SEEN][-1][3] == b"1:2"
    poll = await request(url, eio=3, sid="abc", timeline=tl, query={"b64": 1})
    assert [p.type.name for p in poll.packets] == ["PONG"]
    up = await upgrade(url, eio=3, sid="abc", timeline=tl)
    assert up.accepted and up.frames[0]["packet"] == {"type": "pong", "binary": False, "data": "probe"}
    assert up.verdict() == "EIO=3 websocket ok: 3probe"
    ws_only = await upgrade(url, eio=4)
    assert ws_only.frames[0]["packet"]["type"] == "open"
    refused = await upgrade(url, eio=4, sid="bogus", timeline=tl)
    assert not refused.accepted and refused.status == 400
    assert refused.error.code == ErrorCode.SESSION_ID_UNKNOWN and refused.error.family == "node-upgrade"
    assert "refused" in refused.verdict()
    kinds = [e.kind for e in tl.events(source="probe")]
    assert kinds == ["http", "http", "ws_upgrade", "ws_upgrade"]
    ev = tl.events(kind="ws_upgrade")[-1].data
    assert set(ev) >= {"url", "status", "accepted", "body", "error"} and ev["body"] == "Session ID unknown"


async def test_body_truncated_and_str_bodies(serve):
    url, app = await serve("node-4.8.1")
    tl = Timeline()
    r = await request(url, method="POST", sid="x", body="4" + "x" * 10000, timeline=tl)
    assert r.ok and app[SEEN][-1][3].startswith(b"4xx")
    bin_post = await request(url, method="POST", sid="x", body=b"\x00\x01\xff2", eio=3)
    assert bin_post.ok
    r.body = b"y" * (BODY_LIMIT + 10)
    assert len(r.event_data()["body"]) == BODY_LIMIT


async def test_unreachable_and_not_engine_io():
    tl = Timeline()
    r = await handshake("http://127.0.0.1:1", timeline=tl, timeout=2)
    assert r.error.code == ErrorCode.CONNECTION_FAILED and r.verdict().startswith("EIO=4 unreachable")
    u = await upgrade("http://127.0.0.1:1", timeout=2)
    assert u.error.code == ErrorCode.CONNECTION_FAILED and not u.accepted
    assert tl.events()[0].data["error"]["family"] == "network"


async def test_bad_poll_body_is_a_typed_error(serve):
    async def junk(req):
        return web.Response(text="<html>" if "sid" not in req.query else "9junk")
    app = web.Application()
    app.router.add_get("/socket.io/", junk)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    try:
        hs = await handshake(url)
        assert hs.error.code == ErrorCode.NOT_ENGINE_IO and hs.open is None
        poll = await request(url, sid="s")
        assert poll.error.code == ErrorCode.NOT_ENGINE_IO
    finally:
        await runner.cleanup()


async def test_probe_all_sweeps_with_and_without_origin(serve):
    url, app = await serve("node-4.8.1")
    tl = Timeline()
    results = await probe_all(url, origin="http://o.example", timeline=tl)
    origins = {(r.eio, r.origin) for r in results}
    assert origins == {(3, None), (3, "http://o.example"), (4, None), (4, "http://o.example")}
    assert len(tl.events(source="probe")) == len(results)
    v4 = [r for r in results if r.eio == 4 and r.origin is None]
    assert [r.kind for r in v4] == ["http", "http", "http", "ws_upgrade"]


def test_cli(serve, capsys):
    import asyncio
    import threading

    loop = asyncio.new_event_loop()
    ready = threading.Event()
    box: dict = {}

    async def main():
        runner = web.AppRunner(make_app("node-4.8.1"))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        box["url"] = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        box["runner"] = runner
        ready.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(main()), loop.run_forever()))
    thread.start()
    ready.wait(5)
    try:
        parser = argparse.ArgumentParser()
        cli.add_arguments(parser)
        assert cli.run(parser.parse_args([box["url"]])) == 0
        out = capsys.readouterr().out
        assert out.splitlines()[0] == ("EIO=3 refused: code 5 Unsupported protocol version; EIO=4 ok: "
                                       "pingInterval 25000, pingTimeout 20000, upgrades [websocket], "
                                       "maxPayload 1000000")
        assert cli.main([box["url"], "--eio", "3", "--json"]) == 1
        assert json.loads(capsys.readouterr().out.splitlines()[0])["error"]["code"] == 5
        assert cli.main([box["url"], "--full", "--eio", "4"]) == 0
    finally:
        asyncio.run_coroutine_threadsafe(box["runner"].cleanup(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
