"""The fast path's sans-IO WebSocket frame reader: byte-exact cases (RFC 6455 5.7 and
RFC 7692 7.2.3 examples), any chunking, bounded memory, permessage-deflate."""

import os
import zlib

import pytest
from hypothesis import given, settings, strategies as st

from proxies.http._wsframes import (BINARY, CLOSE, PING, PONG, TEXT, FrameError, FrameReader, Inflater, Message,
                                    close_info, deflate_params, unmask)
from proxies.http._wsframes import _xor


def frame(payload: bytes, opcode=TEXT, fin=True, mask=None, rsv1=False) -> bytes:
    """A frame in the shortest length form (the reader must accept any)."""
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode])
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([bit | 127]) + n.to_bytes(8, "big")
    if mask:
        return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + payload


def read(*chunks, **kw):
    reader = FrameReader(**kw)
    return [m for c in chunks for m in reader.feed(c)]


@pytest.mark.parametrize("data,expected", [
    (b"\x81\x05Hello", [Message(TEXT, b"Hello", 5)]),                                           # unmasked
    (b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", [Message(TEXT, b"Hello", 5)]),           # masked
    (b"\x01\x03Hel\x80\x02lo", [Message(TEXT, b"Hello", 5)]),                                  # fragmented
    (b"\x89\x05Hello", [Message(PING, b"Hello", 5)]),
    (b"\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", [Message(PONG, b"Hello", 5)]),
    (b"\x82\x7e\x01\x00" + bytes(range(256)), [Message(BINARY, bytes(range(256)), 256)]),      # 16-bit length
    (b"\x82\x7f" + (65536).to_bytes(8, "big") + b"z" * 65536, [Message(BINARY, b"z" * 65536, 65536)]),  # 64-bit
    (b"\x82\x7e\x00\x05abcde", [Message(BINARY, b"abcde", 5)]),                             # non-minimal length
    (b"\x81\x00", [Message(TEXT, b"", 0)]),
])
def test_rfc6455_examples(data, expected):
    assert read(data) == expected


def test_every_length_form_masked():
    mask = b"\x01\x82\x03\xf4"
    for n in (0, 1, 3, 4, 5, 125, 126, 127, 65535, 65536, 70001):
        payload = os.urandom(n)
        assert read(frame(payload, BINARY, mask=mask)) == [Message(BINARY, payload, n)]


def test_unmask_is_the_per_byte_xor_at_any_offset():
    data, mask = os.urandom(1031), b"\x9a\x01\xff\x10"
    slow = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    assert unmask(data, mask) == slow
    assert unmask(data[:7], mask) + unmask(data[7:], mask, 7) == slow
    assert _xor(data, mask) == slow and _xor(data[:3], mask) == slow[:3], "the fallback without websockets' C"


def test_control_frames_between_fragments_come_out_first():
    mask = b"abcd"
    stream = (frame(b"42[\"a", TEXT, fin=False, mask=mask) + frame(b"p", PING, mask=mask)
              + frame(b'","b', 0, fin=False, mask=mask) + frame(b"", PONG) + frame(b'"]', 0, mask=mask))
    assert read(stream) == [Message(PING, b"p", 1), Message(PONG, b"", 0), Message(TEXT, b'42["a","b"]', 11)]


STREAM = (frame(b"2probe", mask=b"\x00\x01\x02\x03") + frame(b"3probe") + frame(b"5", mask=b"wxyz")
          + frame(b"\x04" + bytes(300), BINARY) + frame(b"4hel", fin=False) + frame(b"x", PING)
          + frame(b"lo", 0, mask=b"mmmm") + frame((1000).to_bytes(2, "big") + b"bye", CLOSE, mask=b"1234"))
MESSAGES = [Message(TEXT, b"2probe", 6), Message(TEXT, b"3probe", 6), Message(TEXT, b"5", 1),
            Message(BINARY, b"\x04" + bytes(300), 301), Message(PING, b"x", 1), Message(TEXT, b"4hello", 6),
            Message(CLOSE, b"\x03\xe8bye", 5)]


def test_split_at_every_byte_boundary():
    assert read(STREAM) == MESSAGES
    for cut in range(1, len(STREAM)):
        assert read(STREAM[:cut], STREAM[cut:]) == MESSAGES, cut


def test_byte_by_byte():
    assert read(*(STREAM[i:i + 1] for i in range(len(STREAM)))) == MESSAGES


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.binary(max_size=300), st.sampled_from([TEXT, BINARY, PING]), st.booleans(),
                          st.integers(1, 3)), max_size=12),
       st.lists(st.integers(0, 5000), max_size=20))
