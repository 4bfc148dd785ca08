"""Soak: run scenario files many times, serial and concurrent, and print the wrong-verdict rate per case.

A wrong verdict is anything but reproduced / works / skipped. Each round is a real `sockfault run`
subprocess (its own warm pool, as a user's run), so a flake that comes from start-up or load shows.
The issue's target: the whole catalogue 20 times at -j 1 and 20 times at -j 4 with no wrong verdict.

    .venv/bin/python benchmarks/soak.py                          # 20 + 20 rounds of scenarios/
    .venv/bin/python benchmarks/soak.py scenarios/socket-id --serial 10 --parallel 0
    .venv/bin/python benchmarks/soak.py -k "delayed or healthy" --serial 3 --parallel 3 --json soak.json
    .venv/bin/python benchmarks/soak.py --serial 0 --parallel 3 --keep /tmp/soak-wrong   # + each wrong case's timelines
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSING = {"reproduced", "works", "skipped"}


def one_round(paths: list[str], jobs: int, keyword: str | None, out: Path,
              keep: Path | None = None) -> tuple[dict[str, str], float, dict[str, str]]:
    cmd = [str(ROOT / ".venv/bin/sockfault"), "run", *paths, "-j", str(jobs), "--json", str(out)]
    if keyword:
        cmd += ["-k", keyword]
    started = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.monotonic() - started
    document = json.loads(out.read_text())
    reasons = {s["scenario"]: s.get("reason", "") for s in document["scenarios"] if s["verdict"] not in PASSING}
    if keep is not None:   # a wrong verdict's whole result, timelines included, for the post-mortem
        for entry in (s for s in document["scenarios"] if s["verdict"] not in PASSING):
            name = "".join(c if c.isalnum() or c in "-_." else "_" for c in entry["scenario"])[:120]
            (keep / f"{out.stem}-j{jobs}-{name}.json").write_text(json.dumps(entry, indent=1))
    return {s["scenario"]: s["verdict"] for s in document["scenarios"]}, wall, reasons


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=["scenarios"])
    ap.add_argument("-k", dest="keyword")
    ap.add_argument("--serial", type=int, default=20, help="rounds at -j 1")
    ap.add_argument("--parallel", type=int, default=20, help="rounds at --jobs")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--json", dest="json_path", help="write every round's verdicts and the flake table")
    ap.add_argument("--keep", type=Path, help="a folder: each wrong verdict's full result (timelines) goes there")
    args = ap.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    rounds: list[dict] = []
    wrong: dict[str, Counter] = defaultdict(Counter)
    seen: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        plan = [1] * args.serial + [args.jobs] * args.parallel
        for i, jobs in enumerate(plan, 1):
            verdicts, wall, reasons = one_round(args.paths, jobs, args.keyword, Path(tmp) / f"r{i}.json", args.keep)
            bad = {case: v for case, v in verdicts.items() if v not in PASSING}
            for case, verdict in verdicts.items():
                seen[(case, jobs)] += 1
                if verdict not in PASSING:
                    wrong[(case, jobs)][verdict] += 1
            rounds.append({"round": i, "jobs": jobs, "wall_s": round(wall, 1), "cases": len(verdicts), "wrong": bad,
                           "load": round(os.getloadavg()[0], 1), "reasons": reasons})
            print(f"round {i:>2}/{len(plan)} -j {jobs}: {len(verdicts)} cases in {wall:6.1f} s, load "
                  f"{rounds[-1]['load']}, {len(bad)} wrong {sorted(bad.items())}", flush=True)
            for case, reason in sorted(reasons.items()):
                print(f"    {case}: {reason[:400]}", flush=True)
    print("\nwrong verdicts per case (cases with none are not listed)")
    print(f"{'case':<70} {'-j':>3} {'wrong':>9}  verdicts")
    for (case, jobs), counts in sorted(wrong.items()):
        print(f"{case:<70} {jobs:>3} {sum(counts.values()):>4}/{seen[(case, jobs)]:<4}  {dict(counts)}")
    total_wrong = sum(sum(c.values()) for c in wrong.values())
    print(f"\n{total_wrong} wrong verdicts in {sum(seen.values())} case runs over {len(plan)} rounds")
    if args.json_path:
        Path(args.json_path).write_text(json.dumps({"rounds": rounds, "flakes": [
            {"case": case, "jobs": jobs, "wrong": sum(c.values()), "runs": seen[(case, jobs)], "verdicts": dict(c)}
            for (case, jobs), c in sorted(wrong.items())]}, indent=1))
    return 1 if total_wrong else 0


if __name__ == "__main__":
    sys.exit(main())
