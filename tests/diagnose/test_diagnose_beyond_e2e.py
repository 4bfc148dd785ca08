"""`sockfault diagnose`'s checks beyond the page against real servers and proxies, each misconfiguration
next to a healthy twin: a lifetime cap (the TCP proxy's `lifetime` toxic) and HAProxy without `timeout
tunnel` (scenarios/beyond-the-page/lifetime-cap, haproxy-no-tunnel-timeout), Node's HTTP/2 server with
and without allowHTTP1, a proxy hiding Sec-WebSocket-Extensions (compression-one-side*), python-socketio
behind nginx terminating TLS without X-Forwarded-Proto (origin-behind-tls-termination)."""

from __future__ import annotations

import shutil
import sys
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _servers import front, node_h2, serving  # noqa: E402

from harness.diagnose import FAIL, NA, PASS, SECTIONS, WARN, diagnose  # noqa: E402
from harness.timeline import Timeline  # noqa: E402
from proxies.haproxy.link import HaproxyLink  # noqa: E402
from proxies.http.link import HttpLink  # noqa: E402
from proxies.nginx.link import NginxLink  # noqa: E402
from proxies.toxiproxy.link import ToxiproxyLink  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("node") is None, reason="needs node")]
nginx_missing = pytest.mark.skipif(NginxLink.unavailable_reason() is not None, reason="no nginx")
haproxy_missing = pytest.mark.skipif(HaproxyLink.unavailable_reason() is not None, reason="no haproxy")


def failing(d) -> set:
    return {c.id for c in d.checks if c.status == FAIL}


# -- 1. idle cut or lifetime cap ------------------------------------------------------------------------
async def test_a_lifetime_cap_is_told_from_an_idle_timeout():
    interval, cap = 0.5, 1.2           # the cap above the whole heartbeat (0.5 + 0.5 s): pings flow, still cut
    async with serving("node@4.8.1", pingInterval=500, pingTimeout=500) as srv:
        link = ToxiproxyLink("net", {}, Timeline())
        async with front(link, [srv]) as url:
            healthy = await diagnose(url, timeout=4.0)
            for stream in ("upstream", "downstream"):
                await link.add_toxic("lifetime", stream, {"lifetime": round(cap * 1000)}, 1.0, f"cap_{stream}")
            capped = await diagnose(url, timeout=4.0)
    assert healthy.check("heartbeat").status == PASS, healthy.check("heartbeat").summary
    assert failing(capped) == {"heartbeat"}, {c.id: c.summary for c in capped.checks}
    check = capped.check("heartbeat")
    assert check.to_dict()["section"] == SECTIONS["beyond-cut"]
    ws = check.facts["websocket"]
    assert ws["kind"] == "lifetime" and ws["pings"] >= 1 and ws["first_ping_at"] < ws["closed_at"], ws
    assert cap - 0.1 <= ws["closed_at"] <= cap + 0.5, ws           # the cap counts from the dial
    assert "although pings flowed" in check.summary and "lifetime cap" in check.summary
    assert interval <= ws["first_ping_at"] <= interval + 0.4, ws


@haproxy_missing
async def test_haproxy_without_timeout_tunnel_is_named():
    async with serving("node@4.8.1", pingInterval=2000, pingTimeout=1000) as srv:
        async with front(HaproxyLink("h", {"preset": "haproxy-no-tunnel", "timeout": 0.8}, Timeline()), [srv]) as url:
            bare = await diagnose(url, timeout=6.0)
        async with front(HaproxyLink("h", {"preset": "haproxy-no-tunnel", "timeout": 0.8, "tunnel": 10},
                                     Timeline()), [srv]) as url:
            tunnel = await diagnose(url, timeout=6.0)
    check = bare.check("heartbeat")
    assert failing(bare) == {"heartbeat"} and check.facts["intermediary"] == "haproxy", check.summary
    ws = check.facts["websocket"]
    assert ws["kind"] == "idle" and ws["pings"] == 0 and 0.6 <= ws["closed_at"] <= 1.6, ws   # before the 2 s ping
    assert "without `timeout tunnel`" in check.summary and "timeout tunnel" in check.advice
    assert check.facts["poll"]["status"] == 504
    # with `timeout tunnel` the websocket stays; the held long-poll is still cut by `timeout server`
    check = tunnel.check("heartbeat")
    assert check.status == FAIL and check.facts["websocket"]["closed_at"] is None, check.facts
    assert "`timeout server`" in check.summary and "tunnel" not in check.summary.split("HAProxy")[1][:40]


