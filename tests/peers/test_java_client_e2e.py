"""The Java client runner (harness/peers/java) driven directly over the JSON-lines protocol against
real bundled Node servers: the page's Java table, cell by cell, and the runner's own life cycle.
Skipped with the catalogue's reason where there is no JDK / Maven or `make` has not built it."""

import asyncio
import json
import shutil
import time

import pytest

from harness.peers import resolve_peer, unavailable_reason
from harness.peers._catalog import NODE_DIR

V1, V2 = resolve_peer("java@1.0.2", "client"), resolve_peer("java@2.1.x", "client")
_REASON = unavailable_reason(V1) or unavailable_reason(V2)
pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(_REASON is not None, reason=_REASON or ""),
              pytest.mark.skipif(shutil.which("node") is None, reason="needs node")]


class Peer:
    def __init__(self, proc):
        self.proc, self.events = proc, []

    @classmethod
    async def spawn(cls, argv, cwd=None):
        return cls(await asyncio.create_subprocess_exec(
            *argv, cwd=cwd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, start_new_session=True))

    def send(self, **cmd):
        self.proc.stdin.write((json.dumps(cmd) + "\n").encode())

    async def expect(self, events, timeout=10.0, **match):
        events = {events} if isinstance(events, str) else set(events)
        hit = lambda ev: ev["event"] in events and match.items() <= ev.items()   # noqa: E731
        seen = [e for e in self.events if hit(e)]
        if seen:
            return seen[0]
        deadline = time.monotonic() + timeout
        while True:
            line = await asyncio.wait_for(self.proc.stdout.readline(), max(deadline - time.monotonic(), 0.01))
            assert line, f"peer exited waiting for {events}; saw {self.events}"
            ev = json.loads(line)
            self.events.append(ev)
            if hit(ev):
                return ev

    async def kill(self):
        if self.proc.returncode is None:
            self.proc.kill()
        await self.proc.wait()


@pytest.fixture
async def cell():
    peers = []

    async def make(server, java, server_options=None, client_options=None):
        s = await Peer.spawn(["node", str(NODE_DIR / "server.js"), f"sio-{server}"], cwd=str(NODE_DIR))
        c = await Peer.spawn(java.argv)
        peers.extend([s, c])
        assert (await c.expect("hello", timeout=20))["version"] == java.version
        await s.expect("hello")
        s.send(cmd="start", host="127.0.0.1", port=0, options=server_options or {})
        port = (await s.expect("listening"))["port"]
        c.send(cmd="connect", url=f"http://127.0.0.1:{port}", options={"reconnection": False, **(client_options or {})})
        return s, c

    yield make
    for p in peers:
        await p.kill()


async def _round_trip(s, c, eio):
    """connected (and upgraded), an acked emit, an event each way."""
    connect = await c.expect("connect")
    assert connect["id"]
    conn = await s.expect("connection")
    assert conn["eio"] == eio
    await c.expect("upgrade", transport="websocket")
    c.send(cmd="emit", event="hello", args=["from java", {"$bytes": 20}], ack="a1")
    ack = await c.expect("ack", ack="a1")
    assert ack["args"] == [{"name": "hello", "size": len(json.dumps(["from java", "x" * 20], separators=(",", ":")))}]
    assert (await s.expect("message", name="hello"))["args"] == ["from java", "x" * 20]
    news = [{"n": 1, "t": "h\u00e9llo \u2713 </"}]           # size counts characters as JSON.stringify writes them
    s.send(cmd="emit", event="news", args=news)
    event = await c.expect("event", name="news")
    assert event["args"] == news and event["size"] == len(json.dumps(news, ensure_ascii=False, separators=(",", ":")))


async def test_java_1_reaches_a_2x_server(cell):
    s, c = await cell("2.4.1", V1)
    await _round_trip(s, c, eio=3)
    c.send(cmd="disconnect")
    assert (await s.expect("disconnect"))["reason"] == "client namespace disconnect"
    assert (await c.expect("disconnect"))["reason"] == "io client disconnect"


