"""Per-scenario overhead (set-up + teardown, without the symptom's own waiting) and catalogue wall time.

Run: .venv/bin/python benchmarks/bench_scenarios.py [--repeat 15] [--catalogue scenarios]
Targets (issue 2): median overhead under 0.5 s per scenario for Node and for Python peers;
every compressed catalogue scenario under 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from harness.collect import collect
from harness.runner import Session
from harness.scenario import load_cases

PAIRS = {
    "node": ("node@4.8.1", "node@4.8.1"),
    "python": ("python", "python"),
    "node-v2": ("node@2.4.1", "node@2.4.0"),
}
TEMPLATE = """
name: bench-{label}
doc: benchmark
server: {server}
client: {{peer: {client}, options: {{reconnection: false}}}}
steps:
  - connect
  - wait_for: {{event: connect, timeout: 5s}}
expect:
  - connected: {{}}
"""


async def overhead(repeat: int, pause: float) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        async with Session() as session:
            for label, (server, client) in PAIRS.items():
                path = Path(tmp) / f"{label}.yaml"
                path.write_text(TEMPLATE.format(label=label, server=server, client=client))
                (case,) = load_cases(path)
                await session.run(case)  # warm the pool: the first run pays the interpreters' start-up
                samples = []
                for _ in range(repeat):
                    await asyncio.sleep(pause)  # > 0: the spares are warm, as when a scenario waits for its symptom
                    result = await session.run(case)
                    assert result.ok, result.reason
                    samples.append(result.main.overhead_s)
                out[label] = samples
    return out


async def catalogue(paths: list[str]) -> tuple[float, list[tuple[str, float, str]]]:
    cases, errors = collect(paths)
    if errors:
        sys.exit(f"catalogue does not load: {errors[0].error}")
    cases = [c for c in cases if c.timing == "compressed"]
    rows, started = [], time.monotonic()
    async with Session() as session:
        for case in cases:
            result = await session.run(case)
            rows.append((case.case_id, result.duration_s, result.verdict))
    return time.monotonic() - started, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--catalogue", nargs="*", default=["scenarios"])
    args = parser.parse_args()
    for pause in (0.0, 1.0):
        print(f"per-scenario overhead, {args.repeat} runs each, {pause:.0f} s between runs, target < 0.5 s")
        for label, samples in asyncio.run(overhead(args.repeat, pause)).items():
            samples.sort()
            print(f"  {label:<8} median {statistics.median(samples) * 1000:6.1f} ms   "
                  f"p90 {samples[int(len(samples) * 0.9) - 1] * 1000:6.1f} ms   max {samples[-1] * 1000:6.1f} ms")
    if args.catalogue:
        total, rows = asyncio.run(catalogue(args.catalogue))
        slow = [r for r in rows if r[1] >= 5.0]
        print(f"compressed catalogue: {len(rows)} cases in {total:.1f} s wall "
              f"(slowest {max(r[1] for r in rows):.2f} s; {len(slow)} over 5 s)")
        for case_id, seconds, verdict in sorted(rows, key=lambda r: -r[1])[:5]:
            print(f"  {seconds:6.2f} s  {verdict:<15} {case_id}")


if __name__ == "__main__":
    main()
