"""Real nginx presets in front of real Node Socket.IO servers."""

import pytest

from _sfnode import NodeServer, first, kinds, node_available, run_client
from harness.timeline import Timeline
from proxies.nginx.link import NginxLink

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not node_available(), reason="node or node_modules missing"),
              pytest.mark.skipif(NginxLink.unavailable_reason() is not None, reason=str(NginxLink.unavailable_reason()))]


async def through(preset, upstreams, client="4.8.1", duration_ms=1500, every_ms=100, **options):
    link = NginxLink("edge", {"preset": preset, **options}, Timeline())
    host, port = await link.start(upstreams)
    try:
        return await run_client(f"http://{host}:{port}", client, duration_ms=duration_ms, every_ms=every_ms)
    finally:
        await link.stop()


@pytest.mark.parametrize("server,client", [("4.8.1", "4.8.1"), ("2.4.1", "2.4.0")])
async def test_correct_config_upgrades(server, client):
    async with NodeServer(server) as srv:
        events = await through("nginx-correct", [srv.address], client)
    assert first(events, "upgrade") and first(events, "end")["transport"] == "websocket"
    assert len([e for e in events if e["k"] == "ack"]) >= 3 and "disconnect" not in kinds(events)


async def test_missing_upgrade_locks_on_polling():
    async with NodeServer() as srv:
        events = await through("nginx-missing-upgrade", [srv.address])
    assert "upgrade" not in kinds(events) and "probe error" in first(events, "upgradeError")["message"]
    assert first(events, "end")["transport"] == "polling" and first(events, "end")["connected"]
    assert len([e for e in events if e["k"] == "ack"]) >= 3


async def test_short_read_timeout_drops_the_websocket():
    async with NodeServer(ping=(1000, 500)) as srv:
        events = await through("nginx-short-read-timeout", [srv.address], duration_ms=2500,
                               every_ms=10_000, read_timeout=0.6)
    # one emit, then the server is silent until its next ping (1 s): nginx closes after 0.6 s
    disc = first(events, "disconnect")
    assert first(events, "upgrade") and disc and disc["reason"] == "transport close"
    assert disc["t"] < 1500, disc


async def test_round_robin_over_two_nodes_without_ip_hash_loses_the_session():
    async with NodeServer() as a, NodeServer() as b:
        events = await through("nginx-correct", [a.address, b.address])
    err = first(events, "connect_error") or first(events, "disconnect")
    assert err and not [e for e in events if e["k"] == "ack"]
