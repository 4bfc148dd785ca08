"""The WebSocket fast path: close-frame sniffing, which addons keep the slow path (no network)."""

import pytest

from proxies.http._master import Forget
from proxies.http.engine_packets import EnginePackets
from proxies.http.fastpath import FastPath, _close_frame, needs_ws_messages
from proxies.http.record import Record
from proxies.http.request_deadline import RequestDeadline
from proxies.http.strip_upgrade import StripUpgrade
from harness.timeline import Timeline


def close_frame(code=None, reason=b"", mask=None):
    payload = b"" if code is None else code.to_bytes(2, "big") + reason
    if mask is None:
        return bytes([0x88, len(payload)]) + payload
    return bytes([0x88, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


@pytest.mark.parametrize("data,expected", [
    (close_frame(1000), (1000, "")),
    (close_frame(4000, b"bye"), (4000, "bye")),
    (close_frame(1001, b"going", mask=b"\x01\x02\x03\x04"), (1001, "going")),
    (close_frame(), (1005, "")),
    (close_frame(mask=b"abcd"), (1005, "")),
    (b"\x81\x0542abc" + close_frame(1000), (1000, "")),        # after a text frame in the same chunk
    (b"x" * 500 + close_frame(1011, b"err"), (1011, "err")),
    (b"\x81\x0242", None),
    (b"", None),
    (b"\x88", None),
    (b"\x88\x05\x03\xe8", None),                                   # truncated
])
def test_close_frame(data, expected):
    assert _close_frame(data) == expected


def test_which_addons_need_websocket_messages():
    tl = Timeline()
    assert needs_ws_messages(Record(tl, "p")) and not needs_ws_messages(Record(tl, "p", ws_messages=False))
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
