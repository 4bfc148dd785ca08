"""The timeline's memory over a long run: N 1 KB WebSocket messages recorded through the HTTP
proxy's recording fast path (proxies/http/_wstap.Tap: frame reader, the message's bytes kept
as a record.WsMessage, Timeline.add; only the socket relay is left out; the Engine.IO +
Socket.IO decode happens when an event's data is first read), with the spill off (memory=0:
everything in memory, as before issue 12) and on (the default budget, and a small one).

Each case runs in a fresh interpreter and prints: peak RSS growth while recording (VmHWM at the
end minus VmRSS before the first message), RSS at the end, CPU per message recorded, events
on disk, and the CPU time to read every event and its data back (iteration + each event's
data, which decodes it: what symptoms and results do) with the peak RSS growth after it.
Then Timeline.add alone (realistic decoded ws_message data, prebuilt) with and without the
spill, and the spill format: pickle vs JSON lines per event (write + read, bytes).
Usage: .venv/bin/python benchmarks/bench_timeline_memory.py [--messages 100000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from _procstatus import status_kb as _status  # noqa: E402  (benchmarks/ is the script's folder)


def _frame(payload: bytes, mask: bytes | None) -> bytes:
    from proxies.http._wsframes import unmask
    n = len(payload)
    bit = 0x80 if mask else 0
    head = bytes([0x81, bit | n]) if n < 126 else bytes([0x81, bit | 126]) + n.to_bytes(2, "big")
    return head + mask + unmask(payload, mask) if mask else head + payload


def _pairs(size: int = 1000, n: int = 50) -> list[tuple[bytes, bytes]]:
    """(client emit with an ack id, server ack) frames, ~1 KB each: what an echo load sends."""
    data = "x" * size
    return [(_frame(f'42{i}["echo","{data}"]'.encode(), os.urandom(4)), _frame(f'43{i}["{data}"]'.encode(), None))
            for i in range(n)]


def child_record(messages: int, memory: str) -> dict:
    from harness.timeline import Timeline
    from proxies.http._wstap import Tap
    flow = SimpleNamespace(request=SimpleNamespace(query={"sid": "bench-sid", "EIO": "4"}),
                           response=SimpleNamespace(headers={}))
    pairs = _pairs()
    tl = Timeline(memory=memory)
    tap = Tap(tl, "proxy:bench", flow)
    rss0 = _status("VmRSS")
    cpu0 = time.process_time()
    for i in range(messages // 2):
        up, down = pairs[i % len(pairs)]
        tap.feed("client", up)
        tap.feed("server", down)
    cpu = time.process_time() - cpu0
    peak, rss1 = _status("VmHWM"), _status("VmRSS")
    assert len(tl) == messages, len(tl)
    t0 = time.process_time()       # CPU, not wall: the wall time swings 10x on a loaded machine
    n = sum(1 for e in tl if e.kind == "ws_message" and e.data["packet"])
    read_s = time.process_time() - t0
    peak_read = _status("VmHWM")
    assert n == messages
    spilled = tl.spilled
    tl.close()
    return {"memory": memory, "peak_growth_mb": round((peak - rss0) / 1024, 1), "rss_end_mb": round(rss1 / 1024, 1),
            "us_per_msg": round(cpu / messages * 1e6, 1), "spilled": spilled, "read_all_s": round(read_s, 2),
            "peak_growth_after_read_mb": round((peak_read - rss0) / 1024, 1)}


def child_add(messages: int, memory: str) -> dict:
    from harness.timeline import Timeline
    from proxies.http.record import ws_message_data
    datas = [ws_message_data(i % 2 == 0, "bench-sid", "4", f'4{2 + i % 2}{i}["echo","{"x" * 1000}"]'.encode(), True)
             for i in range(1000)]
    tl = Timeline(memory=memory)
    add = tl.add
    t0 = time.process_time()
    for i in range(messages):
        add("proxy:bench", "ws_message", datas[i % 1000])
    cpu = time.process_time() - t0
    spilled = tl.spilled
    tl.close()
    return {"memory": memory, "us_per_add": round(cpu / messages * 1e6, 2), "spilled": spilled}


def child_format(events: int = 2000) -> dict:
    from proxies.http.record import ws_message_data
    rows = [(i * 0.5, "proxy:bench", "ws_message",
             ws_message_data(i % 2 == 0, "bench-sid", "4", f'4{2 + i % 2}{i}["echo","{"x" * 1000}"]'.encode(), True))
            for i in range(events)]
    out = {}
    t0 = time.process_time()
    blob = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
    t1 = time.process_time()
    back = pickle.loads(blob)
    t2 = time.process_time()
    assert back == rows
    out["pickle"] = {"write_us": (t1 - t0) / events * 1e6, "read_us": (t2 - t1) / events * 1e6, "bytes": len(blob) / events}
    t0 = time.process_time()
    text = "".join(json.dumps({"t": t, "source": s, "kind": k, "data": d}) + "\n" for t, s, k, d in rows)
    t1 = time.process_time()
    back = [json.loads(line) for line in text.splitlines()]
    t2 = time.process_time()
    assert len(back) == events
    out["json lines"] = {"write_us": (t1 - t0) / events * 1e6, "read_us": (t2 - t1) / events * 1e6,
                         "bytes": len(text.encode()) / events}
    return {k: {m: round(v, 1) for m, v in d.items()} for k, d in out.items()}


def run_child(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, timeout=900)
    if proc.returncode:
        raise SystemExit(f"child {args} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--quick", action="store_true", help="20,000 messages")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        result = {"record": lambda: child_record(int(rest[0]), rest[1]),
                  "add": lambda: child_add(int(rest[0]), rest[1]), "format": child_format}[kind]()
        print(json.dumps(result))
        return
    n = 20_000 if args.quick else args.messages
    from harness.timeline import DEFAULT_MEMORY
    budgets = [("0", "off (all in memory)"), (str(DEFAULT_MEMORY), f"default {DEFAULT_MEMORY >> 20} MiB"), ("4M", "4 MiB")]
    print(f"## {n:,} ~1 KB messages through the fast path's recorder (Tap), load average {os.getloadavg()[0]:.1f}\n")
    print("| spill | peak RSS growth MB | RSS at end MB | CPU us per message | events on disk | read all back (data too), CPU s "
          "| peak RSS growth after the read MB |")
    print("|---|---|---|---|---|---|---|")
    for memory, label in budgets:
        r = run_child("record", str(n), memory)
        print(f"| {label} | {r['peak_growth_mb']} | {r['rss_end_mb']} | {r['us_per_msg']} | {r['spilled']:,} | {r['read_all_s']} "
              f"| {r['peak_growth_after_read_mb']} |",
              flush=True)
    print(f"\n## Timeline.add alone, {n:,} decoded 1 KB ws_message events\n")
    print("| spill | CPU us per add | events on disk |")
    print("|---|---|---|")
    for memory, label in budgets:
        r = run_child("add", str(n), memory)
        print(f"| {label} | {r['us_per_add']} | {r['spilled']:,} |", flush=True)
    print("\n## Spill format, per decoded 1 KB ws_message event\n")
    print("| format | write us | read us | bytes |")
    print("|---|---|---|---|")
    for name, r in run_child("format").items():
        print(f"| {name} | {r['write_us']} | {r['read_us']} | {r['bytes']:.0f} |")


if __name__ == "__main__":
    main()