def test_any_chunking_gives_the_same_messages(specs, cuts):
    stream, expected = b"", []
    for payload, opcode, masked, pieces in specs:
        if opcode == PING:
            payload = payload[:125]
            pieces = 1
        mask = b"\x5a\xa5\x0f\xf0" if masked else None
        step = -(-len(payload) // pieces) or 1
        parts = [payload[i:i + step] for i in range(0, len(payload), step)] or [b""]
        for i, part in enumerate(parts):
            stream += frame(part, opcode if i == 0 else 0, fin=i == len(parts) - 1, mask=mask)
        expected.append(Message(opcode, payload, len(payload)))
    bounds = sorted({c % (len(stream) + 1) for c in cuts} | {0, len(stream)})
    chunks = [stream[a:b] for a, b in zip(bounds, bounds[1:])]
    assert read(*chunks) == expected


@pytest.mark.parametrize("payload,expected", [
    (b"", (1005, "")),
    ((1000).to_bytes(2, "big"), (1000, "")),
    ((4000).to_bytes(2, "big") + "bye é".encode(), (4000, "bye é")),
    (b"\x03", (None, "")),
])
def test_close_info(payload, expected):
    assert close_info(payload) == expected


def test_close_frame_masked_with_and_without_code():
    (m,) = read(frame((1001).to_bytes(2, "big") + b"going", CLOSE, mask=b"\x01\x02\x03\x04"))
    assert m.opcode == CLOSE and close_info(m.payload) == (1001, "going")
    (m,) = read(frame(b"", CLOSE, mask=b"abcd"))
    assert close_info(m.payload) == (1005, "")


def test_oversize_message_is_counted_not_buffered():
    reader = FrameReader(limit=100)
    big = frame(b"4" + b"y" * 9999, mask=b"kkkk")
    out = []
    for i in range(0, len(big), 997):
        out += reader.feed(big[i:i + 997])
        assert sum(map(len, reader._msg)) <= 100
    out += reader.feed(frame(b"4next"))
    assert out == [Message(TEXT, b"4" + b"y" * 99, 10000, True), Message(TEXT, b"4next", 5)]


def test_oversize_fragmented_message_keeps_its_first_bytes():
    stream = frame(b"a" * 80, fin=False) + frame(b"b" * 80, 0, fin=False) + frame(b"c" * 80, 0)
    assert read(stream, limit=100) == [Message(TEXT, b"a" * 80 + b"b" * 20, 240, True)]


def test_limit_zero_only_counts():
    assert read(frame(b"4hello", mask=b"abcd") + frame(b"\x03\xe8", CLOSE), limit=0) == [
        Message(TEXT, b"", 6, True), Message(CLOSE, b"\x03\xe8", 2)]


@pytest.mark.parametrize("data,why", [
    (b"\x09\x00", "fragmented control"),
    (b"\x89\x7e\x00\x80" + bytes(128), "long control"),
    (b"\x80\x01x", "continuation first"),
    (b"\x01\x01a\x81\x01b", "data inside a fragmented message"),
    (b"\x83\x00", "reserved opcode"),
])
def test_protocol_violations_raise(data, why):
    with pytest.raises(FrameError):
        read(data)


# RFC 7692 7.2.3: "Hello" compressed
HELLO = b"\xf2\x48\xcd\xc9\xc9\x07\x00"


def test_deflate_rfc7692_examples():
    assert read(b"\xc1\x07" + HELLO, inflater=Inflater()) == [Message(TEXT, b"Hello", 5)]
    # 7.2.3.2: the second "Hello" refers to the first (context takeover)
    assert read(b"\xc1\x07" + HELLO + b"\xc1\x05\xf2\x00\x11\x00\x00", inflater=Inflater()) == [
        Message(TEXT, b"Hello", 5)] * 2
    # 7.2.3.1: fragmented; 7.2.3.4: a final block (BFINAL 1)
    assert read(b"\x41\x03\xf2\x48\xcd\x80\x04\xc9\xc9\x07\x00", inflater=Inflater()) == [Message(TEXT, b"Hello", 5)]
    assert read(b"\xc1\x08\xf3\x48\xcd\xc9\xc9\x07\x00\x00" * 2, inflater=Inflater()) == [Message(TEXT, b"Hello", 5)] * 2
    # an uncompressed message (RSV1 clear) on a deflate connection
    assert read(b"\x81\x02hi", inflater=Inflater()) == [Message(TEXT, b"hi", 2)]


def deflated(messages, reset: bool, mask=None):
    z = zlib.compressobj(wbits=-15)
    out = b""
    for m in messages:
        if reset:
            z = zlib.compressobj(wbits=-15)
        body = z.compress(m) + z.flush(zlib.Z_SYNC_FLUSH)
        assert body.endswith(b"\x00\x00\xff\xff")
        out += frame(body[:-4], rsv1=True, mask=mask)
    return out


@pytest.mark.parametrize("reset", [False, True])
def test_deflate_with_and_without_context_takeover(reset):
    msgs = [b'42["echo","' + b"x" * 2000 + b'"]', b'42["echo","' + b"x" * 2000 + b'"]', b"3", b"4" + os.urandom(500).hex().encode()]
    stream = deflated(msgs, reset, mask=b"\x11\x22\x33\x44")
    expected = [Message(TEXT, m, len(m)) for m in msgs]
    assert read(stream, inflater=Inflater(no_context_takeover=reset)) == expected
    for cut in range(1, len(stream), 7):
        assert read(stream[:cut], stream[cut:], inflater=Inflater(no_context_takeover=reset)) == expected


def test_deflate_oversize_keeps_the_window_for_the_next_message():
    msgs = [b"4" + b"ab" * 50000, b"4" + b"ab" * 10]
    out = read(deflated(msgs, reset=False), limit=1000, inflater=Inflater())
    assert out == [Message(TEXT, msgs[0][:1000], len(msgs[0]), True), Message(TEXT, msgs[1], len(msgs[1]))]


@pytest.mark.parametrize("header,expected", [
    (None, None),
    ("", None),
    ("permessage-deflate", {}),
    ("permessage-deflate; client_max_window_bits", {"client_max_window_bits": ""}),
    ("permessage-deflate; server_no_context_takeover; client_max_window_bits=15",
     {"server_no_context_takeover": "", "client_max_window_bits": "15"}),
    ("x-webkit-deflate-frame, permessage-deflate; Client_No_Context_Takeover", {"client_no_context_takeover": ""}),
])
def test_deflate_params(header, expected):
    assert deflate_params(header) == expected
