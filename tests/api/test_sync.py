"""sockfault.proxy_sync: the same proxy for plain sync tests (its own loop thread), and its
*_async variants for async tests that must not block their loop."""

import asyncio
import socket
import threading
import time

import pytest
import socketio

import sockfault


def test_a_sync_client_through_a_sync_proxy(server):
    with sockfault.proxy_sync(server.url) as p:
        client = socketio.Client(reconnection=False)          # sync python-socketio, polling (requests)
        client.connect(p.url, transports=["polling"], wait_timeout=5)
        assert client.call("echo", "sync", timeout=5) == "sync"
        sid = client.eio.sid
        assert p.transports() == {sid: "polling"}
        assert p.http_statuses()[0] == ("GET", "/socket.io/", 200)

        handle = p.apply("toxic", type="latency", attributes={"latency": 250})
        started = time.monotonic()
        assert client.call("echo", "slow", timeout=5) == "slow"
        assert time.monotonic() - started >= 0.25
        p.remove(handle)
        sent = p.wait_for(kind="http", method="POST", sid=sid,
                          predicate=lambda e: any(pk.get("sio", {}).get("data") == ["echo", "slow"]
                                                  for pk in e.data["sent"]["packets"]))
        assert sent.source == "proxy:http" and sent.data["status"] == 200
        client.disconnect()
        host, port = p.address
    with socket.socket() as probe:
        assert probe.connect_ex((host, port)) != 0       # closed by `with`


def test_wait_for_blocks_until_the_event_and_times_out_as_a_test_failure(server):
    with sockfault.proxy_sync(server.url) as p:
        def later():
            time.sleep(0.3)
            p.timeline.add("elsewhere", "marker", {"n": 1})
        threading.Thread(target=later).start()
        assert p.wait_for(kind="marker", n=1, timeout=5).source == "elsewhere"
        with pytest.raises(AssertionError, match="no event matched kind='marker', n=2 within 0.2 s"):
            p.wait_for(kind="marker", n=2, timeout=0.2)


async def test_the_sync_proxy_from_an_async_test_does_not_block_the_loop(server):
    p = sockfault.proxy_sync(server.url)
    try:
        handle = await p.apply_async("strip_upgrade")
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(p.url, wait_timeout=5)
        assert client.transport() == "polling"
        refusal = await p.wait_for_async(kind="http", status=403, sid=client.eio.sid)
        assert refusal.data["fault"] == "strip_upgrade:reject"
        await p.remove_async(handle)
        await client.disconnect()
    finally:
        p.close()


def test_a_sync_call_from_the_loop_thread_is_refused_not_deadlocked(server):
    from sockfault import _loop

    with sockfault.proxy_sync(server.url) as p:
        async def inside():
            return p.apply("toxic", type="latency", attributes={"latency": 1})
        with pytest.raises(RuntimeError, match="would deadlock"):
            asyncio.run_coroutine_threadsafe(inside(), _loop.background_loop()).result(5)
