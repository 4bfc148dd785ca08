"""`sockfault compare OLD.json NEW.json`: regressions, fixes and changes, case by case and cell by
cell; exit 1 when anything regressed (the CI gate), 2 when a file cannot be read."""

from __future__ import annotations

import json
import sys

__all__ = ["add_arguments", "run"]


def add_arguments(parser) -> None:
    parser.add_argument("old", help="the baseline results (sockfault run/matrix --json, or a merged report)")
    parser.add_argument("new", help="the results to check")
    parser.add_argument("--json", dest="json_path", help="write the comparison as JSON")


def run(args) -> int:
    from ..errors import HarnessError
    from ._compare import compare
    from ._merge import load_document, merge

    try:
        old, new = merge([load_document(args.old)]), merge([load_document(args.new)])
    except HarnessError as exc:
        print(f"sockfault compare: {exc}", file=sys.stderr)
        return 2
    diff = compare(old, new)
    for title, key in (("REGRESSED", "regressions"), ("fixed", "fixes"), ("changed", "changes"),
                       ("new", "new"), ("gone", "gone")):
        for row in diff[key]:
            was, now = row.get("was", ""), row.get("now", "")
            arrow = f"{was} -> {now}" if was and now else (now or was)
            why = f"  ({row['why'][:200]})" if row.get("why") and key in ("regressions", "changes") else ""
            print(f"{title:<9} {row['kind']:<8} {row['id']}: {arrow}{why}")
    counts = {k: len(v) for k, v in diff.items()}
    print(f"{counts['regressions']} regressions, {counts['fixes']} fixes, {counts['changes']} changes, "
          f"{counts['new']} new, {counts['gone']} gone")
    if args.json_path:
        with open(args.json_path, "w", encoding="utf-8") as f:
            json.dump(diff, f, indent=1)
    return 1 if diff["regressions"] else 0