# -- 3. HTTP/2 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("allow_http1", [False, True])
async def test_an_http2_server_with_and_without_http1(tmp_path, allow_http1):
    async with node_h2(tmp_path, allow_http1) as (host, port):
        d = await diagnose(f"https://{host}:{port}", insecure=True, timeout=8.0)   # a TLS session per request
    check = d.check("http2")
    assert check.facts["alpn"] == "h2", check.facts
    if allow_http1:
        assert check.status == PASS and "h2" in check.summary, check.summary
        assert failing(d) == set() and d.exit_code == 0, {c.id: c.summary for c in d.checks}
    else:
        assert check.status == FAIL and "allowHTTP1: true" in check.advice and check.facts["http1"] is False
        assert "no application protocol" in check.summary and check.to_dict()["section"] == SECTIONS["beyond-http2"]
        assert failing(d) == {"reachable", "http2"} and d.exit_code == 1      # diagnosed: not "no answer"
        assert d.check("reachable").facts["failure"] == "no-alpn"


# -- 4. compression on one side -----------------------------------------------------------------------
HIDE = {"addons": [{"rewrite": {"remove_response_headers": ["Sec-WebSocket-Extensions"]}}]}


@pytest.mark.parametrize("spec", ["node@4.8.1", "node@2.4.1"])
async def test_a_proxy_hiding_the_extension_from_the_client(spec):
    async with serving(spec, perMessageDeflate={"threshold": 1024}) as srv:
        async with front(HttpLink("edge", HIDE, Timeline()), [srv]) as url:
            hidden = await diagnose(url, timeout=4.0, only=["compression", "websocket"])
        async with front(HttpLink("edge", {}, Timeline()), [srv]) as url:
            kept = await diagnose(url, timeout=4.0, only=["compression", "websocket"])
    check = hidden.check("compression")
    assert check.status == FAIL and check.facts["agreed"] is False and check.facts["reserved_bits"] == 4, check.facts
    assert "hides Sec-WebSocket-Extensions" in check.summary and "RSV1 must be clear" in check.summary
    assert failing(hidden) == {"compression"}          # the upgrade itself works for clients that offer nothing
    assert kept.check("compression").status == PASS and kept.check("compression").facts["agreed"] is True


async def test_compression_on_a_default_server_passes_or_cannot_tell():
    async with serving("node@4.8.1") as (host, port):          # perMessageDeflate off: nothing compressed
        d = await diagnose(f"http://{host}:{port}", timeout=4.0, only=["compression"])
    check = d.check("compression")
    assert check.status == PASS and check.facts["agreed"] is False and check.facts["largest"] >= 1024, check.facts
    assert "uncompressed" in check.summary


# -- 5. Origin behind TLS termination --------------------------------------------------------------------
@asynccontextmanager
async def tls_nginx(srv, forwarded_proto: bool):
    link = NginxLink("edge", {"preset": "nginx-tls-termination", "forwarded_proto": forwarded_proto}, Timeline())
    host, port = await link.start([srv])
    try:
        yield f"https://{host}:{port}"
    finally:
        await link.stop()


@nginx_missing
async def test_python_socketio_behind_nginx_terminating_tls():
    async with serving("python") as srv:
        async with tls_nginx(srv, forwarded_proto=False) as url:
            broken = await diagnose(url, insecure=True, timeout=4.0)
        async with tls_nginx(srv, forwarded_proto=True) as url:
            fixed = await diagnose(url, insecure=True, timeout=4.0)
    check = broken.check("origin")
    assert failing(broken) == {"origin"}, {c.id: c.summary for c in broken.checks}
    assert "is not an accepted origin." in check.summary and "X-Forwarded-Proto" in check.advice
    assert check.facts["accepted_with_forwarded_proto"] and check.facts["accepted_as_http"], check.facts
    assert check.to_dict()["section"] == SECTIONS["beyond-origin-tls"]
    assert fixed.check("origin").status == PASS and failing(fixed) == set()
    assert {c.id for c in fixed.checks if c.status == WARN} <= {"certificate"}
    assert fixed.check("certificate").status == WARN and fixed.check("http2").status in (PASS, NA)
