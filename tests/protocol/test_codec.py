"""Byte-exact encode/decode of every Engine.IO and Socket.IO packet type, both revisions."""

from __future__ import annotations

import pytest

from harness.protocol import (REVISIONS, Packet, PacketType, ProtocolError, SioPacket, SioType, SocketIODecoder,
                              decode_packet, decode_polling_body, decode_sio, decode_ws_frame, detect_eio,
                              encode_packet, encode_polling_body, encode_sio, encode_ws_frame, revision, sniff_eio,
                              utf16_len)

T = PacketType

# (packet, v3 text, v4 text): every Engine.IO type, with and without data
TEXT_CASES = [
    (Packet(T.OPEN, '{"sid":"a"}'), '0{"sid":"a"}', '0{"sid":"a"}'),
    (Packet(T.CLOSE), "1", "1"),
    (Packet(T.PING), "2", "2"),
    (Packet(T.PING, "probe"), "2probe", "2probe"),
    (Packet(T.PONG), "3", "3"),
    (Packet(T.PONG, "probe"), "3probe", "3probe"),
    (Packet(T.MESSAGE, "hello"), "4hello", "4hello"),
    (Packet(T.MESSAGE), "4", "4"),
    (Packet(T.UPGRADE), "5", "5"),
    (Packet(T.NOOP), "6", "6"),
    (Packet(T.MESSAGE, b"\x01\x02\x03"), "b4AQID", "bAQID"),
]


@pytest.mark.parametrize("packet,v3,v4", TEXT_CASES)
def test_text_packets(packet, v3, v4):
    assert encode_packet(packet, 3) == v3 and decode_packet(v3, 3) == packet
    assert encode_packet(packet, 4) == v4 and decode_packet(v4, 4) == packet


@pytest.mark.parametrize("packet,v3,v4", TEXT_CASES)
def test_websocket_frames(packet, v3, v4):
    if packet.binary:
        assert encode_ws_frame(packet, 3) == b"\x04\x01\x02\x03"
        assert encode_ws_frame(packet, 4) == b"\x01\x02\x03"
        assert decode_ws_frame(b"\x04\x01\x02\x03", 3) == packet
        assert decode_ws_frame(bytearray(b"\x01\x02\x03"), 4) == packet
    else:
        assert encode_ws_frame(packet, 3) == v3 and decode_ws_frame(v3, 3) == packet
        assert encode_ws_frame(packet, 4) == v4 and decode_ws_frame(v4, 4) == packet


def test_v3_binary_of_any_type_but_v4_only_messages():
    assert encode_packet(Packet(T.PING, b"\x00"), 3) == "b2AA=="
    assert decode_packet("b2AA==", 3) == Packet(T.PING, b"\x00")
    assert encode_ws_frame(Packet(T.PING, b"\x00"), 3) == b"\x02\x00"
    for fn in (encode_packet, encode_ws_frame):
        with pytest.raises(ProtocolError, match="only in a message"):
            fn(Packet(T.PING, b"\x00"), 4)


def test_polling_payloads_byte_exact():
    packets = [Packet(T.OPEN, '{"sid":"x"}'), Packet(T.MESSAGE, "0")]
    assert encode_polling_body(packets, 3) == b'12:0{"sid":"x"}2:40'
    assert encode_polling_body(packets, 4) == b'0{"sid":"x"}\x1e40'
    assert decode_polling_body(b'12:0{"sid":"x"}2:40', 3) == packets
    assert decode_polling_body('0{"sid":"x"}\x1e40', 4) == packets
    assert encode_polling_body([], 3) == b"0:" and decode_polling_body(b"0:", 3) == []


def test_v3_length_counts_utf16_units_not_bytes():
    emoji = Packet(T.MESSAGE, '2["\U0001F600é"]')
    assert utf16_len('42["\U0001F600é"]') == 9
    body = encode_polling_body([emoji, Packet(T.PING)], 3)
    assert body == '9:42["\U0001F600é"]1:2'.encode()
    assert decode_polling_body(body, 3) == [emoji, Packet(T.PING)]


