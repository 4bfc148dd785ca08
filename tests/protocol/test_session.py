"""The Session: who pings, the upgrade, protocol violations; plus handshake and describe helpers."""

from __future__ import annotations

import pytest

from harness.protocol import (ErrorCode, Packet, PacketType, ServerError, Session, describe_packets,
                              parse_error_response, parse_handshake, parse_open)

T = PacketType
OPEN = Packet(T.OPEN, '{"sid":"s","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}')


def opened(eio: int) -> Session:
    s = Session(eio)
    s.receive("server", OPEN)
    return s


def reasons(s: Session) -> list[str]:
    return [v.reason for v in s.violations]


def test_v4_server_pings_client_answers():
    s = opened(4)
    s.receive("server", Packet(T.PING), t=1.0)
    s.receive("client", Packet(T.PONG), t=2.0)
    assert s.pinger == "server" and s.violations == [] and s.last_t["client"] == 2.0
    assert s.open.drop_after_ms == 45000


def test_ping_in_the_wrong_direction():
    v4 = opened(4)
    new = v4.receive("client", Packet(T.PING))
    assert [v.reason for v in new] == ["ping from the client: in EIO=4 only the server pings"]
    v3 = opened(3)
    v3.receive("server", Packet(T.PING))
    v3.receive("client", Packet(T.PING))
    assert v3.pinger == "both" and reasons(v3) == ["ping from the server: in EIO=3 only the client pings"]


def test_pong_without_ping_and_packet_before_open_and_after_close():
    s = Session(4)
    s.receive("server", Packet(T.MESSAGE, "0"))
    s.receive("server", OPEN)
    s.receive("client", Packet(T.PONG))
    s.receive("client", Packet(T.CLOSE))
    s.receive("server", Packet(T.NOOP))
    assert reasons(s) == ["packet before open", "pong without a ping", "noop after close by the client"]
    assert s.summary()["closed_by"] == "client"
    assert s.summary()["violations"][0]["packet"]["type"] == "message"


def test_open_violations():
    s = Session(4)
    s.receive("client", OPEN)
    s.receive("server", Packet(T.OPEN, "nope"))
    s.receive("server", OPEN)
    s.receive("server", OPEN)
    assert reasons(s) == ["open sent by the client", "bad open packet: open packet is not JSON: 'nope'",
                          "second open packet"]


def test_upgrade_probe_sequence_and_its_violations():
    s = opened(4)
    s.receive("client", Packet(T.UPGRADE))
    s.receive("server", Packet(T.PONG, "probe"))
    s.receive("server", Packet(T.PING, "probe"))
    assert reasons(s) == ["upgrade without an answered probe", "probe answer without a probe",
                          "upgrade probe sent by the server"]
    ok = opened(3)
    ok.feed_ws_frame("client", "2probe")
    ok.receive("server", OPEN, transport="websocket")  # an open during the probe is not a second open
    ok.feed_ws_frame("server", "3probe")
    ok.feed_polling_body("server", b"1:6")
    ok.feed_ws_frame("client", "5")
    assert ok.upgraded and ok.violations == [] and ok.summary()["transport"] == "websocket"
    with pytest.raises(ValueError):
        ok.receive("proxy", Packet(T.NOOP))


@pytest.mark.parametrize("data,message", [
    ("[]", "not a JSON object"), ('{"upgrades":[]}', "sid missing"),
    ('{"sid":"a","upgrades":"websocket"}', "list of strings"),
    ('{"sid":"a","pingInterval":true,"pingTimeout":1}', "pingInterval must be a number"),
])
def test_bad_open_packets(data, message):
    from harness.protocol import ProtocolError
    with pytest.raises(ProtocolError, match=message):
        parse_open(data)
    with pytest.raises(ProtocolError, match="expected an open packet"):
        parse_open(Packet(T.PING))


def test_open_keeps_unknown_fields():
    o = parse_open('{"sid":"a","upgrades":[],"pingInterval":1.9,"pingTimeout":2,"maxPayload":5,"x":1}')
    assert (o.ping_interval, o.max_payload, o.extra) == (1, 5, {"x": 1})
    assert o.to_dict()["x"] == 1


@pytest.mark.parametrize("status,ctype,body,code,family", [
    (400, "text/html", b"Session ID unknown", ErrorCode.SESSION_ID_UNKNOWN, "node-upgrade"),
    (400, "text/html", b"Bad request", ErrorCode.BAD_REQUEST, "node-upgrade"),
    (400, "text/plain", b'"Something else"', ErrorCode.BAD_REQUEST, "python"),
    (400, "application/json", b'{"code":"x"}', ErrorCode.UNKNOWN, "node"),
    (400, "application/json", b'{"code":3}', ErrorCode.BAD_REQUEST, "node"),
    (413, None, b"", ErrorCode.PAYLOAD_TOO_LARGE, "http"),
    (426, "text/plain", b"Upgrade Required", ErrorCode.UPGRADE_REQUIRED, "http"),
    (500, None, b"{oops", ErrorCode.HTTP_ERROR, "http"),
])
def test_error_families(status, ctype, body, code, family):
    err = parse_error_response(status, ctype, body)
    assert (err.code, err.family) == (code, family)
    assert err.to_dict()["name"] == ErrorCode(code).name and str(err).startswith(f"code {int(code)} ")


def test_success_is_no_error_and_non_engine_io_200():
    assert parse_error_response(200, None, b"ok") is None
    hs = parse_handshake(200, "text/html", b"<html>", 4)
    assert not hs.ok and hs.error.code == ErrorCode.NOT_ENGINE_IO and hs.error.family == "protocol"
    hs = parse_handshake(200, None, b"2:40", 3)
    assert hs.error.message == "the first packet is not an open packet"


def test_describe_packets():
    items = describe_packets([OPEN, Packet(T.MESSAGE, '51-["b",{"_placeholder":true,"num":0}]'),
                              Packet(T.MESSAGE, b"\x01"), Packet(T.MESSAGE, "2["), Packet(T.OPEN, "x"),
                              Packet(T.MESSAGE, '2["ok"]')], 4)
    assert items[0]["open"]["sid"] == "s"
    assert "sio" not in items[1] and items[2]["sio"]["type"] == "BINARY_EVENT"
    assert "sio_error" in items[3] and "error" in items[4]
    assert items[5]["sio"]["data"] == ["ok"]
    assert isinstance(ServerError(0, "m", "node").name, str)
