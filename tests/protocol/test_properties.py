"""Hypothesis: encode/decode round-trips; arbitrary input only ever raises ProtocolError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.protocol import (Packet, PacketType, ProtocolError, Session, SioPacket, SioType, SocketIODecoder,
                              decode_packet, decode_polling_body, decode_sio, decode_ws_frame, describe_packets,
                              encode_polling_body, encode_sio, encode_ws_frame, parse_error_response,
                              parse_handshake, parse_open)

eios = st.sampled_from([3, 4])
types = st.sampled_from(list(PacketType))
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x1e"))
text_packets = st.builds(Packet, types, texts | st.none())
binary_messages = st.builds(Packet, st.just(PacketType.MESSAGE), st.binary())


@given(eios, st.lists(text_packets | binary_messages, min_size=1), st.sampled_from([True, False, "always"]))
def test_polling_round_trip(eio, packets, binary):
    assert decode_polling_body(encode_polling_body(packets, eio, binary=binary), eio) == packets


@given(eios, text_packets | binary_messages)
def test_ws_round_trip(eio, packet):
    assert decode_ws_frame(encode_ws_frame(packet, eio), eio) == packet


json_leaf = st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.text(max_size=8)
json_values = st.recursive(json_leaf, lambda c: st.lists(c, max_size=3)
                           | st.dictionaries(st.text(max_size=5).filter(lambda k: k != "_placeholder"), c, max_size=3),
                           max_leaves=10)
nsps = st.sampled_from(["/", "/admin", "/a-b_c"])
ids = st.none() | st.integers(0, 2**31)


def _sio_packets():
    event = st.builds(lambda name, rest, nsp, i: SioPacket(SioType.EVENT, nsp, [name, *rest], i),
                      st.text(min_size=1, max_size=8).filter(lambda n: n not in {"connect", "disconnect"}),
                      st.lists(json_values | st.binary(max_size=8), max_size=3), nsps, ids)
    ack = st.builds(lambda rest, nsp, i: SioPacket(SioType.ACK, nsp, rest, i),
                    st.lists(json_values | st.binary(max_size=8), max_size=3), nsps, st.integers(0, 2**31))
    connect = st.builds(lambda nsp, auth: SioPacket(SioType.CONNECT, nsp, auth), nsps,
                        st.none() | st.dictionaries(st.text(max_size=5), json_values, max_size=3))
    error = st.builds(lambda nsp, msg: SioPacket(SioType.CONNECT_ERROR, nsp, msg), nsps,
                      st.text(max_size=10) | st.fixed_dictionaries({"message": st.text(max_size=10)}))
    disconnect = st.builds(lambda nsp: SioPacket(SioType.DISCONNECT, nsp), nsps)
    return event | ack | connect | error | disconnect


@given(eios, _sio_packets(), st.booleans())
def test_socketio_round_trip(eio, packet, ascii_json):
    parts = encode_sio(packet, eio, ensure_ascii=ascii_json)
    decoder = SocketIODecoder(eio)
    results = [decoder.feed(p) for p in parts]
    whole = results[-1]
    assert all(r is None for r in results[:-1]) and decoder.waiting == 0
    assert (whole.nsp, whole.id, whole.data) == (packet.nsp, packet.id, packet.data)
    assert encode_sio(whole, eio, ensure_ascii=ascii_json) == parts


@settings(max_examples=300)
@given(eios, st.binary(max_size=64) | st.binary(max_size=8).map(lambda b: b"\x00\x03\xff" + b)
       | st.text(max_size=32).map(lambda t: (str(len(t)) + ":" + t).encode()))
def test_arbitrary_bodies_only_raise_protocol_error(eio, body):
    try:
        decode_polling_body(body, eio)
    except ProtocolError:
        pass
    try:
        decode_ws_frame(body, eio)
    except ProtocolError:
        pass


@settings(max_examples=300)
@given(eios, st.text(max_size=40) | st.from_regex(r"[0-6][0-9]{0,2}-?/?[a-z]{0,3},?[0-9]{0,3}.{0,10}",
                                                  fullmatch=True))
def test_arbitrary_text_only_raises_protocol_error(eio, text):
    for fn in (decode_packet, decode_sio, decode_ws_frame):
        try:
            fn(text, eio)
        except ProtocolError:
            pass
    for fn in (parse_open,):
        try:
            fn(text)
        except ProtocolError:
            pass
    hs = parse_handshake(200, None, text.encode(), eio)
    assert hs.ok or hs.error is not None
    parse_error_response(400, "text/html", text.encode())
    describe_packets([Packet(PacketType.MESSAGE, text)], eio)


@given(eios, st.lists(st.tuples(st.sampled_from(["client", "server"]), text_packets), max_size=20))
def test_session_never_raises(eio, steps):
    s = Session(eio)
    for sender, packet in steps:
        s.receive(sender, packet)
    assert isinstance(s.summary(), dict)
