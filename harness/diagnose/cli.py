"""`sockfault diagnose URL`: exit 0 when nothing fails, 1 when a check fails, 2 when the URL cannot
be diagnosed at all (not a URL, nothing answering)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from .checks import CHECKS

__all__ = ["add_arguments", "run"]


def add_arguments(parser) -> None:
    parser.add_argument("url", metavar="URL", help="the deployment, e.g. https://chat.example.com (behind its proxy)")
    parser.add_argument("--origin", help="the origin of the page that connects (CORS is checked for it)")
    parser.add_argument("--path", help="the client's `path` option (default /socket.io/)")
    parser.add_argument("--namespace", help="the namespace the client connects to (default /)")
    parser.add_argument("--client-version", help="your socket.io-client version, e.g. 2.4.0 (checked against the server)")
    parser.add_argument("--json", dest="json_path", help="write the diagnosis as JSON (schema: harness/diagnose/schema.json)")
    parser.add_argument("--intrusive", action="store_true",
                        help="also measure the payload limit per transport (about 30 sessions, payloads up to 16 MiB)")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds for the whole diagnosis (default 15)")
    parser.add_argument("--insecure", action="store_true", help="do not verify the TLS certificate (reported)")
    parser.add_argument("--only", help=f"comma-separated checks ({', '.join(CHECKS)}); reachable always runs")


def run(args) -> int:
    from . import diagnose
    from ._render import render
    only = [c.strip() for c in args.only.split(",")] if args.only else None
    unknown = sorted(set(only or ()) - set(CHECKS))
    if unknown:
        print(f"sockfault diagnose: unknown check {', '.join(unknown)} (valid: {', '.join(CHECKS)})", file=sys.stderr)
        return 2
    try:
        diagnosis = asyncio.run(diagnose(args.url, origin=args.origin, path=args.path, namespace=args.namespace,
                                         client_version=args.client_version, intrusive=args.intrusive,
                                         timeout=args.timeout, insecure=args.insecure, only=only))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    render(diagnosis)
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(diagnosis.to_dict(), indent=2, default=str) + "\n")
    return diagnosis.exit_code