def test_v3_xhr2_and_b64():
    packets = [Packet(T.MESSAGE, "é"), Packet(T.MESSAGE, b"\xff\x00")]
    xhr2 = b"\x00\x03\xff4\xc3\xa9\x01\x03\xff\x04\xff\x00"
    assert encode_polling_body(packets, 3) == xhr2 and decode_polling_body(xhr2, 3) == packets
    assert encode_polling_body(packets, 3, binary=False) == "2:4é6:b4/wA=".encode()
    assert decode_polling_body("2:4é6:b4/wA=", 3) == packets
    assert encode_polling_body([Packet(T.PONG)], 3, binary="always") == b"\x00\x01\xff3"
    assert encode_polling_body([Packet(T.MESSAGE, b"\x01")], 4) == b"bAQ=="


def test_unpadded_base64_of_engine_io_1():
    assert decode_packet("b4AAEC/w", 3) == Packet(T.MESSAGE, b"\x00\x01\x02\xff")


@pytest.mark.parametrize("eio,body", [
    (3, b""), (4, b""), (3, b"x:4"), (3, b"5:4ab"), (3, b"3"), (3, b"2:4\xff"), (4, b"4\xff"),
    (3, "2:4\U0001F600".encode()), (3, "4:4\U0001F600".encode()),
    (3, b"\x02\x01\xff4"), (3, b"\x00\xff4"), (3, b"\x00\x0a\xff4"), (3, b"\x00\x05\xff4"),
    (3, b"\x00\x01"), (3, b"\x01\x01\xff\x09"), (3, b"\x01\x00\xff"), (3, b"\x00\x02\xff4\xff"),
    (4, b"9"), (4, b"4a\x1e"), (4, b"b!!"), (3, b"2:b9"), (3, b"2:bx"), (3, b"4:b4a"), (3, b"1:x"),
])
def test_malformed_payloads_raise_protocol_error(eio, body):
    with pytest.raises(ProtocolError):
        decode_polling_body(body, eio)


@pytest.mark.parametrize("eio,frame", [(3, b""), (3, b"\x09"), (3, ""), (4, "7"), (4, "")])
def test_malformed_frames_raise_protocol_error(eio, frame):
    with pytest.raises(ProtocolError):
        decode_ws_frame(frame, eio)


def test_protocol_error_is_a_value_error_and_unknown_revision_is_one():
    with pytest.raises(ValueError):
        revision(5)
    assert revision(REVISIONS[3]) is REVISIONS[3]


@pytest.mark.parametrize("query,eio", [
    ("EIO=4&transport=polling", 4), ("?EIO=3&transport=polling", 3), ("transport=polling", 3),
    ("/socket.io/?EIO=4&t=1#x", 4), (b"EIO=4", 4), ("EIO=garbage", 3), ("EIO=4x", 3),
])
def test_detect_eio(query, eio):
    assert detect_eio(query) == eio


def test_sniff_eio():
    assert sniff_eio('0{"sid":1}') == 4 and sniff_eio(b'96:0{') == 3 and sniff_eio(b"\x00\x09\xff") == 3
    assert sniff_eio(b"<html>") is None


def test_packet_to_dict():
    assert Packet(T.MESSAGE, b"\x01").to_dict() == {"type": "message", "binary": True, "data": "AQ==", "size": 1}
    assert Packet(T.PING, "").to_dict() == {"type": "ping", "binary": False, "data": None}


# --- Socket.IO ------------------------------------------------------------------------------------

S = SioType
SIO_CASES = [  # (packet, text, eio)
    (SioPacket(S.CONNECT), "0", 4),
    (SioPacket(S.CONNECT, "/admin", {"token": "t"}), '0/admin,{"token":"t"}', 4),
    (SioPacket(S.CONNECT, "/", {"sid": "abc"}), '0{"sid":"abc"}', 4),
    (SioPacket(S.CONNECT, "/admin", query="token=1"), "0/admin?token=1,", 3),
    (SioPacket(S.DISCONNECT), "1", 4),
    (SioPacket(S.DISCONNECT, "/admin"), "1/admin,", 3),
    (SioPacket(S.EVENT, data=["hello", 1]), '2["hello",1]', 4),
    (SioPacket(S.EVENT, "/admin", ["hello"], id=12), '2/admin,12["hello"]', 4),
    (SioPacket(S.ACK, data=["answer"], id=3), '33["answer"]', 4),
    (SioPacket(S.ACK, "/x", [], id=0), "3/x,0[]", 3),
    (SioPacket(S.CONNECT_ERROR, data={"message": "not authorized"}), '4{"message":"not authorized"}', 4),
    (SioPacket(S.CONNECT_ERROR, "/admin", "not authorized"), '4/admin,"not authorized"', 3),
    (SioPacket(S.BINARY_EVENT, data=["bin", {"_placeholder": True, "num": 0}], attachments=1),
     '51-["bin",{"_placeholder":true,"num":0}]', 4),
    (SioPacket(S.BINARY_ACK, "/a", [{"_placeholder": True, "num": 0}], id=4, attachments=1),
     '61-/a,4[{"_placeholder":true,"num":0}]', 3),
]


