"""ToxiproxyLink (through toxiproxy-python) and the toxic / down faults, on a real Timeline."""

from __future__ import annotations

import asyncio
import time
from dataclasses import fields

import pytest
import requests

from harness.errors import ProxyError, ScenarioError
from harness.faults import FaultContext, load_fault
from harness.faults.down import DownFault
from harness.faults.toxic import ToxicFault
from harness.links import load_link
from harness.timeline import Timeline
from proxies.toxiproxy import ToxiproxyServer
from _toxiproxy_helpers import FakeLink
from proxies.toxiproxy.link import ToxiproxyLink, api_address


@pytest.fixture
async def echo_server():
    async def handle(reader, writer):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[:2]
    server.close()
    await server.wait_closed()


@pytest.fixture
async def link(echo_server):
    timeline = Timeline()
    link = ToxiproxyLink("edge", {}, timeline)
    addr = await link.start([echo_server])
    yield link, addr, timeline
    await link.stop()


async def rtt(addr, payload=b"ping") -> float:
    reader, writer = await asyncio.open_connection(*addr)
    try:
        start = time.perf_counter()
        writer.write(payload)
        assert await asyncio.wait_for(reader.readexactly(len(payload)), 3) == payload
        return (time.perf_counter() - start) * 1000
    finally:
        writer.close()


def api_url() -> str:
    host, port = api_address()
    return f"http://{host}:{port}"


def test_registered():
    assert load_link("toxiproxy") is ToxiproxyLink and ToxiproxyLink.kind == "toxiproxy"
    assert load_fault("toxic") is ToxicFault and load_fault("down") is DownFault
    assert ToxiproxyLink.unavailable_reason() is None


async def test_start_creates_a_proxy_through_the_api(link):
    lk, addr, timeline = link
    assert addr[0] == "127.0.0.1" and addr[1] > 0
    proxies = requests.get(api_url() + "/proxies").json()
    assert lk.proxy.name in proxies and proxies[lk.proxy.name]["listen"] == f"127.0.0.1:{addr[1]}"
    assert await rtt(addr) < 50
    assert [e.kind for e in timeline.events(source="proxy:edge")] == ["proxy_started"]


async def test_shared_server_is_reused(echo_server):
    first = api_address()
    links = [ToxiproxyLink(f"l{i}", {}, Timeline()) for i in range(3)]
    for lk in links:
        await lk.start([echo_server])
    assert api_address() == first
    assert len({lk.proxy.name for lk in links}) == 3
    for lk in links:
        await lk.stop()


async def test_toxic_lifecycle_and_events(link):
    lk, addr, timeline = link
    name = await lk.add_toxic("latency", "downstream", {"latency": 60}, 1.0, "lat")
    assert name == "lat"
    assert 60 <= await rtt(addr) < 80
    await lk.remove_toxic("lat")
    assert await rtt(addr) < 50
    added, removed = timeline.events(kind="toxic_added"), timeline.events(kind="toxic_removed")
    assert added[0].source == "proxy:edge"
    assert added[0].data == {"name": "lat", "type": "latency", "stream": "downstream", "toxicity": 1.0,
                             "attributes": {"latency": 60}}
    assert removed[0].data == {"name": "lat"} and removed[0].t >= added[0].t


async def test_disable_enable(link):
    lk, addr, timeline = link
    await lk.disable()
    with pytest.raises(OSError):
        await asyncio.open_connection(*addr)
    await lk.enable()
    assert await rtt(addr) < 50
    assert [e.kind for e in timeline.events(source="proxy:edge")][-2:] == ["proxy_down", "proxy_up"]


async def test_errors_are_proxy_errors(link):
    lk, _, timeline = link
    with pytest.raises(ProxyError, match="invalid toxic type"):
        await lk.add_toxic("nope")
    with pytest.raises(ProxyError, match="toxic not found"):
        await lk.remove_toxic("nope")
    assert timeline.events(kind=["toxic_added", "toxic_removed"]) == []


async def test_stop_deletes_proxy_and_is_idempotent(echo_server):
    lk = ToxiproxyLink("gone", {}, Timeline())
    await lk.start([echo_server])
    name = lk.proxy.name
    await lk.stop()
    await lk.stop()
    assert requests.get(f"{api_url()}/proxies/{name}").status_code == 404
    with pytest.raises(ProxyError, match="not started"):
        await lk.disable()


async def test_uses_toxiproxy_url_when_set(echo_server, monkeypatch):
    other = ToxiproxyServer("127.0.0.1", 0).start()
    try:
        monkeypatch.setenv("TOXIPROXY_URL", other.url)
        lk = ToxiproxyLink("ext", {}, Timeline())
        addr = await lk.start([echo_server])
        assert lk.proxy.name in requests.get(other.url + "/proxies").json()
        assert await rtt(addr) < 50
        await lk.stop()
        assert requests.get(other.url + "/proxies").json() == {}
    finally:
        other.stop()


# -- faults -------------------------------------------------------------------------
def test_toxic_fault_fields():
    names = [f.name for f in fields(ToxicFault) if f.init]
    assert names == ["type", "attributes", "stream", "toxicity", "proxy"]
    assert ToxicFault.name == "toxic" and DownFault.name == "down"
    f = ToxicFault(type="latency")
    assert (f.attributes, f.stream, f.toxicity, f.proxy) == ({}, "downstream", 1.0, None)


async def test_toxic_fault_with_fake_link():
    fake = FakeLink()
    ctx = FaultContext(Timeline(), links={"edge": fake})
    f1 = ToxicFault(type="bandwidth", attributes={"rate": 10}, stream="upstream", toxicity=0.5)
    f2 = ToxicFault(type="bandwidth", attributes={"rate": 10}, stream="upstream", proxy="edge")
    await f1.apply(ctx)
    await f2.apply(ctx)
    (_, t, s, a, tox, n1), (*_, n2) = fake.calls
    assert (t, s, a, tox) == ("bandwidth", "upstream", {"rate": 10}, 0.5) and n1 != n2   # no name clash
    await f1.remove(ctx)
    await f1.remove(ctx)          # a second remove is a no-op
    assert fake.calls[2:] == [("remove", n1)]


async def test_fault_needs_its_proxy():
    ctx = FaultContext(Timeline(), links={"a": FakeLink(), "b": FakeLink()})
    with pytest.raises(ScenarioError):
        await ToxicFault(type="latency").apply(ctx)
    with pytest.raises(ScenarioError):
        await DownFault(proxy="zz").apply(ctx)


async def test_down_fault_with_fake_link():
    fake = FakeLink()
    ctx = FaultContext(Timeline(), links={"edge": fake})
    f = DownFault()
    await f.remove(ctx)            # not applied: nothing to undo
    await f.apply(ctx)
    await f.remove(ctx)
    assert fake.calls == [("disable",), ("enable",)]


async def test_faults_on_a_real_link(link):
    lk, addr, timeline = link
    ctx = FaultContext(timeline, links={"edge": lk})
    fault = ToxicFault(type="latency", attributes={"latency": 50})
    await fault.apply(ctx)
    assert 50 <= await rtt(addr) < 250     # applied (the tight L+20 ms window is in test_toxiproxy_toxics)
    await fault.remove(ctx)
    assert await rtt(addr) < 50
    down = DownFault()
    await down.apply(ctx)
    with pytest.raises(OSError):
        await asyncio.open_connection(*addr)
    await down.remove(ctx)
    assert await rtt(addr) < 50
    kinds = [e.kind for e in timeline.events(source="proxy:edge")]
    assert kinds == ["proxy_started", "toxic_added", "toxic_removed", "proxy_down", "proxy_up"]
