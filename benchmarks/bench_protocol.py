"""Decode throughput of harness.protocol, in MB/s: polling payloads (v3 text, v3 XHR2, v4) and
websocket frames (text, binary), plus Socket.IO decoding. A plain script:

    .venv/bin/python benchmarks/bench_protocol.py [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.protocol import (Packet, PacketType, decode_polling_body, decode_sio, decode_ws_frame,  # noqa: E402
                              encode_polling_body)

EVENT = '2["chat",{"user":"ada","text":"hello world, this is a typical chat message","ts":1700000000000}]'
UNICODE_EVENT = '2["chat",{"text":"héllo wörld \U0001F600 ünïcode"}]'


def bench(name: str, size: int, fn, seconds: float) -> None:
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            fn()
        n += 50
    mbs = size * n / elapsed / 1e6
    print(f"{name:<44} {size:>8} B  {n / elapsed:>10.0f} ops/s  {mbs:>8.1f} MB/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0)
    s = parser.parse_args().seconds
    msgs = [Packet(PacketType.MESSAGE, EVENT)] * 100
    uni = [Packet(PacketType.MESSAGE, UNICODE_EVENT)] * 100
    binary = [Packet(PacketType.MESSAGE, '51-["f",{"_placeholder":true,"num":0}]'),
              Packet(PacketType.MESSAGE, bytes(range(256)) * 64)] * 4
    bodies = {
        "polling v4, 100 events": (encode_polling_body(msgs, 4), 4),
        "polling v3 text, 100 events": (encode_polling_body(msgs, 3), 3),
        "polling v3 text, 100 events with emoji": (encode_polling_body(uni, 3), 3),
        "polling v3 XHR2, 4 x 16 KB binary": (encode_polling_body(binary, 3), 3),
        "polling v4, 4 x 16 KB binary (base64)": (encode_polling_body(binary, 4), 4),
    }
    print(f"{'decode':<44} {'size':>10}  {'ops/s':>10}        {'MB/s':>8}")
    for name, (body, eio) in bodies.items():
        bench(name, len(body), lambda b=body, e=eio: decode_polling_body(b, e), s)
    frame = "4" + EVENT
    blob = bytes(range(256)) * 256
    bench("ws text frame v4 (one event)", len(frame.encode()), lambda: decode_ws_frame(frame, 4), s)
    bench("ws binary frame v3, 64 KB", len(blob) + 1, lambda b=b"\x04" + blob: decode_ws_frame(b, 3), s)
    bench("ws binary frame v4, 64 KB", len(blob), lambda: decode_ws_frame(blob, 4), s)
    bench("socket.io event (JSON) decode", len(EVENT.encode()), lambda: decode_sio(EVENT, 4), s)


if __name__ == "__main__":
    main()
