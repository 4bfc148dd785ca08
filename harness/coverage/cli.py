"""`sockfault coverage`: write docs/coverage.md; exit 1 when a heading of the page has no scenario."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._build import build
from ._page import HEADINGS_COPY, read_headings
from ._render import render

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenarios", default="scenarios", help="the scenario folder (default: scenarios)")
    parser.add_argument("--report", default="reports/latest.json",
                        help="the latest JSON report for verdicts (default: reports/latest.json; missing: not run)")
    parser.add_argument("--page", default=None,
                        help="the troubleshooting page (Markdown) to take the headings from "
                             "(default: the copy of its headings shipped with sockfault)")
    parser.add_argument("--out", default="docs/coverage.md", help="where to write the Markdown ('-': stdout)")


def run(args: argparse.Namespace) -> int:
    page = Path(args.page) if args.page else HEADINGS_COPY
    try:
        headings = read_headings(page)
    except OSError as exc:
        print(f"sockfault coverage: cannot read the page {page}: {exc}", file=sys.stderr)
        return 2
    if not headings:
        print(f"sockfault coverage: no headings in {page}", file=sys.stderr)
        return 2
    if not Path(args.scenarios).is_dir():
        print(f"sockfault coverage: no scenario folder {args.scenarios}", file=sys.stderr)
        return 2
    coverage = build(headings, args.scenarios, args.report)
    label = str(page) if args.page else "the copy of its headings in harness/coverage/page-headings.md"
    text = render(coverage, label, f"`{args.scenarios}`")
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
    covered = sum(1 for h in coverage.headings if h.covered)
    out = sys.stderr if args.out == "-" else sys.stdout
    print(f"{covered} of {len(coverage.headings)} headings have a scenario"
          + ("" if args.out == "-" else f"; wrote {args.out}"), file=out)
    for s in coverage.unmatched:
        print(f"warning: {s.file}: doc {s.doc!r} names no heading of the page", file=sys.stderr)
    for u in coverage.unreadable:
        print(f"warning: cannot read {u}", file=sys.stderr)
    for row in coverage.uncovered:
        print(f"no scenario: {row.heading.text!r} (line {row.heading.index + 1} of the page's headings)",
              file=sys.stderr)
    return 1 if coverage.uncovered else 0
