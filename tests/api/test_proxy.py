"""sockfault.proxy (async face) in front of a python-socketio server, with a python-socketio
AsyncClient as "the user's own client code" connecting through p.url. No Node."""

import asyncio
import socket
import time

import pytest
import socketio

import sockfault


async def connect(url: str, **kwargs) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, wait_timeout=5, **kwargs)
    return client


def is_upgrade(event) -> bool:
    return event.data["packet"]["type"] == "upgrade" and event.data["from"] == "client"


async def test_the_handshake_the_upgrade_and_the_close_are_read_off_the_wire(server):
    async with sockfault.proxy(server.url) as p:
        assert p.url.startswith("http://127.0.0.1:") and p.kind == "http"
        client = await connect(p.url)
        sid = client.eio.sid
        assert await client.call("echo", "hi", timeout=5) == "hi"
        await p.wait_for(is_upgrade, kind="ws_message", sid=sid)
        assert p.transports() == {sid: "websocket"}
        statuses = p.http_statuses()
        assert ("GET", "/socket.io/", 200) in statuses and ("GET", "/socket.io/", 101) in statuses
        assert statuses[0] == sockfault.Exchange("GET", "/socket.io/", 200)   # the handshake comes first
        await client.disconnect()
        await p.wait_for(kind="ws_close", sid=sid)
        ends = p.disconnect_reasons()[sid]
        assert ends[-1]["what"] == "ws_close" and ends[-1]["by"] == "client"
        assert p.upgrade_failures() == {}
        assert {"proxy:tcp", "proxy:http"} <= {e.source for e in p.events()}


async def test_strip_upgrade_keeps_the_session_on_polling_until_it_is_removed(server):
    async with sockfault.proxy(server.url) as p:
        handle = await p.apply("strip_upgrade", mode="reject")
        assert p.active == [handle] and handle.params == {"mode": "reject"}
        stuck = await connect(p.url)
        assert await stuck.call("echo", "still works", timeout=5) == "still works"   # messages flow on polling
        assert p.transports()[stuck.eio.sid] == "polling"
        refusal, = p.upgrade_failures()[stuck.eio.sid]
        assert refusal["status"] == 403 and refusal["fault"] == "strip_upgrade:reject"
        assert ("GET", "/socket.io/", 403) in p.http_statuses()

        await p.remove(handle)
        assert p.active == [] and not handle.active
        fine = await connect(p.url)
        await p.wait_for(is_upgrade, kind="ws_message", sid=fine.eio.sid)
        assert p.transports() == {stuck.eio.sid: "polling", fine.eio.sid: "websocket"}
        assert [e.data["fault"] for e in p.events("fault_applied")] == ["strip_upgrade"]
        await stuck.disconnect()
        await fine.disconnect()


async def test_a_toxic_timeout_makes_the_client_disconnect(server):
    async with sockfault.proxy(server.url) as p:
        client = socketio.AsyncClient(reconnection=False)
        gone = asyncio.Event()
        client.on("disconnect", lambda *reason: gone.set())
        await client.connect(p.url, wait_timeout=5)
        sid = client.eio.sid
        await p.wait_for(is_upgrade, kind="ws_message", sid=sid)
        cut = await p.apply("toxic", type="timeout", attributes={"timeout": 0})     # nothing gets through
        started = time.monotonic()
        await asyncio.wait_for(gone.wait(), 10)     # the heartbeat (1 s + 1 s) notices
        assert time.monotonic() - started >= 1.0
        await p.wait_for(kind="ws_close", sid=sid)
        assert p.disconnect_reasons()[sid][-1]["what"] == "ws_close"
        toxic, = p.events("toxic_added")
        assert toxic.data["type"] == "timeout" and toxic.source == "proxy:tcp"

        await p.remove(cut)
        again = await connect(p.url)
        assert await again.call("echo", 1, timeout=5) == 1
        await again.disconnect()


