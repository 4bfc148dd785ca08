import pytest

from proxies.http._eio import _trim, describe_frame, eio_of, frame_type, join_polling, split_polling


def test_v4_split_and_join_are_byte_exact():
    body = b'0{"sid":"a"}\x1e2\x1e42["hi","\xc3\xa9"]'
    packets = split_polling(body, 4)
    assert packets == ['0{"sid":"a"}', "2", '42["hi","é"]']
    assert join_polling(packets, 4) == body


def test_v3_lengths_count_utf16_units():
    body = '6:42["😀"]2:40'.encode()   # 😀 is two UTF-16 units: 42["😀"] is 7 units... built below
    packet = '42["😀"]'
    body = f"{len(packet.encode('utf-16-le')) // 2}:{packet}1:2".encode()
    assert split_polling(body, 3) == [packet, "2"]
    assert join_polling([packet, "2"], 3) == body


def test_v3_binary_or_garbage_is_not_split():
    assert split_polling(b"\x00\x01\xff4abc", 3) is None
    assert split_polling(b"x:2", 3) is None


def test_eio_detection():
    assert eio_of("3") == 3
    assert eio_of("4", b'96:0{"sid":"x"}') == 3        # a 2.x server answering EIO=4
    assert eio_of("4", b'0{"sid":"x"}') == 4
    assert eio_of(None) == 4


def test_frame_types():
    assert frame_type(b"2", True, 4) == "ping"
    assert frame_type(b"3probe", True, 4) == "pong"
    assert frame_type(b"\x01\x02", False, 4) == "message"
    assert frame_type(b"\x04\x02", False, 3) == "message"
    described = describe_frame(b"42[\"a\"]", True, 4)
    assert described["type"] == "message" and described["data"] == '2["a"]'
    if "sio" in described:       # harness.protocol present: the Socket.IO layer is decoded too
        assert described["sio"]["type"] == "EVENT" and described["sio"]["data"] == ["a"]


MESSAGES = ['4', '40', '40{"sid":"a"}', '40/admin,{"token":1}', '40/nsp?x=1,', '41', '41/admin,',
            '42["echo","' + "x" * 1024 + '"]', '421["echo",1]', '42/admin,7["a",{"b":[1,2]}]', '43[1]',
            '431[1]', '44{"message":"nope"}', '44"str"', '451-["up",{"_placeholder":true,"num":0}]',
            '461-[{"_placeholder":true,"num":0}]', '42["connect"]', '42[]', '42{"a":1}', '42[bad',
            '42["é\U0001F600"]', '4x', '47', '42[NaN]', '421' + "9" * 5000 + '[1]', '43']


@pytest.mark.parametrize("eio", [3, 4])
@pytest.mark.parametrize("text", MESSAGES)
def test_a_message_frame_is_described_as_harness_protocol_describes_it(text, eio):
    """The shortcut for "4..." frames must give describe_packets' dict, errors included."""
    import harness.protocol as codec
    try:
        expected = _trim(codec.describe_packets([codec.decode_ws_frame(text, eio)], eio)[0])
    except Exception:           # describe_frame falls back to the local split then
        expected = None
    got = describe_frame(text.encode("utf-8"), True, eio)
    if expected is not None:
        assert got == expected
    assert got["type"] == "message"
