"""`sockfault diagnose` against the misconfigurations the catalogue builds, with real servers and the
real nginx / HAProxy / mitmproxy in front: each one is found in its section and nothing else fails;
a healthy deployment of each server family passes everything."""

from __future__ import annotations

import shutil
import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _servers import front, serving  # noqa: E402

from harness.diagnose import FAIL, NA, PASS, WARN, diagnose  # noqa: E402
from harness.timeline import Timeline  # noqa: E402
from proxies.haproxy.link import HaproxyLink  # noqa: E402
from proxies.http.link import HttpLink  # noqa: E402
from proxies.nginx.link import NginxLink  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("node") is None, reason="needs node")]

ORIGIN = "http://page.example"
CORS = {"cors": {"origin": ORIGIN, "credentials": True}}
QUICK = 4.0          # --timeout: the heartbeat check (last) watches what is left of it
nginx_missing = pytest.mark.skipif(NginxLink.unavailable_reason() is not None, reason="no nginx")
haproxy_missing = pytest.mark.skipif(HaproxyLink.unavailable_reason() is not None, reason="no haproxy")


def statuses(d) -> dict:
    return {c.id: c.status for c in d.checks}


def only_failure(d, check_id: str, section: str):
    """The diagnosis fails in that check, with that page section, and in no other check."""
    assert {c.id for c in d.checks if c.status == FAIL} == {check_id}, statuses(d)
    check = d.check(check_id)
    assert check.to_dict()["section"] == section, check.to_dict()
    assert check.evidence, "a failure comes with its evidence"
    assert d.exit_code == 1
    return check


BEYOND_NA = ("certificate", "http2", "origin", "compression")   # http:// URLs; compression: nothing large came


def all_pass(d, allowed_na=("payload",), allowed_warn=()):
    bad = {c.id: (c.status, c.summary) for c in d.checks
           if c.status != PASS and not (c.status == NA and c.id in allowed_na + BEYOND_NA)
           and not (c.status == WARN and c.id in allowed_warn)}
    assert not bad, bad
    assert d.exit_code == 0


# -- healthy deployments -----------------------------------------------------------------------
@pytest.mark.parametrize("spec,client", [("node@4.8.1", "4.8.1"), ("node@3.1.2", "3.1.3"), ("node@2.5.1", "2.5.0"),
                                         ("node@2.4.1", "2.4.0"), ("node@1.7.4", "1.7.4"), ("python", "4.8.1")])
async def test_a_healthy_server_of_each_family_passes_everything(spec, client):
    options = {"cors_allowed_origins": [ORIGIN]} if spec == "python" else CORS
    async with serving(spec, **options) as (host, port):
        d = await diagnose(f"http://{host}:{port}", origin=ORIGIN, client_version=client, timeout=QUICK)
    all_pass(d)
    versions = d.check("versions").facts
    assert versions["accepted_eio"] == ([3] if spec.startswith(("node@1", "node@2")) else [4])
    assert versions["family"] == ("python" if spec == "python" else "node")
    assert d.check("heartbeat").facts["drop_after_s"] == {"node@4.8.1": 45, "node@3.1.2": 30, "node@2.5.1": 45,
                                                          "node@2.4.1": 30, "node@1.7.4": 85, "python": 45}[spec]
    assert d.requests <= 48 and d.wall_s < QUICK + 2


async def test_a_healthy_server_behind_the_correct_nginx_passes_everything():
    if NginxLink.unavailable_reason():
        pytest.skip("no nginx")
    async with serving("node@4.8.1", **CORS) as srv:
        async with front(NginxLink("edge", {"preset": "nginx-correct"}, Timeline()), [srv]) as url:
            d = await diagnose(url, origin=ORIGIN, timeout=QUICK)
    all_pass(d)
    assert d.check("reachable").facts["server"].startswith("nginx")


# -- one misconfiguration each -------------------------------------------------------------------
async def test_no_cors_on_a_v4_server():
    async with serving("node@4.8.1") as (host, port):
        d = await diagnose(f"http://{host}:{port}", origin=ORIGIN, timeout=QUICK)
    check = only_failure(d, "cors", "The server does not send the necessary CORS headers")
    assert "no Access-Control-Allow-Origin" in check.summary and "xhr poll error" in check.summary


@nginx_missing
async def test_nginx_without_the_upgrade_headers_is_stuck_in_polling():
    async with serving("node@4.8.1") as srv:
        async with front(NginxLink("edge", {"preset": "nginx-missing-upgrade"}, Timeline()), [srv]) as url:
            d = await diagnose(url, timeout=QUICK)
    check = only_failure(d, "websocket", "A proxy in front of your servers does not accept the WebSocket connection")
    assert "stuck in polling" in check.summary and "code 3" in check.summary and "nginx" in check.summary