@pytest.mark.parametrize("server", ["4.8.1", "3.1.2"])
async def test_java_1_is_refused_by_3x_4x_without_allow_eio3(cell, server):
    s, c = await cell(server, V1)
    err = await c.expect(["connect", "connect_error"])
    assert (err["event"], err["message"], err["description"]) == ("connect_error", "xhr poll error", 400)


@pytest.mark.parametrize("server", ["4.8.1", "3.1.2"])
async def test_java_1_reaches_3x_4x_with_allow_eio3(cell, server):
    s, c = await cell(server, V1, server_options={"allowEIO3": True})
    await _round_trip(s, c, eio=3)


@pytest.mark.parametrize("server", ["4.8.1", "3.1.2"])
async def test_java_2_reaches_3x_4x(cell, server):
    s, c = await cell(server, V2)
    await _round_trip(s, c, eio=4)


@pytest.mark.parametrize("server, java, options", [("2.4.1", V1, {}), ("4.8.1", V1, {"allowEIO3": True}), ("4.8.1", V2, {})],
                         ids=["1.0.2-2.4.1", "1.0.2-4.8.1-eio3", "2.1.2-4.8.1"])
async def test_binary_goes_both_ways(cell, server, java, options):
    s, c = await cell(server, java, server_options=options)
    await c.expect("connect")
    c.send(cmd="emit", event="echo", args=["bin", {"$binary": 16}], ack="b1")   # the server echoes "echo" back
    assert (await s.expect("message", name="echo"))["args"] == ["bin", {"$buffer": 16}]
    assert (await c.expect("event", name="echo"))["args"] == ["bin", {"$buffer": 16}]
    assert (await c.expect("ack", ack="b1"))["args"][0]["name"] == "echo"


@pytest.mark.parametrize("transports, message", [
    (None, "server error"),                # the v3-framed polling answer is no v4 payload ("parser error")
    (["websocket"], "It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, which is not possible"),
])
async def test_java_2_fails_on_a_2x_server(cell, transports, message):
    s, c = await cell("2.4.1", V2, client_options={"transports": transports} if transports else None)
    err = await c.expect(["connect", "connect_error"])
    assert (err["event"], err["message"]) == ("connect_error", message)


async def test_the_runner_exits_on_stop_and_when_stdin_closes(cell):
    s, c = await cell("4.8.1", V2)
    await c.expect("connect")
    c.send(cmd="bogus")
    assert (await c.expect("error"))["message"] == "unknown command"
    c.send(cmd="connect", url="http://127.0.0.1:1")
    assert "already connected" in (await c.expect("error", cmd="connect"))["message"]
    c.send(cmd="stop")
    await c.expect("stopped")
    assert await asyncio.wait_for(c.proc.wait(), 5) == 0
    # a second runner, connected, whose stdin just closes
    other = await Peer.spawn(V1.argv)
    try:
        await other.expect("hello", timeout=20)
        other.proc.stdin.close()
        assert await asyncio.wait_for(other.proc.wait(), 5) == 0
    finally:
        await other.kill()


@pytest.mark.parametrize("java", [V1, V2], ids=["1.0.2", "2.1.2"])
async def test_java_events_carry_a_monotonic_stamp_on_the_runners_clock(cell, java):
    """`mono` (docs/peer-protocol.md): ms of CLOCK_MONOTONIC when the event happened, which the runner
    reads with time.monotonic; stamps rise, and none is from after the runner read its line."""
    s, c = await cell("4.8.1", java, server_options={"allowEIO3": True})
    await c.expect("connect")
    read_at = time.monotonic() * 1000
    stamps = [e["mono"] for e in c.events]
    assert len(stamps) == len(c.events) >= 2 and stamps == sorted(stamps)
    assert read_at - 20_000 < stamps[0] and stamps[-1] <= read_at
