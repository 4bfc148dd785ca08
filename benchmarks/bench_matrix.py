"""The compatibility matrix's wall time serial vs -j 2, and per cell, side by side in one run.

Run: .venv/bin/python benchmarks/bench_matrix.py [--repeat 2]
A fixed set of cells (node 2.4.0 / 4.8.1 clients x 2.4.1 / 4.8.1 servers x polling / websocket, with the
allowEIO3 variants: 10 cells, the three payload kinds), run alternately with -j 1 and -j 2 in one
Session each; printed: wall time, and per cell the median and max of its own duration, split into
cells that work and cells that fail (a failing cell waits out its ack window).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from harness.matrix import cells, run_matrix

CELLS = cells(["node@2.4.0", "node@4.8.1"], ["node@2.4.1", "node@4.8.1"], ["polling", "websocket"])
PAYLOADS = ["ascii", "utf8", "binary"]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    rows = {1: [], 2: []}
    for _ in range(args.repeat):
        for jobs in (1, 2):
            t0 = time.monotonic()
            measured = await run_matrix(CELLS, PAYLOADS, jobs=jobs)
            rows[jobs].append((time.monotonic() - t0, measured))
    print(f"{len(CELLS)} cells, payloads {', '.join(PAYLOADS)}, {args.repeat} run(s) each")
    for jobs, runs in rows.items():
        walls = [w for w, _ in runs]
        works = [m.duration_s for _, ms in runs for m in ms if m.works]
        fails = [m.duration_s for _, ms in runs for m in ms if not m.works]
        print(f"-j {jobs}: wall min {min(walls):.1f} s, median {statistics.median(walls):.1f} s, max {max(walls):.1f} s; "
              f"per cell: works median {statistics.median(works):.2f} s (max {max(works):.2f}), "
              f"fails median {statistics.median(fails):.2f} s (max {max(fails):.2f})")


if __name__ == "__main__":
    asyncio.run(main())