@pytest.mark.parametrize("packet,text,eio", SIO_CASES)
def test_socketio_packets(packet, text, eio):
    assert encode_sio(packet, eio) == [text]
    assert decode_sio(text, eio) == packet


def test_binary_event_deconstructs_and_reassembles():
    packet = SioPacket(S.EVENT, "/", ["up", b"\x01", {"b": [b"\x02"]}], id=7)
    text, *buffers = encode_sio(packet)
    assert text == '51-7["up",{"_placeholder":true,"num":0},{"b":[{"_placeholder":true,"num":1}]}]'.replace("51-", "52-")
    assert buffers == [b"\x01", b"\x02"]
    decoder = SocketIODecoder(4)
    assert decoder.feed(text) is None and decoder.waiting == 2
    assert decoder.feed(b"\x01") is None
    whole = decoder.feed(bytearray(b"\x02"))
    assert whole.data == ["up", b"\x01", {"b": [b"\x02"]}] and whole.buffers == (b"\x01", b"\x02")
    assert whole.event == "up" and whole.to_dict()["data"][1] == {"_bytes": 1}
    # re-encoding the reassembled packet gives the same wire form
    assert encode_sio(whole) == [text, b"\x01", b"\x02"]
    ack = SioPacket(S.ACK, data=[b"\x03"], id=1)
    assert encode_sio(ack) == ['61-1[{"_placeholder":true,"num":0}]', b"\x03"]
    kept = SioPacket(S.BINARY_EVENT, data=["x", {"_placeholder": True, "num": 0}], attachments=1, buffers=(b"z",))
    assert encode_sio(kept) == ['51-["x",{"_placeholder":true,"num":0}]', b"z"]


def test_ensure_ascii_matches_python_socketio():
    assert encode_sio(SioPacket(S.EVENT, data=["é"]), ensure_ascii=True) == ['2["\\u00e9"]']
    assert encode_sio(SioPacket(S.EVENT, data=["é"])) == ['2["é"]']


def test_event_name():
    assert SioPacket(S.EVENT, data=[1]).event is None and SioPacket(S.ACK, data=["x"]).event is None


@pytest.mark.parametrize("text,eio", [
    ("", 4), ("7", 4), ("x", 4), ("5[]", 4), ("5x-[]", 4), ("2[", 4), ("2NaN", 3), ("2[Infinity]", 4),
    ("0[]", 4), ("0null", 4), ("1{}", 4), ("4[]", 4), ("2[]", 4), ("2{}", 4), ("2[true]", 4),
    ('2["connect"]', 4), ("3{}", 4), ("2" + "[" * 100000, 4),
])
def test_malformed_socketio_raise_protocol_error(text, eio):
    with pytest.raises(ProtocolError):
        decode_sio(text, eio)


def test_protocol_4_is_lenient():
    assert decode_sio('2["connect"]', 3).data == ["connect"] and decode_sio("1{}", 3).data == {}
    assert decode_sio("2[1.5]", 4).data == [1.5]


def test_decoder_misuse_raises_protocol_error():
    with pytest.raises(ProtocolError):
        decode_sio(b"2[]")
    with pytest.raises(ProtocolError, match="without a pending"):
        SocketIODecoder().feed(b"\x00")
    decoder = SocketIODecoder()
    decoder.feed('51-["x",{"_placeholder":true,"num":0}]')
    with pytest.raises(ProtocolError, match="awaited"):
        decoder.feed('2["y"]')
    bad = SocketIODecoder()
    bad.feed('51-["x",{"_placeholder":true,"num":3}]')
    with pytest.raises(ProtocolError, match="out of range"):
        bad.feed(b"\x00")
    zero = SocketIODecoder().feed('50-["x"]')
    assert zero.attachments == 0 and zero.data == ["x"]
