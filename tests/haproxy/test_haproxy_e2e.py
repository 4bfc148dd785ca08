"""Real HAProxy presets in front of two real Node Socket.IO servers."""

import pytest

from _sfnode import NodeServer, first, kinds, node_available, run_client
from harness.errors import ScenarioError
from harness.timeline import Timeline
from proxies.haproxy.link import HaproxyLink
from proxies.nginx import _launch

UNAVAILABLE = HaproxyLink.unavailable_reason()


def e2e(test):
    for mark in (pytest.mark.e2e, pytest.mark.skipif(not node_available(), reason="node or node_modules missing"),
                 pytest.mark.skipif(UNAVAILABLE is not None, reason=str(UNAVAILABLE))):
        test = mark(test)
    return test


def test_cookie_preset_renders_the_docs_config():
    link = HaproxyLink("h", {"preset": "haproxy-cookie"}, Timeline())
    link.dir = _launch.Path("/tmp/x")
    conf = _launch.render(link.here / link.PRESETS["haproxy-cookie"],
                          link.values([("127.0.0.1", 1), ("127.0.0.1", 2)], 4242))
    assert "cookie SERVERID insert indirect nocache" in conf
    assert "server s0 127.0.0.1:1 cookie s0" in conf and "server s1 127.0.0.1:2 cookie s1" in conf
    assert "bind 127.0.0.1:4242" in conf


def test_unknown_preset():
    with pytest.raises(ScenarioError):
        HaproxyLink("h", {"preset": "nginx-correct"}, Timeline())


def test_unavailable_reason(monkeypatch):
    monkeypatch.setattr(_launch.shutil, "which", lambda name: None)
    monkeypatch.setattr(_launch.Path, "exists", lambda self: False)
    assert HaproxyLink.unavailable_reason() == "haproxy not installed (apt-get install haproxy)"


async def through(preset, upstreams, client="4.8.1", **client_opts):
    timeline = Timeline()
    link = HaproxyLink("lb", {"preset": preset}, timeline)
    host, port = await link.start(upstreams)
    try:
        return await run_client(f"http://{host}:{port}", client, duration_ms=1500, **client_opts), timeline
    finally:
        await link.stop()
        assert link.proc is None and link.dir is None


@e2e
@pytest.mark.parametrize("preset", ["haproxy-roundrobin", "haproxy-cookie"])
@pytest.mark.parametrize("server,client", [("4.8.1", "4.8.1"), ("2.4.1", "2.4.0")])
async def test_no_stickiness_for_the_client_loses_the_session(preset, server, client):
    """haproxy-cookie without withCredentials: the cookie never comes back, same as round-robin."""
    async with NodeServer(server) as a, NodeServer(server) as b:
        events, tl = await through(preset, [a.address, b.address], client)
    assert not [e for e in events if e["k"] == "ack"]
    err = first(events, "connect_error") or first(events, "disconnect") or first(events, "error")
    assert err, events
    assert tl.events(kind="proxy_started")[0].data["preset"] == preset


@e2e
async def test_cookie_stickiness_with_credentials_connects_and_upgrades():
    async with NodeServer() as a, NodeServer() as b:
        events, _ = await through("haproxy-cookie", [a.address, b.address], withCredentials=True)
    assert first(events, "connect") and first(events, "upgrade")
    assert len([e for e in events if e["k"] == "ack"]) >= 3 and "disconnect" not in kinds(events)


def test_no_tunnel_preset_has_no_timeout_tunnel_unless_asked():
    for options, tunnel in (({}, None), ({"tunnel": 10}, "timeout tunnel 10000ms")):
        link = HaproxyLink("h", {"preset": "haproxy-no-tunnel", "timeout": 0.4, **options}, Timeline())
        link.dir = _launch.Path("/tmp/x")
        conf = _launch.render(link.here / link.PRESETS["haproxy-no-tunnel"], link.values([("127.0.0.1", 1)], 4242))
        assert "timeout client 400ms" in conf and "timeout server 400ms" in conf
        lines = [line.strip() for line in conf.splitlines() if line.strip().startswith("timeout tunnel")]
        assert lines == ([tunnel] if tunnel else [])
