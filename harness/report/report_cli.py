"""`sockfault report FILES... --html F [--json F] [--durations F]`: merge CI shards (of `run` and of
`matrix`) into one report; --durations writes the {id: seconds} map that --shard balances by."""

from __future__ import annotations

import json
import sys
from pathlib import Path

__all__ = ["add_arguments", "run"]


def add_arguments(parser) -> None:
    parser.add_argument("files", nargs="+", help="results JSON files (sockfault run/matrix --json)")
    parser.add_argument("--junit", dest="junit_path", help="write JUnit XML")
    parser.add_argument("--html", dest="html_path", help="write the merged HTML report")
    parser.add_argument("--json", dest="json_path", help="write the merged JSON")
    parser.add_argument("--durations", dest="durations_path", help="write {case or cell id: seconds} for --shard")


def run(args) -> int:
    from ..errors import HarnessError
    from ._outputs import write_outputs
    from ._merge import load_document, merge

    try:
        merged = merge([load_document(f) for f in args.files])
    except HarnessError as exc:
        print(f"sockfault report: {exc}", file=sys.stderr)
        return 2
    n_cells = len((merged.get("matrix") or {}).get("cells", []))
    print(f"{len(args.files)} files: {len(merged['scenarios'])} scenarios, {n_cells} matrix cells")
    write_outputs(merged, json_path=args.json_path, html_path=args.html_path, junit_path=args.junit_path)
    if args.durations_path:
        durations = {s["scenario"]: s["duration_s"] for s in merged["scenarios"]}
        durations.update({c["cell"]: c["duration_s"] for c in (merged.get("matrix") or {}).get("cells", [])})
        Path(args.durations_path).write_text(json.dumps(dict(sorted(durations.items())), indent=0) + "\n")
        print(f"durations: {args.durations_path} ({len(durations)} ids)")
    return 0
