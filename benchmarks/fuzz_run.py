"""A long fuzz run: the hypothesis targets of tests/fuzz/ with many more examples than CI's 200,
printing, per target, how many examples ran, how long it took and whether it found anything.

    .venv/bin/python benchmarks/fuzz_run.py [--examples 5000] [-k loader] [--e2e]

--e2e adds the mitmproxy HTTP-proxy test (not a hypothesis target; it runs once).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="examples per target (CI: 200)")
    parser.add_argument("-k", default="", help="pytest -k expression to pick targets")
    parser.add_argument("--e2e", action="store_true", help="include the e2e proxy test")
    args = parser.parse_args()
    cmd = [sys.executable, "-m", "pytest", "tests/fuzz", "-q", "-p", "no:cacheprovider",
           "--hypothesis-show-statistics", "-m", "" if args.e2e else "not e2e"]
    if args.k:
        cmd += ["-k", args.k]
    env = {**os.environ, "SOCKFAULT_FUZZ_EXAMPLES": str(args.examples)}
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    target = None
    for line in out.stdout.splitlines():
        if m := re.match(r"tests/fuzz/(\S+)::(\S+):$", line):
            target = f"{m.group(1)}::{m.group(2)}"
        elif target and (m := re.search(r"during generate phase \(([\d.]+) seconds\)", line)):
            seconds = m.group(1)
        elif target and (m := re.search(r"(\d+) passing, (\d+) failing, and (\d+) invalid", line)):
            print(f"{target:<90} {m.group(1):>6} passing {m.group(2):>3} failing {m.group(3):>5} invalid "
                  f"{seconds:>8} s")
    print(out.stdout.splitlines()[-1] if out.stdout else out.stderr[-2000:])
    if out.returncode:
        print(out.stdout[-6000:])
    return out.returncode


if __name__ == "__main__":
    sys.exit(main())
