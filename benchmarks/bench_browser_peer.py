"""A browser@ peer's start, shared Chromium (the browser host) against a Chromium of its own.

Run: .venv/bin/python benchmarks/bench_browser_peer.py [--peers 8] [--rounds 3]

Each round runs both modes side by side, each in a fresh Python process: the pool starts `--peers`
browser peers one after the other (spawn -> hello) and closes. Printed per mode: spawn -> hello
(min/median/max over all peers) and the CPU of the whole process tree (user + sys of the process
and everything it reaped: pipes, hosts, Playwright drivers, Chromiums), per peer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time


async def _starts(peers: int) -> list[float]:
    from harness.peers import resolve_peer
    from harness.peers._pool import PeerPool

    pool, took = PeerPool(spares=0), []
    spec = resolve_peer("browser@4.8.1", "client")
    try:
        for _ in range(peers):
            t0 = time.monotonic()
            peer = await pool.acquire(spec)
            took.append(time.monotonic() - t0)
            await peer.stop()
    finally:
        await pool.close()
    return took


def _child(peers: int) -> None:
    took = asyncio.run(_starts(peers))
    usage = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(u.ru_utime + u.ru_stime for u in usage)
    print(json.dumps({"hello_s": took, "cpu_s": cpu}))


def _round(shared: bool, peers: int) -> dict:
    env = dict(os.environ, SOCKFAULT_BROWSER_SHARED="1" if shared else "0")
    out = subprocess.run([sys.executable, __file__, "--child", str(peers)], env=env, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(args.child)
    results = {"shared": [], "own": []}
    for _ in range(args.rounds):
        for mode in results:                      # side by side in each round: the machine is noisy
            results[mode].append(_round(mode == "shared", args.peers))
    print(f"load: {os.getloadavg()[0]:.1f}; {args.rounds} rounds x {args.peers} browser@4.8.1 peers, one after the other")
    print(f"{'mode':8} {'spawn->hello s (min/median/max)':34} {'CPU s per peer (min/median/max round)'}")
    for mode, rounds in results.items():
        hello = [t for r in rounds for t in r["hello_s"]]
        cpu = sorted(r["cpu_s"] / args.peers for r in rounds)
        print(f"{mode:8} {min(hello):.2f} / {statistics.median(hello):.2f} / {max(hello):.2f}"
              f"{'':16} {cpu[0]:.2f} / {statistics.median(cpu):.2f} / {cpu[-1]:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main()
