"""record.WsMessage: the fast path's ws_message data, made when first read, equal to ws_message_data."""

import pickle
import tracemalloc

import pytest

from harness.timeline import Timeline
from proxies.http._wstap import Tap
from proxies.http.record import WsMessage, ws_message_data

from _flows import ws_flow

SHAPES = {
    "1 KB event": f'421["echo","{"x" * 1000}"]'.encode(),
    "1 KB ack": f'431["{"y" * 1000}"]'.encode(),
    "ping": b"2",
    "small": b'42["e",7]',
    "numbers": ('42["e",[' + ",".join(str(1000 + j) for j in range(200)) + "]]").encode(),
    "objects": ('42["e",[' + ",".join('{"a":%d}' % (1000 + j) for j in range(120)) + "]]").encode(),
    "unicode": ('42["e","' + "é" * 500 + '"]').encode(),
    "bad json": b"42[oops",
    "10 KB": f'42["echo","{"z" * 10000}"]'.encode(),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_made_data_is_ws_message_data_and_the_size_covers_it(name):
    content = SHAPES[name]
    msg = WsMessage(True, "sid-0123456789abcdef", "4", content, True)
    assert msg.make() == ws_message_data(True, "sid-0123456789abcdef", "4", content, True)
    assert pickle.loads(pickle.dumps(msg)).make() == msg.make()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    made = [WsMessage(True, "sid-0123456789abcdef", "4", content, True).make() for _ in range(200)]
    held = (tracemalloc.get_traced_memory()[0] - before) / len(made)
    tracemalloc.stop()
    assert msg.size >= held, f"the budget counts {msg.size} bytes, the made data holds {held:.0f}"


def test_a_truncated_message_says_its_full_size():
    data = WsMessage(False, None, "3", b"42" + b"x" * 10, True, full=5000).make()
    assert data["size"] == 5000 and data["truncated"] is True and data["from"] == "server"


def test_the_tap_defers_decoding_until_the_event_is_read(tmp_path, monkeypatch):
    import proxies.http.record as record
    calls = []
    real = record.describe_frame
    monkeypatch.setattr(record, "describe_frame", lambda *a: calls.append(a) or real(*a))
    with Timeline(memory=30_000, spill_dir=str(tmp_path)) as tl:
        tap = Tap(tl, "proxy:p", ws_flow("EIO=4&transport=websocket&sid=abc"))
        for i in range(100):
            payload = f'42{i}["echo","{"x" * 500}"]'.encode()
            tap.feed("server", bytes([0x81, 126]) + len(payload).to_bytes(2, "big") + payload)
        assert len(tl) == 100 and tl.spilled > 0 and not calls, "recorded and spilled, nothing decoded"
        ids = [e.data["packet"]["sio"]["id"] for e in tl.events(kind="ws_message")]
        assert ids == list(range(100)) and len(calls) == 100
