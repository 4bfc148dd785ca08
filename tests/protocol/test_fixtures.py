"""Bytes captured from real servers (fixtures/*.json, written by fixtures/capture.py) decode, and
re-encode byte for byte."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from harness.protocol import (ErrorCode, PacketType, Session, SioType, SocketIODecoder, decode_polling_body,
                              decode_sio, decode_ws_frame, encode_polling_body, encode_sio, encode_ws_frame,
                              parse_error_response, parse_handshake)

FIXTURES = Path(__file__).parent / "fixtures"
SERVERS = sorted(p.stem for p in FIXTURES.glob("*.json"))


def load(server: str) -> dict:
    return json.loads((FIXTURES / f"{server}.json").read_text())


def exchanges(server: str, name: str | None = None, kind: str = "http") -> list[dict]:
    return [e for e in load(server)["exchanges"] if e["kind"] == kind and (name is None or e["name"] == name)]


def body(e: dict) -> bytes:
    return base64.b64decode(e["body_b64"])


def test_every_server_is_captured():
    assert SERVERS == ["node-1.7.4", "node-2.4.1", "node-2.5.1", "node-3.1.2", "node-4.8.1",
                       "python-socketio-5.18.1"]


@pytest.mark.parametrize("server", SERVERS)
def test_polling_bodies_round_trip_byte_exact(server):
    data = load(server)
    checked = 0
    for e in data["exchanges"]:
        if e["kind"] != "http" or e["method"] != "GET" or e["status"] != 200 or not e["body_b64"]:
            continue
        raw = body(e)
        hs = parse_handshake(200, e["content_type"], raw, e["eio"]) if "sid=" not in e["url"] else None
        eio = hs.server_eio if hs else data["eio"]
        packets = decode_polling_body(raw, eio)
        assert packets
        if server == "node-1.7.4" and "b64=1" in e["url"]:
            continue  # engine.io 1.x leaves base64 unpadded; decoded above, not re-encodable byte for byte
        mode = False if "b64=1" in e["url"] else ("always" if server == "node-1.7.4" else True)
        assert encode_polling_body(packets, eio, binary=mode) == raw, e["name"]
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize("server", SERVERS)
def test_post_bodies_we_sent_decode(server):
    for e in exchanges(server):
        if e["method"] == "POST" and e["status"] == 200:
            raw = base64.b64decode(e["req_b64"])
            packets = decode_polling_body(raw, load(server)["eio"])
            assert encode_polling_body(packets, load(server)["eio"]) == raw


@pytest.mark.parametrize("server", SERVERS)
def test_websocket_frames_round_trip_byte_exact(server):
    eio = load(server)["eio"]
    frames = [f for e in exchanges(server, kind="ws") for f in e["frames"] if "b64" in f]
    assert frames
    for f in frames:
        raw = base64.b64decode(f["b64"])
        data = raw if f["binary"] else raw.decode("utf-8")
        assert encode_ws_frame(decode_ws_frame(data, eio), eio) == data


@pytest.mark.parametrize("server", SERVERS)
def test_socketio_messages_round_trip(server):
    """Every Socket.IO packet seen, reassembled and re-encoded to the same text and attachments."""
    eio = load(server)["eio"]
    ascii_json = server.startswith("python")
    seen = set()
    for e in exchanges(server):
        if e["method"] == "GET" and e["status"] == 200 and e["body_b64"] and "b64=1" not in e["url"]:
            packets = decode_polling_body(body(e), parse_handshake(200, None, body(e), eio).server_eio or eio
                                          if "sid=" not in e["url"] else eio)
            decoder = SocketIODecoder(eio)
            messages = [p.data for p in packets if p.type is PacketType.MESSAGE]
            for i, m in enumerate(messages):
                sio = decoder.feed(m)
                if sio is None:
                    continue
                seen.add(sio.type)
                first = messages[i - sio.attachments]
                assert encode_sio(sio, eio, ensure_ascii=ascii_json) == [first, *messages[i - sio.attachments + 1:i + 1]]
    assert {SioType.EVENT, SioType.BINARY_EVENT, SioType.ACK, SioType.BINARY_ACK, SioType.CONNECT_ERROR} <= seen


@pytest.mark.parametrize("server,expected", [
    ("node-1.7.4", (25000, 60000, None)), ("node-2.4.1", (25000, 5000, None)),
    ("node-2.5.1", (25000, 20000, None)), ("node-3.1.2", (25000, 5000, None)),
    ("node-4.8.1", (25000, 20000, 1000000)), ("python-socketio-5.18.1", (25000, 20000, 1000000)),
])
def test_default_handshake(server, expected):
    e = exchanges(server, "handshake_default")[-1]  # the EIO=4 request
    hs = parse_handshake(e["status"], e["content_type"], body(e), 4)
    assert hs.ok and hs.open.upgrades == ("websocket",)
    assert (hs.open.ping_interval, hs.open.ping_timeout, hs.open.max_payload) == expected
    assert hs.server_eio == load(server)["eio"]  # 1.x/2.x answer EIO=4 in v3 framing


@pytest.mark.parametrize("server,name,code,family,status", [
    ("node-4.8.1", "handshake_default", ErrorCode.UNSUPPORTED_PROTOCOL_VERSION, "node", 400),
    ("node-3.1.2", "handshake_default", ErrorCode.UNSUPPORTED_PROTOCOL_VERSION, "node", 400),
    ("node-4.8.1", "handshake_no_eio", ErrorCode.UNSUPPORTED_PROTOCOL_VERSION, "node", 400),
    ("node-4.8.1", "error_transport_unknown", ErrorCode.TRANSPORT_UNKNOWN, "node", 400),
    ("node-2.4.1", "error_sid_unknown", ErrorCode.SESSION_ID_UNKNOWN, "node", 400),
    ("node-3.1.2", "error_options_handshake", ErrorCode.BAD_HANDSHAKE_METHOD, "node", 400),
    ("node-2.4.1", "origins_handshake_evil_origin", ErrorCode.FORBIDDEN, "node", 403),
    ("node-1.7.4", "origins_handshake_evil_origin", ErrorCode.UNKNOWN, "node", 400),
    ("node-4.8.1", "handshake_wrong_path", ErrorCode.NOT_FOUND, "http", 404),
    ("python-socketio-5.18.1", "handshake_default", ErrorCode.UNSUPPORTED_PROTOCOL_VERSION, "python", 400),
    ("python-socketio-5.18.1", "error_transport_unknown", ErrorCode.TRANSPORT_UNKNOWN, "python", 400),
    ("python-socketio-5.18.1", "error_sid_unknown", ErrorCode.SESSION_ID_UNKNOWN, "python", 400),
    ("python-socketio-5.18.1", "handshake_cross_origin", ErrorCode.FORBIDDEN, "python", 400),
    ("python-socketio-5.18.1", "handshake_wrong_path", ErrorCode.NOT_FOUND, "http", 404),
])
def test_refusals_become_one_typed_error(server, name, code, family, status):
    e = exchanges(server, name)[0]
    err = parse_error_response(e["status"], e["content_type"], body(e))
    assert (err.code, err.family, err.status) == (code, family, status)
    assert parse_handshake(e["status"], e["content_type"], body(e), 4).error == err


def test_eio3_on_4x_with_allow_eio3_adds_max_payload_in_v3_framing():
    e = exchanges("node-4.8.1", "allow_eio3_handshake_eio3")[0]
    hs = parse_handshake(e["status"], e["content_type"], body(e), 3)
    assert hs.server_eio == 3 and hs.open.max_payload == 1000000


@pytest.mark.parametrize("server", SERVERS)
def test_session_follows_the_upgrade(server):
    eio = load(server)["eio"]
    e = exchanges(server, "upgrade", kind="ws")[0]
    hs = parse_handshake(200, None, body(exchanges(server, "handshake")[0]), eio)
    s = Session(eio)
    for p in hs.packets:
        s.receive("server", p)
    for f in e["frames"]:
        if "b64" in f:
            raw = base64.b64decode(f["b64"])
            s.feed_ws_frame("server" if f["dir"] == "in" else "client", raw if f["binary"] else raw.decode())
            if f["dir"] == "out" and raw == b"2probe":
                s.feed_polling_body("server", body(exchanges(server, "poll_during_upgrade")[0]))
    assert s.upgraded and s.transport == "websocket"
    assert s.pinger == s.rev.pinger
    assert s.violations == []


def test_socketio_v2_connect_error_is_a_string_v3_an_object():
    v2 = decode_sio(decode_polling_body(body(exchanges("node-2.4.1", "poll_admin_error")[0]), 3)[0].data, 3)
    v4 = decode_sio(decode_polling_body(body(exchanges("node-4.8.1", "poll_admin_error")[0]), 4)[0].data, 4)
    assert (v2.type, v2.nsp, v2.data) == (SioType.CONNECT_ERROR, "/admin", "not authorized")
    assert (v4.type, v4.nsp, v4.data) == (SioType.CONNECT_ERROR, "/admin", {"message": "not authorized"})
