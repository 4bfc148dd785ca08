"""Fuzz the sans-IO codec: arbitrary bytes and strings to every decode function give a result or
ProtocolError, nothing else; the functions that answer with a value (parse_handshake,
parse_error_response, describe_packets, detect_eio, sniff_eio, Session) never raise at all.

Inputs are biased towards what the codec looks at: packet type digits, attachment counts and
ack ids (of thousands of digits too), namespaces, JSON with NaN/Infinity/1e400, length prefixes,
XHR2 markers. The proxies feed it what they relay, so one escape here is a crashed recording.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.protocol import (Packet, PacketType, ProtocolError, Session, SocketIODecoder, decode_packet,
                              decode_polling_body, decode_sio, decode_ws_frame, describe_packets, detect_eio,
                              parse_error_response, parse_handshake, parse_open, sniff_eio)

from _fuzz_helpers import EXAMPLES, hang_guard

FUZZ = settings(max_examples=EXAMPLES, deadline=5000, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
eios = st.sampled_from([3, 4])
numbers = st.sampled_from(["0", "1", "-1", "1.5", "1e400", "-1e400", "NaN", "Infinity", "-Infinity", "9" * 30,
                           "9" * 4400, "true", "null", '"5"', "[]", "{}"])
json_open = st.builds(lambda sid, pi, pt, mp, up: '{"sid":%s,"upgrades":%s,"pingInterval":%s,"pingTimeout":%s%s}'
                      % (sid, up, pi, pt, f',"maxPayload":{mp}' if mp else ""),
                      st.sampled_from(['"abc"', '""', "1", "null"]), numbers, numbers,
                      st.none() | numbers, st.sampled_from(['["websocket"]', "[]", "[1]", '"websocket"']))
sio_text = st.builds(lambda t, att, nsp, ack, data: t + att + nsp + ack + data,
                     st.sampled_from(list("0123456789b") + [""]),
                     st.sampled_from(["", "1-", "0-", "-", "x-", "9" * 4400 + "-", "2-"]),
                     st.sampled_from(["", "/", "/admin,", "/a?x=1,", "/,", "/admin"]),
                     st.sampled_from(["", "0", "12", "9" * 30, "9" * 4400]),
                     st.sampled_from(["", '["a"]', '["a",1]', "[", '"x"', "{}", '{"message":"m"}', "[" * 1100,
                                      '[{"_placeholder":true,"num":0}]', '[{"_placeholder":true,"num":9}]',
                                      '["a",NaN]', "[1e400]", "[" + "9" * 4400 + "]"]) | st.text(max_size=12))
texts = st.text(max_size=64) | sio_text | json_open.map(lambda j: "0" + j) | st.from_regex(
    r"[0-6b][0-9]{0,3}-?/?[a-z?=,]{0,4}[0-9]{0,3}.{0,12}", fullmatch=True, alphabet=st.characters())
blobs = (st.binary(max_size=256) | texts.map(lambda t: t.encode("utf-8", "surrogatepass"))
         | st.lists(texts, max_size=4).map(lambda ts: "\x1e".join(ts).encode("utf-8", "surrogatepass"))
         | st.lists(texts, max_size=4).map(lambda ts: "".join(f"{len(t)}:{t}" for t in ts).encode("utf-8", "surrogatepass"))
         | st.binary(max_size=32).map(lambda b: b"\x00" + b) | st.binary(max_size=32).map(lambda b: b"\x01\x05\xff" + b))


def _only_protocol_error(fn, *args):
    try:
        return fn(*args)
    except ProtocolError:
        return None


@FUZZ
@given(eios, texts | st.binary(max_size=64))
def test_packet_and_frame_decoders(eio, data):
    with hang_guard(20):
        if isinstance(data, str):
            _only_protocol_error(decode_packet, data, eio)
            _only_protocol_error(decode_sio, data, eio)
            _only_protocol_error(parse_open, data)
            _only_protocol_error(parse_open, Packet(PacketType.OPEN, data))
        _only_protocol_error(decode_ws_frame, data, eio)


@FUZZ
@given(eios, blobs)
def test_polling_bodies_and_handshakes(eio, body):
    with hang_guard(20):
        packets = _only_protocol_error(decode_polling_body, body, eio)
        _only_protocol_error(decode_polling_body, body.decode("latin-1"), eio)
        hs = parse_handshake(200, "text/plain", body, eio)
        assert hs.ok or hs.error is not None
        for status in (400, 403, 404, 500):
            assert parse_error_response(status, "application/json", body) is not None
        sniff_eio(body)
        detect_eio(body)
        detect_eio(body.decode("latin-1"))
        if packets:
            assert len(describe_packets(packets, eio)) == len(packets)


@FUZZ
@given(eios, st.lists(st.tuples(st.sampled_from(["client", "server"]), blobs, st.booleans()), max_size=8))
def test_session_and_sio_decoder_on_arbitrary_traffic(eio, traffic):
    session, decoder = Session(eio), SocketIODecoder(eio)
    with hang_guard(20):
        for sender, data, ws in traffic:
            if ws:
                packet = _only_protocol_error(session.feed_ws_frame, sender, data)
                if packet is not None and packet.type is PacketType.MESSAGE:
                    _only_protocol_error(decoder.feed, packet.data or "")
            else:
                _only_protocol_error(session.feed_polling_body, sender, data)
        assert isinstance(session.summary(), dict)


@FUZZ
@given(eios, st.lists(sio_text | st.binary(max_size=8), max_size=6))
def test_sio_decoder_feeds(eio, parts):
    decoder = SocketIODecoder(eio)
    with hang_guard(20):
        for part in parts:
            try:
                packet = decoder.feed(part)
            except ProtocolError:
                decoder = SocketIODecoder(eio)
                continue
            if packet is not None:
                packet.to_dict()
