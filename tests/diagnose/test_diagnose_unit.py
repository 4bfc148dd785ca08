"""`sockfault diagnose` without Node: URL handling, what-answered wording, the version table, the JSON
schema and the CLI, against an in-process python-socketio server and plain aiohttp servers."""

from __future__ import annotations

import io
import json
import socket
from contextlib import asynccontextmanager
from pathlib import Path

import jsonschema
import pytest
import socketio
from aiohttp import web
from rich.console import Console

from harness.diagnose import FAIL, NA, PASS, diagnose
from harness.diagnose._render import render
from harness.diagnose._target import BadTarget, Target
from harness.diagnose.checks import CHECKS
from harness.diagnose.checks.versions import TABLE, generation
from harness.probe import ProbeResult, network_failure
from harness.protocol import parse_error_response

SCHEMA = json.loads((Path(__file__).parents[2] / "harness" / "diagnose" / "schema.json").read_text())


@asynccontextmanager
async def aiohttp_server(app: web.Application):
    runner = web.AppRunner(app, shutdown_timeout=0.5)   # held long-polls end at once
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def python_socketio(**options):
    sio = socketio.AsyncServer(async_mode="aiohttp", **options)
    app = web.Application()
    sio.attach(app)
    async with aiohttp_server(app) as url:
        yield url


# -- the URL --------------------------------------------------------------------------------------
@pytest.mark.parametrize("url,why", [("chat.example.com", "give the scheme"), ("ftp://host", "valid: http, https"),
                                     ("http://", "no host"), ("http://host:99999", "(?i)port")])
def test_a_bad_url_says_why(url, why):
    with pytest.raises(BadTarget, match=why):
        Target(url)


def test_the_url_is_taken_apart():
    t = Target("wss://chat.example.com:8443/my-custom-path", path="custom")
    assert (t.base, t.url_path, t.path) == ("https://chat.example.com:8443", "/my-custom-path/", "/custom/")
    assert Target("http://h:3000/").url_path == ""


async def test_a_bad_url_is_exit_2_without_a_request():
    d = await diagnose("localhost:3000")
    assert d.exit_code == 2 and d.requests == 0 and "scheme" in d.undiagnosable and not d.checks


# -- what answered ------------------------------------------------------------------------------
@pytest.mark.parametrize("message,kind", [
    ("ClientConnectorError: Cannot connect to host 127.0.0.1:1 ssl:default [Connect call failed ('127.0.0.1', 1)]", "refused"),
    ("ClientConnectorCertificateError: Cannot connect to host h:443 ssl:True [SSLCertVerificationError: (1, "
     "'[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate')]", "certificate"),
    ("ClientConnectorSSLError: Cannot connect to host h:80 ssl:default [[SSL: WRONG_VERSION_NUMBER] wrong version number]",
     "tls-mismatch"),
    ("ServerDisconnectedError: Server disconnected", "disconnected"),
    ("TimeoutError:", "timeout"),
    ("ClientConnectorDNSError: Cannot connect to host nosuch.invalid:80 ssl:default [Name or service not known]", "dns"),
])
def test_no_answer_is_named(message, kind):
    assert network_failure(message)[0] == kind


def _answer(status, ctype, body, headers=None):
    result = ProbeResult("http", "GET", "http://h/socket.io/?EIO=4&transport=polling", 4, status=status,
                         headers={"content-type": ctype, **(headers or {})}, body=body)
    result.error = parse_error_response(status, ctype, body)
    return result


def test_the_probe_calls_a_426_a_plain_websocket_server_not_code_102():
    verdict = _answer(426, "text/plain", b"Upgrade Required", {"server": "Python/3.11 websockets/12"}).verdict()
    assert "plain WebSocket server" in verdict and "websockets/12" in verdict and "102" not in verdict


def test_the_probe_calls_a_html_page_a_plain_http_server():
    result = _answer(200, "text/html", b"<html>hi</html>", {"server": "nginx"})
    from harness.protocol import parse_handshake
    hs = parse_handshake(200, "text/html", b"<html>hi</html>", 4)
    result.error = hs.error
    assert "plain HTTP server" in result.verdict() and "nginx" in result.verdict()


