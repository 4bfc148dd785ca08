"""The WebSocket fast path without network: which addons keep the slow path, and the tap
records what mitmproxy's hook would (same event shape, close frame)."""

import zlib

import pytest

from _flows import ws_flow
from proxies.http._master import Forget
from proxies.http._wstap import Tap
from proxies.http.engine_packets import EnginePackets
from proxies.http.fastpath import FastPath, needs_ws_messages
from proxies.http.record import Record
from proxies.http.request_deadline import RequestDeadline
from proxies.http.strip_upgrade import StripUpgrade
from harness.timeline import Timeline


def test_which_addons_need_websocket_messages():
    tl = Timeline()
    assert needs_ws_messages(Record(tl, "p")) and not needs_ws_messages(Record(tl, "p", ws_messages=False))
    assert not needs_ws_messages(Record(tl, "p", fastpath=True))      # the fast path records for it
    assert needs_ws_messages(EnginePackets()) and needs_ws_messages(EnginePackets(transport="websocket"))
    assert not needs_ws_messages(EnginePackets(transport="polling"))
    assert not needs_ws_messages(Forget()) and not needs_ws_messages(FastPath(tl, "p"))
    assert not needs_ws_messages(StripUpgrade("close-after-101")) and not needs_ws_messages(RequestDeadline(1))

    class Sniffer:
        def websocket_message(self, flow):
            pass
    assert needs_ws_messages(Sniffer())


class FakeMaster:
    def __init__(self, chain):
        self.addons = type("A", (), {"chain": chain})()


class FakeProxy:
    def __init__(self, chain):
        self.master = FakeMaster(chain)


def test_fast_path_is_blocked_by_any_addon_that_needs_messages():
    tl = Timeline()
    fp = FastPath(tl, "p")
    fp.proxy = FakeProxy([Record(tl, "p", ws_messages=False), fp, Forget()])
    assert not fp._blocked()
    fp.proxy = FakeProxy([EnginePackets(), Record(tl, "p", ws_messages=False), fp, Forget()])
    assert fp._blocked()
    fp.proxy = FakeProxy([Record(tl, "p"), fp, Forget()])
    assert fp._blocked()
    fp.proxy = FakeProxy([Record(tl, "p", fastpath=True), fp, Forget()])
    assert not fp._blocked()
    fp.proxy = FakeProxy([EnginePackets(transport="websocket"), Record(tl, "p", fastpath=True), fp, Forget()])
    assert fp._blocked()


def frame(payload: bytes, opcode: int, mask: bytes | None = None) -> bytes:
    assert len(payload) < 126
    if mask is None:
        return bytes([0x80 | opcode, len(payload)]) + payload
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


MESSAGES = [(True, "2probe"), (False, "3probe"), (True, "5"), (True, '42["echo",1]'), (False, "430[1]"),
            (False, b"\x01\x02"), (False, "0{bad json"), (True, "4" + "é" * 40)]


@pytest.mark.parametrize("query", ["EIO=4&transport=websocket&sid=abc", "EIO=3&transport=websocket&sid=abc"])
def test_tap_records_what_the_slow_path_records(query):
    slow_tl, fast_tl = Timeline(), Timeline()
    record = Record(slow_tl, "proxy:p")
    flow = ws_flow(query)
    for from_client, content in MESSAGES:
        flow.websocket.messages[:] = ws_flow(query, [(from_client, content)]).websocket.messages
        record.websocket_message(flow)
    tap = Tap(fast_tl, "proxy:p", ws_flow(query))
    for from_client, content in MESSAGES:
        raw = content.encode() if isinstance(content, str) else content
        opcode = 1 if isinstance(content, str) else 2
        wire = frame(raw, opcode, mask=b"\x0f\x1e\x2d\x3c" if from_client else None)
        tap.feed("client" if from_client else "server", wire[:3])
        tap.feed("client" if from_client else "server", wire[3:])
    assert [e.data for e in fast_tl.events()] == [e.data for e in slow_tl.events()]
    assert len(fast_tl.events()) == len(MESSAGES) and tap.close is None


def test_tap_takes_the_first_close_frame_and_records_nothing_without_record():
    tl = Timeline()
    tap = Tap(tl, "p", ws_flow(), record=False)
    tap.feed("client", frame(b'42["x"]', 1, mask=b"abcd"))
    tap.feed("server", frame((4000).to_bytes(2, "big") + b"bye", 8) + frame(b"", 8, mask=b"abcd"))
    tap.feed("client", frame(b"", 8, mask=b"abcd"))
    assert tap.close == (4000, "bye", "server") and not tl.events()


def test_tap_stops_reading_a_stream_that_is_not_websocket():
    tl = Timeline()
    tap = Tap(tl, "p", ws_flow())
    tap.feed("server", b"\x83\x00")                      # reserved opcode
    tap.feed("server", frame(b"3", 1))
    tap.feed("client", frame(b"2", 1, mask=b"abcd"))
    assert [e.data["from"] for e in tl.events()] == ["client"] and tap.readers["server"] is None


def test_tap_inflates_when_the_101_negotiated_permessage_deflate():
    flow = ws_flow()
    flow.response.headers["Sec-WebSocket-Extensions"] = "permessage-deflate; client_no_context_takeover"
    tl = Timeline()
    tap = Tap(tl, "p", flow)
    for _ in range(2):
        z = zlib.compressobj(wbits=-15)
        body = (z.compress(b'42["big","' + b"x" * 1500 + b'"]') + z.flush(zlib.Z_SYNC_FLUSH))[:-4]
        tap.feed("client", bytes([0xC1, 0x80 | len(body)]) + b"\0\0\0\0" + body)
    sizes = [e.data["size"] for e in tl.events()]
    assert sizes == [1512, 1512] and tl.events()[0].data["packet"]["sio"]["data"][0] == "big"