async def test_a_server_side_disconnect_is_named_as_the_client_would(server):
    async with sockfault.proxy(server.url) as p:
        client = await connect(p.url)
        sid = client.eio.sid
        await p.wait_for(is_upgrade, kind="ws_message", sid=sid)
        await client.emit("kick")
        entry = await p.wait_for(lambda e: e.data["packet"].get("sio", {}).get("type") == "DISCONNECT",
                                 kind="ws_message", sid=sid)
        assert entry.data["from"] == "server"
        ends = p.disconnect_reasons()[sid]
        assert ends[0]["what"] == "sio_disconnect" and ends[0]["reason"] == "io server disconnect"
        await client.disconnect()


async def test_request_deadline_cuts_the_websocket_and_the_fault_is_named(server):
    async with sockfault.proxy(server.url) as p:
        await p.apply("request_deadline", seconds=1.0, http=False)
        client = await connect(p.url)
        sid = client.eio.sid
        close = await p.wait_for(kind="ws_close", sid=sid, timeout=8)
        assert close.data["fault"] == "request_deadline:1s"
        end = p.disconnect_reasons()[sid][-1]
        assert end["what"] == "ws_close" and end["fault"] == "request_deadline:1s"
        await client.disconnect()


async def test_down_refuses_new_sessions_until_it_is_removed(server):
    async with sockfault.proxy(server.url) as p:
        await p.apply("down")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await connect(p.url)
        # the exchange failed upstream (the client got mitmproxy's 502): status None, the error recorded
        assert p.http_statuses() == [("GET", "/socket.io/", None)]
        assert "Connect call failed" in p.exchanges()[0]["error"]
        await p.remove("down")
        client = await connect(p.url)
        assert await client.call("echo", "back", timeout=5) == "back"
        await client.disconnect()


async def test_a_tcp_proxy_carries_toxics_but_has_no_http_view(server):
    async with sockfault.proxy(server.url, kind="tcp") as p:
        assert list(p.links) == ["tcp"]
        await p.apply("toxic", type="latency", attributes={"latency": 300})
        client = await connect(p.url, transports=["websocket"])
        started = time.monotonic()
        assert await client.call("echo", "slow", timeout=5) == "slow"
        assert time.monotonic() - started >= 0.3
        with pytest.raises(sockfault.SockfaultError, match="kind='tcp'"):
            p.transports()
        with pytest.raises(sockfault.SockfaultError, match="HTTP-level faults need kind='http'"):
            await p.apply("strip_upgrade")
        await client.disconnect()


async def test_mistakes_get_clear_errors(server):
    async with sockfault.proxy(server.url) as p:
        with pytest.raises(sockfault.SockfaultError, match=r"unknown fault 'strip_upgrades'.*valid: .*strip_upgrade"):
            await p.apply("strip_upgrades")
        with pytest.raises(sockfault.SockfaultError, match=r"unknown key 'mde'.*valid: mode, proxy, status"):
            await p.apply("strip_upgrade", mde="reject")
        with pytest.raises(sockfault.SockfaultError, match=r"mode must be one of the choices.*valid: strip-headers"):
            await p.apply("strip_upgrade", mode="refuse")
        with pytest.raises(sockfault.SockfaultError, match="missing required key 'type'"):
            await p.apply("toxic")
        with pytest.raises(sockfault.SockfaultError, match="throttle_timers needs a browser client.*your own client"):
            await p.apply("throttle_timers")
        with pytest.raises(sockfault.SockfaultError, match=r"no active fault 'toxic' \(active: none\)"):
            await p.remove("toxic")
        assert p.active == []
        with pytest.raises(sockfault.WaitTimeout, match=r"no event matched kind='ws_close' within 0.2 s"):
            await p.wait_for(kind="ws_close", timeout=0.2)
    with pytest.raises(sockfault.SockfaultError, match="only http:// upstreams"):
        sockfault.proxy("https://example.com")
    with pytest.raises(sockfault.SockfaultError, match="kind 'udp'"):
        sockfault.proxy(server.url, kind="udp")


async def test_stop_releases_the_port_and_removes_active_faults(server):
    p = await sockfault.proxy(("127.0.0.1", server.address[1])).start()
    host, port = p.address
    await p.apply("toxic", type="latency", attributes={"latency": 10})
    await p.stop()
    assert p.active == [] and [e.data["fault"] for e in p.events("fault_removed")] == ["toxic"]
    with socket.socket() as probe:
        assert probe.connect_ex((host, port)) != 0
