"""1,000 socket.io clients through sockfault's proxies to one server, a fault applied to all at once.

Run: .venv/bin/python benchmarks/bench_load.py [--clients 1000] [--seconds 20]
Cases, each with a fresh socket.io 4.8.1 server (the bundled peer) and one Node process holding every
client (benchmarks/load/clients.js):
  http + strip_upgrade (reject): every client must stay on polling, and the proxy must have seen every
     session's refused upgrade (each one detected from the timeline, as a scenario would);
  tcp + a cut (the `down` fault for 2 s): every client must disconnect and reconnect;
  direct, polling only: the control for the http case (the same clients without the proxy).
Printed: what the clients saw, what the proxy recorded, this harness process's peak RSS and CPU
seconds, and the timeline's size. Exit 1 when a case misses its target.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "diagnose"))

import sockfault  # noqa: E402
from _servers import serving  # noqa: E402

NODE_MODULES = ROOT / "harness" / "peers" / "node" / "node_modules"


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _clients(url: str, n: int, seconds: float, on_line=None, only: str = "") -> list[dict]:
    proc = await asyncio.create_subprocess_exec(
        "node", str(ROOT / "benchmarks" / "load" / "clients.js"), url, str(n), str(seconds), *([only] if only else []),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=dict(os.environ, NODE_PATH=str(NODE_MODULES)))
    lines = []
    try:
        async for raw in proc.stdout:
            line = json.loads(raw)
            lines.append(line)
            if on_line:
                await on_line(line)
        await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return lines


async def stuck_on_polling(n: int, seconds: float, engine: str = "relay") -> dict:
    async with serving("node@4.8.1", pingInterval=5000, pingTimeout=5000) as address:
        async with sockfault.proxy(address, http_options={"engine": engine}) as p:
            await p.apply("strip_upgrade", mode="reject")
            cpu0, t0 = _cpu(), time.monotonic()
            lines = await _clients(p.url, n, seconds)
            cpu = _cpu() - cpu0
            transports, refused = p.transports(), p.upgrade_failures()
            polling = sum(1 for t in transports.values() if t == "polling")
            started = p.events("proxy_started")
            return {"case": "http + strip_upgrade(reject)", "clients": n, "final": lines[-1],
                    "engine": started[-1].data.get("engine") if started else None,
                    "proxy_sessions": len(transports), "proxy_polling": polling,
                    "upgrade_refusals_detected": len(refused), "events": len(p.timeline.events()),
                    "cpu_s": round(cpu, 1), "wall_s": round(time.monotonic() - t0, 1), "rss_mb": round(_rss_mb()),
                    "ok": lines[-1]["polling"] == n and lines[-1]["upgrades"] == 0 and len(refused) >= n}


async def direct_polling(n: int, seconds: float) -> dict:
    """The control: the same clients on polling only, straight to the server (no proxy)."""
    async with serving("node@4.8.1", pingInterval=5000, pingTimeout=5000) as (host, port):
        cpu0, t0 = _cpu(), time.monotonic()
        lines = await _clients(f"http://{host}:{port}", n, seconds, only="polling")
        return {"case": "direct, polling only (control)", "clients": n, "final": lines[-1],
                "cpu_s": round(_cpu() - cpu0, 1), "wall_s": round(time.monotonic() - t0, 1),
                "ok": lines[-1]["polling"] == n and lines[-1]["acks"] >= n}


async def cut_and_reconnect(n: int, seconds: float, only: str = "") -> dict:
    async with serving("node@4.8.1", pingInterval=5000, pingTimeout=5000) as address:
        async with sockfault.proxy(address, kind="tcp") as p:
            state = {"cut": False}

            async def on_line(line):
                if not state["cut"] and line["connected"] >= n:
                    state["cut"] = True
                    handle = await p.apply("down")
                    await asyncio.sleep(2.0)
                    await p.remove(handle)

            cpu0, t0 = _cpu(), time.monotonic()
            lines = await _clients(p.url, n, seconds, on_line, only=only)
            final = lines[-1]
            return {"case": f"tcp + down for 2 s{', ' + only + ' only' if only else ''}", "clients": n,
                    "final": final, "cut": state["cut"],
                    "cpu_s": round(_cpu() - cpu0, 1), "wall_s": round(time.monotonic() - t0, 1),
                    "rss_mb": round(_rss_mb()), "events": len(p.timeline.events()),
                    "ok": state["cut"] and final["reconnects"] >= n and final["connected"] == n}


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--only", choices=("direct", "http", "tcp"), help="one case")
    parser.add_argument("--engine", choices=("auto", "relay", "mitmproxy"), default="relay",
                        help="the http link's engine (through the Python API auto means mitmproxy: faults come "
                             "after start)")
    parser.add_argument("--tcp-websocket-only", action="store_true",
                        help="the tcp case's clients skip polling: one connection each, two proxy fds (a polling start "
                             "holds 2-3 at once, so 5,000 clients already pass a 20,000 fd limit)")
    args = parser.parse_args()
    ok = True
    cases = {"direct": direct_polling, "http": stuck_on_polling, "tcp": cut_and_reconnect}
    for name, case in cases.items():
        if args.only and name != args.only:
            continue
        if name == "http":
            result = await case(args.clients, args.seconds, args.engine)
        elif name == "tcp":
            result = await case(args.clients, args.seconds, "websocket" if args.tcp_websocket_only else "")
        else:
            result = await case(args.clients, args.seconds)
        ok &= result["ok"]
        print(json.dumps(result), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