def test_engine_io_refusals_keep_their_code():
    assert _answer(400, "application/json", b'{"code":5,"message":"Unsupported protocol version"}').verdict() == \
        "EIO=4 refused: code 5 Unsupported protocol version"


# -- the version table ---------------------------------------------------------------------------
def test_the_js_table_matches_the_page():
    # the page: 1.x client -> 1.x server only; 2.x -> 2.x, and 3.x/4.x with allowEIO3; 3.x/4.x -> 3.x/4.x
    assert [m for m, (ok, _) in TABLE[frozenset({4})].items() if ok] == ["3.x", "4.x"]
    assert [m for m, (ok, _) in TABLE[frozenset({3, 4})].items() if ok] == ["2.x", "3.x", "4.x"]
    assert not TABLE[frozenset({3})]["4.x"][0] and TABLE[frozenset({3})]["2.x"][0]


def test_the_generation_follows_what_was_advertised():
    from harness.protocol import OpenPacket
    v2 = OpenPacket("s", ("websocket",), 25000, 5000)
    v4 = OpenPacket("s", ("websocket",), 25000, 20000, 1_000_000)
    assert "2.1-2.4" in generation({3}, "node", v2)
    assert "allowEIO3" in generation({3, 4}, "node", v4) and ">= 4.5" in generation({4}, "node", v4)
    assert generation({4}, "python", v4).startswith("python-socketio 5.x")


# -- a whole diagnosis in process -----------------------------------------------------------------
async def test_a_python_socketio_server_in_process(tmp_path):
    async with python_socketio(cors_allowed_origins=["http://page.example"], ping_interval=1, ping_timeout=1) as url:
        d = await diagnose(url, origin="http://page.example", timeout=2.5)
    assert {c.id: c.status for c in d.checks} == {"reachable": PASS, "versions": PASS, "path": PASS, "cors": PASS,
                                                  "websocket": PASS, "sticky": PASS, "heartbeat": PASS, "payload": PASS}
    assert [c.id for c in d.checks] == list(CHECKS)
    document = d.to_dict()
    jsonschema.validate(document, SCHEMA)
    assert document["exit_code"] == 0 and document["counts"]["pass"] == 8
    assert d.check("heartbeat").facts["websocket"]["pings"] >= 1     # a whole 1 s interval was watched


async def test_an_unknown_namespace_and_a_refused_origin_in_process():
    async with python_socketio(cors_allowed_origins=["http://elsewhere.example"]) as url:
        d = await diagnose(url, origin="http://page.example", namespace="/admin", timeout=1.5)
    assert d.check("cors").status == FAIL and "not an accepted origin" in d.check("cors").summary
    assert d.check("path").status == FAIL and "/admin" in d.check("path").summary
    jsonschema.validate(d.to_dict(), SCHEMA)
    text = _rendered(d)
    assert "FAIL CORS" in text and "> GET " in text and "Origin: http://page.example" in text


async def test_a_426_server_in_process_is_a_plain_websocket_server():
    async def plain(request):
        return web.Response(status=426, text="Upgrade Required", headers={"Server": "plain-ws/1"})
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", plain)
    async with aiohttp_server(app) as url:
        d = await diagnose(url, timeout=2)
    check = d.check("reachable")
    assert check.status == FAIL and check.section == "plain-websocket" and "426" in check.summary
    assert d.exit_code == 1 and all(c.status == NA for c in d.checks[1:])


def _rendered(d) -> str:
    out = io.StringIO()
    render(d, Console(file=out, width=160, color_system=None))
    return out.getvalue()


# -- the command ----------------------------------------------------------------------------------
def test_the_cli_writes_json_and_exits_by_the_worst_check(tmp_path, capsys):
    from harness.cli import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "d.json"
    assert main(["diagnose", f"http://127.0.0.1:{port}", "--json", str(out), "--timeout", "2"]) == 2
    document = json.loads(out.read_text())
    jsonschema.validate(document, SCHEMA)
    assert document["checks"][0]["status"] == FAIL and "refused" in document["checks"][0]["summary"]
    assert "cannot diagnose" in capsys.readouterr().out
    assert main(["diagnose", "http://127.0.0.1:1", "--only", "nope"]) == 2
    assert "valid: reachable, versions" in capsys.readouterr().err
