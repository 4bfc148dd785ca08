"""The relay's upstream pool and its client-gone watch (no node: a scripted asyncio upstream)."""

import asyncio

from harness.timeline import Timeline
from proxies.http.relay import Relay
from test_relay import Upstream, read_response, request

POLL = "/socket.io/?EIO=4&transport=polling"


async def get(proxy, target=POLL):
    r, w = await asyncio.open_connection(*proxy)
    w.write(request("GET", target))
    status, _, body = await read_response(r)
    w.close()
    await w.wait_closed()
    return status, body


async def test_a_new_client_connection_takes_the_idle_upstream_connection():
    up = Upstream()
    relay = Relay(await up.start(), Timeline(), "proxy:r")
    proxy = await relay.start()
    try:
        for _ in range(3):                      # three client connections, one after the other
            assert (await get(proxy))[0] == 200
            await asyncio.sleep(0.05)
        assert up.connections == 1
    finally:
        await relay.stop()
        await up.stop()


async def test_an_upstream_connection_the_server_closed_is_not_taken():
    """A server closing its idle connections (node's keepAliveTimeout) costs no request."""
    connections = []

    async def once(r, w):                       # one response, then the server closes, unasked
        connections.append(w)
        await r.readuntil(b"\r\n\r\n")
        w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await w.drain()
        w.close()

    server = await asyncio.start_server(once, "127.0.0.1", 0)
    timeline = Timeline()
    relay = Relay(server.sockets[0].getsockname()[:2], timeline, "proxy:r")
    proxy = await relay.start()
    try:
        for pause in (0.2, 0):                  # the close seen before the next client, or racing it
            assert await get(proxy) == (200, b"ok")
            await asyncio.sleep(pause)
        assert await get(proxy) == (200, b"ok")
        assert len(connections) == 3
        assert [e.data["status"] for e in timeline.events(kind="http")] == [200, 200, 200]
    finally:
        await relay.stop()
        server.close()
        await server.wait_closed()


async def test_a_client_gone_during_a_response_read_to_close_is_recorded_as_gone():
    ended = asyncio.Event()

    async def endless(r, w):                    # no Content-Length: the body lasts until the server closes
        await r.readuntil(b"\r\n\r\n")
        w.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npartial")
        await w.drain()
        await r.read()                          # until the proxy drops the connection
        ended.set()
        w.close()

    server = await asyncio.start_server(endless, "127.0.0.1", 0)
    timeline = Timeline()
    relay = Relay(server.sockets[0].getsockname()[:2], timeline, "proxy:r")
    proxy = await relay.start()
    try:
        r, w = await asyncio.open_connection(*proxy)
        w.write(request("GET", POLL + "&sid=S9"))
        await asyncio.sleep(0.2)
        w.close()
        await asyncio.wait_for(ended.wait(), 5)
        await asyncio.sleep(0.05)
        event, = timeline.events(kind="http")
        assert event.data["error"] == "Client disconnected." and event.data["status"] is None
    finally:
        await relay.stop()
        server.close()
        await server.wait_closed()


async def test_a_client_closing_its_connection_leaves_the_upstream_one_open():
    """Connection is hop-by-hop: node's polling client sends `close` on every request; the upstream
    connection is asked to stay (then pooled), the client is still told `close` and its connection ends."""
    up = Upstream()
    relay = Relay(await up.start(), Timeline(), "proxy:r")
    proxy = await relay.start()
    try:
        for _ in range(3):
            r, w = await asyncio.open_connection(*proxy)
            w.write(request("GET", POLL, headers=["Connection: close"]))
            status, headers, _ = await read_response(r)
            assert status == 200 and headers["connection"] == "close" and "keep-alive" not in headers
            assert await asyncio.wait_for(r.read(), 5) == b""      # the proxy closed the client's connection
            w.close()
        assert up.connections == 1
        assert up.connection_headers == ["keep-alive"] * 3
    finally:
        await relay.stop()
        await up.stop()
