"""`sockfault diagnose` on a server nobody here wrote: laravel-echo-server 1.6.3 from npm (socket.io
2.5.1), unmodified and without the hook; one instance, then two behind a round-robin balancer."""

from __future__ import annotations

from pathlib import Path

import pytest

import sockfault
from harness.diagnose import FAIL, PASS, diagnose
from harness.timeline import Timeline
from proxies.http.link import HttpLink

pytestmark = pytest.mark.e2e
APP = Path(__file__).resolve().parents[1] / "apps" / "thirdparty" / "laravel-echo-server"
START = "node node_modules/.bin/laravel-echo-server start"

if not (APP / "node_modules" / "laravel-echo-server").exists():
    pytest.skip(f"{APP}/node_modules missing (run `make setup`)", allow_module_level=True)


async def test_laravel_echo_server_as_a_v2_deployment():
    async with sockfault.app(START, cwd=str(APP), port=6001, hook=False) as echo:
        modern = await diagnose(echo.url, origin="http://page.example", client_version="4.8.1", timeout=4)
        matching = await diagnose(echo.url, origin="http://page.example", client_version="2.5.0", timeout=4)
    assert {c.id for c in modern.checks if c.status == FAIL} == {"versions"}, [c.to_dict() for c in modern.checks]
    versions = modern.check("versions")
    assert versions.facts["accepted_eio"] == [3] and "2.5.x" in versions.facts["generation"]   # 25 s / 20 s
    assert "4.8.1 cannot connect" in versions.summary
    assert modern.check("heartbeat").facts["drop_after_s"] == 45
    # payload needs --intrusive; certificate, http2 and origin (behind TLS) need an https URL
    assert {c.id: c.status for c in matching.checks if c.status != PASS} == \
        {"payload": "n/a", "certificate": "n/a", "http2": "n/a", "origin": "n/a"}
    assert matching.check("cors").facts["allow_origin"] == "http://page.example"   # 2.x reflects the Origin


async def test_two_laravel_echo_servers_round_robin():
    async with sockfault.app(START, cwd=str(APP), port=6001, hook=False) as a, \
            sockfault.app("node ../node_modules/.bin/laravel-echo-server start", cwd=str(APP / "instance-b"),
                          port=6002, hook=False) as b:
        lb = HttpLink("lb", {}, Timeline())
        host, port = await lb.start([a.address, b.address])
        try:
            d = await diagnose(f"http://{host}:{port}", client_version="2.5.0", timeout=4)
        finally:
            await lb.stop()
    assert {c.id for c in d.checks if c.status == FAIL} == {"sticky"}, [c.to_dict() for c in d.checks]
    assert d.check("sticky").facts["session_unknown"] >= 2
