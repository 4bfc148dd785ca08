import asyncio
import time

import pytest

from _flows import sio_flow, ws_flow
from proxies.http.engine_packets import EnginePackets


async def test_drops_server_pings_from_a_v4_polling_body():
    a = EnginePackets(types=["ping"])
    f = sio_flow(resp=b'2\x1e42["x"]')
    await a.response(f)
    assert f.response.content == b'42["x"]' and f.metadata["sockfault.dropped"] == ["ping"]


async def test_an_emptied_body_becomes_a_noop():
    a = EnginePackets(types=["ping"])
    f = sio_flow(resp=b"2")
    await a.response(f)
    assert f.response.content == b"6"
    v3 = sio_flow(query="EIO=3&transport=polling&sid=s", resp=b"1:3")
    await EnginePackets(types=["pong"]).response(v3)
    assert v3.response.content == b"1:6"


async def test_client_posts_filtered_only_when_asked():
    f = sio_flow(method="POST", body=b'3\x1e42["x"]')
    await EnginePackets(types=["pong"]).request(f)          # from_server by default
    assert f.request.content == b'3\x1e42["x"]'
    await EnginePackets(types=["pong"], direction="from_client").request(f)
    assert f.request.content == b'42["x"]'


async def test_transport_filter_and_errors_untouched():
    f = sio_flow(resp=b"2")
    await EnginePackets(types=["ping"], transport="websocket").response(f)
    assert f.response.content == b"2"
    bad = sio_flow(resp=b'{"code":1,"message":"Session ID unknown"}', status=400)
    await EnginePackets(types=["ping"]).response(bad)
    assert bad.response.status_code == 400 and "sockfault.dropped" not in bad.metadata


async def test_delay_holds_a_polling_body():
    a = EnginePackets(types=["ping"], action="delay", delay_ms=80)
    f = sio_flow(resp=b"2")
    t = time.perf_counter()
    await a.response(f)
    assert time.perf_counter() - t >= 0.075 and f.response.content == b"2"
    assert f.metadata["sockfault.delayed"] == ["ping"]


def test_drops_websocket_pings_from_the_server_only():
    a = EnginePackets(types=["ping"])
    f = ws_flow(messages=[(False, "2")])
    a.websocket_message(f)
    assert f.websocket.messages[-1].dropped
    g = ws_flow(messages=[(True, "2")])
    a.websocket_message(g)
    assert not g.websocket.messages[-1].dropped


def test_eats_the_probe_answer_by_data():
    a = EnginePackets(types=["pong"], data="probe", transport="websocket")
    probe, pong = ws_flow(messages=[(False, "3probe")]), ws_flow(messages=[(False, "3")])
    a.websocket_message(probe)
    a.websocket_message(pong)
    assert probe.websocket.messages[-1].dropped and not pong.websocket.messages[-1].dropped


async def test_delayed_websocket_message_is_reinjected():
    class Server:
        def __init__(self):
            self.injected = []

        def inject_websocket(self, flow, to_client, content, is_text):
            self.injected.append((to_client, content, is_text))

    class Proxy:
        proxyserver = Server()

    a = EnginePackets(types=["ping"], action="delay", delay_ms=30)
    a.proxy = Proxy()
    f = ws_flow(messages=[(False, "2")])
    f.websocket.timestamp_end = None
    a.websocket_message(f)
    assert f.websocket.messages[-1].dropped and not a.proxy.proxyserver.injected
    await asyncio.sleep(0.06)
    assert a.proxy.proxyserver.injected == [(True, b"2", True)]


def test_rejects_unknown_types():
    with pytest.raises(ValueError, match="unknown Engine.IO packet types"):
        EnginePackets(types=["pingg"])
