"""Config rendering and launcher behaviour (no Node)."""

import asyncio

import pytest

from harness.errors import ProxyError, ScenarioError
from harness.timeline import Timeline
from proxies.nginx import _launch
from proxies.nginx.link import NginxLink


def rendered(preset, upstreams=(("127.0.0.1", 1),), **opts):
    """The generated config without its comments."""
    link = NginxLink("n", {"preset": preset, **opts}, Timeline())
    link.dir = _launch.Path("/tmp/x")
    text = _launch.render(link.here / link.PRESETS[preset], link.values(list(upstreams), 4242))
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))


def test_missing_upgrade_has_no_websocket_headers():
    conf = rendered("nginx-missing-upgrade")
    assert "proxy_set_header Upgrade" not in conf and "proxy_http_version 1.1" not in conf
    assert "listen 127.0.0.1:4242" in conf and "server 127.0.0.1:1;" in conf


def test_correct_forwards_upgrade():
    conf = rendered("nginx-correct", [("127.0.0.1", 1), ("127.0.0.1", 2)])
    assert "proxy_set_header Upgrade $http_upgrade;" in conf and 'Connection "upgrade"' in conf
    assert "server 127.0.0.1:2;" in conf and "ip_hash" not in conf


def test_short_read_timeout_option():
    assert "proxy_read_timeout 300ms;" in rendered("nginx-short-read-timeout", read_timeout=0.3)
    assert "proxy_read_timeout 10000ms;" in rendered("nginx-short-read-timeout")
    assert "ip_hash;" in rendered("nginx-correct", ip_hash=True)


def test_unknown_preset():
    with pytest.raises(ScenarioError):
        NginxLink("n", {"preset": "nginx-wat"}, Timeline())


def test_unavailable_reason(monkeypatch):
    monkeypatch.setattr(_launch.shutil, "which", lambda name: None)
    monkeypatch.setattr(_launch.Path, "exists", lambda self: False)
    assert NginxLink.unavailable_reason() == "nginx not installed (apt-get install nginx)"


@pytest.mark.skipif(NginxLink.unavailable_reason() is not None, reason=str(NginxLink.unavailable_reason()))
async def test_a_bad_config_surfaces_the_error_log(tmp_path, monkeypatch):
    bad = tmp_path / "bad.conf"
    bad.write_text("events {}\nhttp { this_is_not_a_directive on; }\n")
    monkeypatch.setitem(NginxLink.PRESETS, "nginx-bad", str(bad))
    link = NginxLink("n", {"preset": "nginx-bad"}, Timeline())
    with pytest.raises(ProxyError, match="this_is_not_a_directive"):
        await link.start([("127.0.0.1", 1)])
    assert link.proc is None and link.dir is None


@pytest.mark.skipif(NginxLink.unavailable_reason() is not None, reason=str(NginxLink.unavailable_reason()))
async def test_start_and_stop_leave_nothing():
    link = NginxLink("n", {}, Timeline())
    host, port = await link.start([("127.0.0.1", 1)])
    pid = link.proc.pid
    _, w = await asyncio.open_connection(host, port)
    w.close()
    await link.stop()
    await link.stop()
    with pytest.raises(OSError):
        await asyncio.open_connection(host, port)
    import os
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_tls_termination_preset(tmp_path):
    link = NginxLink("n", {"preset": "nginx-tls-termination", "forwarded_proto": False}, Timeline())
    link.dir = tmp_path
    conf = _launch.render(link.here / link.PRESETS["nginx-tls-termination"], link.values([("127.0.0.1", 1)], 4242))
    assert "listen 127.0.0.1:4242 ssl" in conf and f"ssl_certificate {tmp_path}/cert.pem;" in conf
    assert "proxy_set_header Host $http_host;" in conf and "# no X-Forwarded-Proto" in conf
    assert "X-Forwarded-Proto $scheme;\n" not in conf
    assert (tmp_path / "cert.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert (tmp_path / "key.pem").exists()
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in rendered("nginx-tls-termination")
