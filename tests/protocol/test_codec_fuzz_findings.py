"""What fuzzing the codec found (tests/fuzz/test_fuzz_protocol.py), pinned: each was an exception
other than ProtocolError escaping a decode function, and so the proxy that called it."""

import pytest

from harness.protocol import (Packet, PacketType, ProtocolError, Session, decode_sio, describe_packets,
                              parse_handshake, parse_open)

HUGE = "9" * 5000   # over Python's 4300-digit limit for int(str): int() raised ValueError


@pytest.mark.parametrize("text", ["2" + HUGE + '["a"]', "5" + HUGE + '-["a",{"_placeholder":true,"num":0}]',
                                  "3/admin," + HUGE + "[]"])
def test_numbers_of_thousands_of_digits_are_protocol_errors(text):
    with pytest.raises(ProtocolError, match="digits"):
        decode_sio(text, 4)


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "NaN", "1e400"])
def test_open_packet_timings_must_be_finite(value):
    body = '{"sid":"a","upgrades":[],"pingInterval":%s,"pingTimeout":20000}' % value
    with pytest.raises(ProtocolError, match="pingInterval must be a number"):
        parse_open(body)     # was OverflowError / ValueError from int(inf) / int(nan)
    hs = parse_handshake(200, "text/plain", ("0" + body).encode(), 4)
    assert not hs.ok and hs.error.name == "NOT_ENGINE_IO"
    session = Session(4)
    session.feed_polling_body("server", ("0" + body).encode())
    assert session.violations and "bad open packet" in session.violations[0].reason
    assert "error" in describe_packets([Packet(PacketType.OPEN, body)], 4)[0]
