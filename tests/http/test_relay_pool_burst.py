"""The relay's upstream pool under a ping burst: every long-poll answered at once hands its upstream
connection to the requests that follow (the pongs and the next polls), none is reopened.

With 1,000 polling clients a ping answers ~1,000 held long-polls together; a pool capped at 32 closed
all but 32 of those upstream connections and opened new ones a moment later (8,107 connects for ~9,000
requests through bench_load's relay, each connect also a new connection through the in-process TCP proxy).
"""

import asyncio

from harness.timeline import Timeline
from proxies.http.relay import Relay
from test_relay import read_response, request

N = 100          # concurrent long-polls: more than the old cap of 32


class GatedUpstream:
    """/poll waits for `release`; anything else is answered at once. Counts connections (keep-alive)."""

    def __init__(self):
        self.connections = 0
        self.release = asyncio.Event()
        self.polls = 0
        self.all_polling = asyncio.Event()

    async def start(self):
        self.server = await asyncio.start_server(self.serve, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[:2]

    async def stop(self):
        self.server.close()
        await self.server.wait_closed()

    async def serve(self, r, w):
        self.connections += 1
        try:
            while True:
                head = await r.readuntil(b"\r\n\r\n")
                if head.startswith(b"GET /poll"):
                    self.polls += 1
                    if self.polls == N:
                        self.all_polling.set()
                    await self.release.wait()
                w.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
                await w.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            w.close()


async def one(proxy, target):
    """A request on its own client connection with `Connection: close`, as node's polling client sends it."""
    r, w = await asyncio.open_connection(*proxy)
    w.write(request("GET", target, headers=["Connection: close"]))
    status, _, _ = await read_response(r)
    w.close()
    await w.wait_closed()
    return status


async def test_a_burst_of_answered_long_polls_hands_every_upstream_connection_to_the_next_requests():
    up = GatedUpstream()
    relay = Relay(await up.start(), Timeline(), "proxy:r")
    proxy = await relay.start()
    try:
        polls = [asyncio.ensure_future(one(proxy, "/poll")) for _ in range(N)]
        await asyncio.wait_for(up.all_polling.wait(), 20)
        assert up.connections == N
        up.release.set()                                   # the ping: every long-poll answered at once
        assert await asyncio.gather(*polls) == [200] * N
        for _ in range(100):                               # the relay pools each as its client connection ends
            if len(relay._idle) == N:
                break
            await asyncio.sleep(0.02)
        assert len(relay._idle) == N
        # the pongs: as many requests at once again; each takes an idle connection
        assert await asyncio.gather(*(one(proxy, "/pong") for _ in range(N))) == [200] * N
        assert up.connections == N
    finally:
        await relay.stop()
        await up.stop()
