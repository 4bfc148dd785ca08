"""The checks beyond the page without Node: the certificate's causes (self-signed, unknown CA, expired,
host-name mismatch) against a TLS front with made certificates, the wrong scheme both ways, the
Origin refused behind TLS termination and a compressed frame nobody agreed to, against in-process
python-socketio and raw asyncio servers."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import sys
import zlib
from contextlib import asynccontextmanager
from pathlib import Path

import jsonschema
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _tls import tls_front  # noqa: E402
from test_diagnose_unit import SCHEMA, _rendered, python_socketio  # noqa: E402

from harness.diagnose import FAIL, NA, PASS, WARN, diagnose  # noqa: E402
from harness.probe import network_failure, upgrade  # noqa: E402


def _addr(url: str) -> tuple[str, int]:
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


@pytest.mark.parametrize("reason,named", [
    ("self-signed certificate", "self-signed"), ("unable to get local issuer certificate", "unknown CA"),
    ("certificate has expired", "expired"), ("Hostname mismatch, certificate is not valid for 'x'.", "host-name mismatch"),
    ("IP address mismatch, certificate is not valid for '127.0.0.1'.", "host-name mismatch")])
def test_the_reachable_sentence_names_the_certificate_cause(reason, named):
    kind, sentence = network_failure("ClientConnectorCertificateError: Cannot connect to host h:443 ssl:True "
                                     f"[SSLCertVerificationError: (1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
                                     f"verify failed: {reason} (_ssl.c:1006)')]")
    assert kind == "certificate" and named in sentence and "--insecure" in sentence, sentence


@pytest.mark.parametrize("made,causes,words", [
    ({}, ["self-signed"], "self-signed"),
    ({"by_ca": True}, ["unknown CA"], "signed by an unknown CA ('sockfault test CA'"),
    ({"expired": True, "by_ca": True}, ["unknown CA", "expired"], "expired (on "),
    ({"names": ("localhost",), "by_ca": True}, ["unknown CA", "host-name mismatch"],
     "issued for localhost, not 127.0.0.1 (host-name mismatch)")])
async def test_the_certificate_check_names_why_it_is_not_trusted(tmp_path, made, causes, words):
    async with python_socketio() as url:
        async with tls_front(_addr(url), tmp_path, **(made or {"names": ("127.0.0.1",)})) as port:
            refused = await diagnose(f"https://127.0.0.1:{port}", timeout=3)
            insecure = await diagnose(f"https://127.0.0.1:{port}", insecure=True, timeout=3, only=["certificate"])
    check = refused.check("certificate")
    assert check.status == FAIL and check.facts["causes"] == causes, check.facts
    assert words in check.summary and check.advice, check.summary
    assert refused.exit_code == 2 and refused.check("reachable").facts["failure"] == "certificate"
    assert insecure.check("certificate").status == WARN and "--insecure" in insecure.check("certificate").summary
    assert insecure.check("reachable").status == PASS
    jsonschema.validate(refused.to_dict(), SCHEMA)
    assert "(Beyond the page: an untrusted certificate or the wrong scheme)" in _rendered(refused)


async def test_the_wrong_scheme_both_ways(tmp_path):
    async with python_socketio() as url:
        host, port = _addr(url)
        tls_to_plain = await diagnose(f"https://{host}:{port}", timeout=3)
        async with tls_front((host, port), tmp_path) as tls_port:
            plain_to_tls = await diagnose(f"http://{host}:{tls_port}", timeout=3)
        healthy = await diagnose(url, timeout=3, only=["certificate", "http2"])
    check = tls_to_plain.check("certificate")
    assert check.status == FAIL and "speaks plain HTTP" in check.summary and "wrong version number" in check.summary
    assert check.facts["plain_http"].startswith("HTTP/1.1 200"), check.facts
    check = plain_to_tls.check("certificate")
    assert check.status == FAIL and "speaks TLS" in check.summary and "https://" in check.advice, check.summary
    assert healthy.check("certificate").status == NA and healthy.check("http2").status == NA


async def test_the_https_origin_refused_behind_tls_termination(tmp_path):
    async with python_socketio() as url:                     # same-origin only: python-socketio's default
        async with tls_front(_addr(url), tmp_path) as port:
            d = await diagnose(f"https://127.0.0.1:{port}", insecure=True, timeout=3)
        healthy = await diagnose(url, origin="https://page.example", timeout=3, only=["origin"])
    check = d.check("origin")
    assert check.status == FAIL and check.section == "beyond-origin-tls", check.summary
    assert f'"https://127.0.0.1:{port} is not an accepted origin."' in check.summary
    assert "X-Forwarded-Proto" in check.advice and check.facts["accepted_as_http"], check.facts
    assert check.facts["accepted_with_forwarded_proto"], check.facts
    assert {c.id for c in d.checks if c.status == FAIL} == {"origin"}, {c.id: c.summary for c in d.checks}
    # an https --origin that is not the deployment's own: a CORS matter, not TLS termination
    assert healthy.check("origin").status == WARN and "cors_allowed_origins" in healthy.check("origin").summary


# -- compression: a raw server that answers the 101 as told and sends one frame -------------------------
@asynccontextmanager
async def raw_ws(extensions: str | None, payload: bytes, rsv1: bool):
    async def handle(reader, writer):
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        key = next(line.split(":", 1)[1].strip() for line in head.split("\r\n") if line.lower().startswith("sec-websocket-key"))
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Accept: {accept}\r\n" + (f"Sec-WebSocket-Extensions: {extensions}\r\n" if extensions
                                                               else "") + "\r\n").encode())
        body = payload
        if rsv1:
            deflate = zlib.compressobj(wbits=-15)
            body = (deflate.compress(payload) + deflate.flush(zlib.Z_SYNC_FLUSH))[:-4]
        writer.write(bytes([0xC1 if rsv1 else 0x81, len(body)]) + body if len(body) < 126 else b"")
        await writer.drain()
        await asyncio.sleep(0.5)
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


OPEN = b'0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000}'


@pytest.mark.parametrize("extensions,rsv1,deflate,bits", [
    (None, True, False, 4),                                  # compressed, nothing agreed: RSV1 reported
    ("permessage-deflate", True, True, None),                # agreed: inflated
    (None, False, False, None)])                             # neither
async def test_the_probe_offers_permessage_deflate_and_reads_rsv1(extensions, rsv1, deflate, bits):
    async with raw_ws(extensions, OPEN, rsv1) as url:
        ws = await upgrade(url, eio=4, deflate=True, timeout=2.0)
    assert ws.status == 101 and ws.deflate is deflate and ws.reserved_bits == bits, (ws.error, ws.frames)
    if bits is None:
        assert ws.frames[0]["data"] == OPEN.decode() and ("compressed" in ws.frames[0]) is rsv1
    else:
        assert "RSV bits set" in ws.error.message and not ws.accepted
