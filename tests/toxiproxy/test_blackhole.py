"""The blackhole fault: both directions dropped at once, no FIN, no RST, until removed."""

from __future__ import annotations

import asyncio

import pytest

from harness.errors import ScenarioError
from harness.faults import FaultContext, load_fault
from harness.faults.blackhole import Blackhole
from harness.timeline import Timeline
from _toxiproxy_helpers import FakeLink
from proxies.toxiproxy.link import ToxiproxyLink


def test_registered():
    assert load_fault("blackhole") is Blackhole and Blackhole.name == "blackhole"


async def test_two_timeout_toxics_one_per_stream():
    fake = FakeLink()
    ctx = FaultContext(Timeline(), links={"net": fake})
    f = Blackhole()
    await f.remove(ctx)                    # not applied: nothing to undo
    await f.apply(ctx)
    added = [c for c in fake.calls if c[0] == "add"]
    assert sorted(c[2] for c in added) == ["downstream", "upstream"]
    assert all(c[1] == "timeout" and c[3] == {"timeout": 0} and c[4] == 1.0 for c in added)
    await f.remove(ctx)
    await f.remove(ctx)                    # a second remove is a no-op
    assert sorted(c[1] for c in fake.calls if c[0] == "remove") == sorted(c[5] for c in added)


async def test_needs_its_proxy():
    with pytest.raises(ScenarioError):
        await Blackhole().apply(FaultContext(Timeline(), links={"a": FakeLink(), "b": FakeLink()}))
    with pytest.raises(ScenarioError):
        await Blackhole(proxy="zz").apply(FaultContext(Timeline(), links={"a": FakeLink()}))


@pytest.fixture
async def recorder():
    """An upstream that records what it receives and whether it saw an EOF or a reset; it
    answers each chunk with b"pong"."""
    seen = {"data": b"", "eof": False, "writers": []}

    async def handle(reader, writer):
        seen["writers"].append(writer)
        try:
            while data := await reader.read(65536):
                seen["data"] += data
                writer.write(b"pong")
                await writer.drain()
            seen["eof"] = True
        except ConnectionError:
            seen["eof"] = True

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[:2], seen
    for w in seen["writers"]:
        w.close()
    server.close()
    await server.wait_closed()


@pytest.fixture
async def connected(recorder):
    """A real ToxiproxyLink in front of the recorder, and one connection through it that has
    exchanged a first chunk: (timeline, fault context, reader, writer, what the upstream saw)."""
    upstream, seen = recorder
    timeline = Timeline()
    link = ToxiproxyLink("net", {}, timeline)
    addr = await link.start([upstream])
    try:
        reader, writer = await asyncio.open_connection(*addr)
        writer.write(b"a")
        assert await asyncio.wait_for(reader.readexactly(4), 2) == b"pong"
        yield timeline, FaultContext(timeline, links={"net": link}), reader, writer, seen
    finally:
        await link.stop()


async def test_half_open_on_a_real_link(connected):
    timeline, ctx, reader, writer, seen = connected
    f = Blackhole()
    await f.apply(ctx)
    writer.write(b"lost-upstream")               # never reaches the server
    seen["writers"][0].write(b"lost-downstream")  # never reaches the client
    with pytest.raises(asyncio.TimeoutError):     # no data, no EOF, no RST: silence
        await asyncio.wait_for(reader.read(100), 0.4)
    assert seen["data"] == b"a" and not seen["eof"]
    assert not writer.is_closing()
    await f.remove(ctx)
    writer.write(b"b")                            # flows again; the dropped bytes stay dropped
    assert await asyncio.wait_for(reader.readexactly(4), 2) == b"pong"
    await asyncio.sleep(0.05)
    assert seen["data"] == b"ab"
    added = [e.data["stream"] for e in timeline.events(source="proxy:net") if e.kind == "toxic_added"]
    assert sorted(added) == ["downstream", "upstream"]
    writer.close()


async def test_a_peer_close_is_held(connected):
    """The client closes during the blackhole: the server sees no FIN (a half-open connection)."""
    _, ctx, _, writer, seen = connected
    f = Blackhole()
    await f.apply(ctx)
    writer.close()
    await asyncio.sleep(0.4)
    assert not seen["eof"]
    await f.remove(ctx)                           # the held close goes through
    for _ in range(40):
        if seen["eof"]:
            break
        await asyncio.sleep(0.05)
    assert seen["eof"]
