"""`sockfault probe URL [--eio 3|4] [--origin O] [--path P]`: handshake verdicts, one line per revision."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from ._probe import ProbeResult, handshake, probe_all, upgrade

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="URL", help="server base URL, e.g. http://127.0.0.1:3000")
    parser.add_argument("--eio", type=int, choices=(3, 4), action="append",
                        help="Engine.IO revision to try (repeatable; default: 3 and 4)")
    parser.add_argument("--origin", default=None, help="send this Origin header")
    parser.add_argument("--path", default="/socket.io/", help="server path (default /socket.io/)")
    parser.add_argument("--full", action="store_true",
                        help="also poll, POST and try the websocket upgrade, with and without Origin")
    parser.add_argument("--json", action="store_true", help="print the raw exchanges as JSON lines")


async def _run(args) -> list[ProbeResult]:
    eios = args.eio or [3, 4]
    if args.full:
        return await probe_all(args.url, eios=eios, path=args.path, origin=args.origin)
    results = []
    for eio in eios:
        hs = await handshake(args.url, eio=eio, path=args.path, origin=args.origin)
        results.append(hs)
        if hs.open is not None and "websocket" in hs.open.upgrades:
            results.append(await upgrade(args.url, eio=eio, path=args.path, origin=args.origin, sid=hs.open.sid))
    return results


def run(args) -> int:
    """Print the verdicts; exit 0 when at least one revision handshakes, 1 otherwise."""
    results = asyncio.run(_run(args))
    if args.json:
        for r in results:
            print(json.dumps({"kind": r.kind, **r.event_data()}, default=str))
    else:
        handshakes = [r for r in results if r.kind == "http" and r.method == "GET" and "sid=" not in r.url]
        print("; ".join(r.verdict() for r in handshakes))
        for r in results:
            if r.kind == "ws_upgrade":
                print("  " + r.verdict())
    return 0 if any(r.open is not None for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sockfault probe", description=__doc__)
    add_arguments(parser)
    try:
        code = run(parser.parse_args(argv))
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # `... | head -1`: the reader has all it wanted
        from ..cli import stdout_closed
        return stdout_closed()


if __name__ == "__main__":
    raise SystemExit(main())