async def test_round_robin_mitmproxy_over_two_nodes_is_not_sticky():
    async with serving("node@4.8.1") as a, serving("node@4.8.1") as b:
        async with front(HttpLink("lb", {}, Timeline()), [a, b]) as url:
            d = await diagnose(url, timeout=QUICK)
    check = only_failure(d, "sticky", "You didn't enable sticky sessions (in a multi server setup)")
    assert check.facts["session_unknown"] >= 2, check.facts       # every other request, round-robin
    assert "Session ID unknown" in " ".join(e.response for e in check.evidence)


@haproxy_missing
async def test_round_robin_haproxy_is_not_sticky_and_cookie_stickiness_is_a_warning():
    async with serving("node@4.8.1") as a, serving("node@4.8.1") as b:
        async with front(HaproxyLink("h", {"preset": "haproxy-roundrobin"}, Timeline()), [a, b]) as url:
            rr = await diagnose(url, timeout=QUICK)
        async with front(HaproxyLink("h", {"preset": "haproxy-cookie"}, Timeline()), [a, b]) as url:
            cookie = await diagnose(url, timeout=QUICK)
    only_failure(rr, "sticky", "You didn't enable sticky sessions (in a multi server setup)")
    assert cookie.check("sticky").status == WARN, cookie.check("sticky").summary
    assert cookie.check("sticky").facts["session_unknown_with_cookie"] == 0
    assert "SERVERID" in cookie.check("sticky").summary


async def test_a_server_on_another_path():
    async with serving("node@4.8.1", path="/my-custom-path/") as (host, port):
        base = f"http://{host}:{port}"
        default = await diagnose(base, timeout=QUICK)
        given = await diagnose(base, path="/my-custom-path/", timeout=QUICK)
        in_url = await diagnose(f"{base}/my-custom-path/", timeout=QUICK)
    assert statuses(default)["reachable"] == FAIL and default.check("reachable").section == "path"
    assert "404" in default.check("reachable").summary and default.exit_code == 1
    all_pass(given, allowed_na=("payload", "cors"))
    check = only_failure(in_url, "path", "The request path does not match on both sides")
    assert "NAMESPACE" in check.summary and 'path: "/my-custom-path/"' in check.advice


async def test_the_url_path_taken_as_a_namespace_gives_invalid_namespace():
    async with serving("node@4.8.1") as (host, port):
        d = await diagnose(f"http://{host}:{port}/my-custom-path/", timeout=QUICK)
    check = only_failure(d, "path", "The request path does not match on both sides")
    assert "Invalid namespace" in check.summary and check.facts["namespace"] == "/my-custom-path"


async def test_a_v2_only_server_against_a_v4_client():
    async with serving("node@2.4.1") as (host, port):
        d = await diagnose(f"http://{host}:{port}", client_version="4.8.1", timeout=QUICK)
    check = only_failure(d, "versions", "The client is not compatible with the version of the server")
    assert "4.8.1 cannot connect" in check.summary and "server error" in check.summary
    assert check.facts["clients"]["2.x"] == "yes"


async def test_a_v4_server_without_allow_eio3_against_a_v2_client():
    async with serving("node@4.8.1") as (host, port):
        d = await diagnose(f"http://{host}:{port}", client_version="2.4.0", timeout=QUICK)
    check = only_failure(d, "versions", "The client is not compatible with the version of the server")
    assert "code\":5" in check.summary and "allowEIO3" in check.advice
    async with serving("node@4.8.1", allowEIO3=True) as (host, port):
        fixed = await diagnose(f"http://{host}:{port}", client_version="2.4.0", timeout=QUICK)
    all_pass(fixed, allowed_na=("payload", "cors"))
    assert fixed.check("versions").facts["accepted_eio"] == [3, 4]


async def test_a_tiny_max_http_buffer_size_is_measured_when_intrusive():
    async with serving("node@4.8.1", maxHttpBufferSize=1000) as (host, port):
        quiet = await diagnose(f"http://{host}:{port}", timeout=QUICK, only=["payload"])
        d = await diagnose(f"http://{host}:{port}", intrusive=True, timeout=10)
    assert quiet.check("payload").status == WARN and "1000" in quiet.check("payload").summary
    check = d.check("payload")
    assert check.status == WARN and not [c for c in d.checks if c.status == FAIL], statuses(d)
    measured = check.facts["measured"]
    for transport in ("polling", "websocket"):
        assert 950 <= measured[transport]["limit"] <= 1000 < measured[transport]["refused_at"] <= 1030, measured
    assert "413" in measured["polling"]["why"] and "1009" in measured["websocket"]["why"]


async def test_a_v2_server_limit_is_found_by_bisection():
    async with serving("node@2.4.1", maxHttpBufferSize=5000) as (host, port):
        d = await diagnose(f"http://{host}:{port}", intrusive=True, timeout=10, only=["payload"])
    measured = d.check("payload").facts["measured"]
    assert d.check("payload").facts["max_payload"] is None          # v3 advertises nothing
    assert 4800 <= measured["polling"]["limit"] <= 5000 < measured["polling"]["refused_at"], measured


@nginx_missing
async def test_nginx_idle_timeout_below_the_ping_interval():
    async with serving("node@4.8.1", pingInterval=2000, pingTimeout=1000) as srv:
        link = NginxLink("edge", {"preset": "nginx-short-read-timeout", "read_timeout": 0.8}, Timeline())
        async with front(link, [srv]) as url:
            d = await diagnose(url, timeout=8.0)       # the cut comes at 0.8 s of what is left after the rest
    check = only_failure(d, "heartbeat", "Problem: the socket gets disconnected")
    ws = check.facts["websocket"]
    assert 0.6 <= ws["closed_at"] <= 1.6, ws               # nginx's 0.8 s, well before the 2 s ping
    assert check.facts["poll"]["status"] == 504, check.facts["poll"]


async def test_the_heartbeat_passes_over_a_whole_interval_when_the_budget_allows():
    async with serving("node@4.8.1", pingInterval=1000, pingTimeout=500) as (host, port):
        d = await diagnose(f"http://{host}:{port}", timeout=5.0, only=["heartbeat"])
    check = d.check("heartbeat")
    assert check.status == PASS and "over a whole ping interval" in check.summary
    assert check.facts["websocket"]["pings"] >= 1 and check.facts["websocket"]["closed_at"] is None


# -- not Socket.IO at all -------------------------------------------------------------------------
@pytest.mark.parametrize("greet", [None, "welcome!"])
async def test_a_plain_websocket_server(greet):
    async with serving("plain-ws", greet=greet) as (host, port):
        d = await diagnose(f"http://{host}:{port}", timeout=QUICK)
    check = only_failure(d, "reachable", "You are trying to reach a plain WebSocket server")
    assert "426" in check.summary and "plain WebSocket server" in check.summary
    assert ("greets with 'welcome!'" if greet else "stays silent") in check.summary, check.summary
    assert all(c.status == NA for c in d.checks[1:])


async def test_a_plain_http_server():
    async with serving("plain-http") as (host, port):
        d = await diagnose(f"http://{host}:{port}", timeout=QUICK)
    check = only_failure(d, "reachable", "The server is not reachable")
    assert "plain HTTP server" in check.summary and "aiohttp" in check.summary


async def test_nothing_listening_cannot_be_diagnosed():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    d = await diagnose(f"http://127.0.0.1:{port}", timeout=QUICK)
    assert d.exit_code == 2 and d.check("reachable").status == FAIL
    assert "connection refused" in d.check("reachable").summary and d.requests == 1


# -- https -----------------------------------------------------------------------------------------
async def test_https_with_a_self_signed_certificate(tmp_path):
    from _tls import tls_front
    async with serving("node@4.8.1", **CORS) as srv:
        async with tls_front(srv, tmp_path) as tls_port:
            refused = await diagnose(f"https://127.0.0.1:{tls_port}", timeout=QUICK)
            insecure = await diagnose(f"https://127.0.0.1:{tls_port}", origin=ORIGIN, insecure=True,
                                      timeout=2 * QUICK)    # a TLS session per request, and the TLS checks
            plain_to_tls = await diagnose(f"http://127.0.0.1:{tls_port}", timeout=QUICK)
        tls_to_plain = await diagnose(f"https://{srv[0]}:{srv[1]}", timeout=QUICK)
    assert refused.exit_code == 2 and refused.check("reachable").facts["failure"] == "certificate"
    assert "--insecure" in refused.check("reachable").summary and "self-signed" in refused.check("reachable").summary
    assert refused.check("certificate").status == FAIL and refused.check("certificate").facts["causes"] == ["self-signed"]
    all_pass(insecure, allowed_warn=("certificate",))
    assert insecure.check("certificate").status == WARN and "self-signed" in insecure.check("certificate").summary
    assert insecure.check("reachable").facts["insecure"] and "NOT verified" in insecure.check("reachable").summary
    assert insecure.check("http2").facts["alpn"] in (None, "http/1.1")   # the TLS front speaks no ALPN
    assert plain_to_tls.exit_code == 2, plain_to_tls.check("reachable").summary
    assert plain_to_tls.check("reachable").facts["failure"] == "disconnected"
    assert plain_to_tls.check("certificate").status == FAIL and "speaks TLS" in plain_to_tls.check("certificate").summary
    assert tls_to_plain.exit_code == 2 and tls_to_plain.check("reachable").facts["failure"] == "tls-mismatch"
    assert "speaks plain HTTP" in tls_to_plain.check("certificate").summary


@pytest.mark.parametrize("spec,named", [("plain-ws", "plain WebSocket server"), ("plain-http", "plain HTTP server")])
async def test_the_probe_names_what_answered(spec, named):
    from harness.probe import handshake, upgrade
    async with serving(spec, **({"greet": "welcome!"} if spec == "plain-ws" else {})) as (host, port):
        verdict = (await handshake(f"http://{host}:{port}", eio=3)).verdict()
        ws = (await upgrade(f"http://{host}:{port}", eio=4, timeout=2.0)).verdict()
    assert named in verdict and "code 10" not in verdict, verdict
    if spec == "plain-ws":                      # the greeting is not an Engine.IO frame: not "websocket ok"
        assert named in ws and "'welcome!'" in ws and "websocket ok" not in ws, ws
