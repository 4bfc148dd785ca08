"""`sockfault toxiproxy-server`: a drop-in for toxiproxy-server (-host, -port, -config, -seed)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from .server import ToxiproxyServer

__all__ = ["add_arguments", "run", "main"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Toxiproxy's own single-dash spellings are accepted too.
    parser.add_argument("--host", "-host", default="127.0.0.1", help="API address (default 127.0.0.1)")
    parser.add_argument("--port", "-port", type=int, default=8474, help="API port (default 8474; 0 = any free)")
    parser.add_argument("--config", "-config", metavar="FILE", help="JSON array of proxies to create at start")
    parser.add_argument("--seed", "-seed", type=int, help="seed for toxicity draws, jitter and slicing")


async def _serve(args: argparse.Namespace) -> int:
    server = ToxiproxyServer(args.host, args.port, config=args.config, seed=args.seed)
    try:
        await server.astart()
    except OSError as exc:
        print(f"toxiproxy-server: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"toxiproxy-server: API on {server.url}", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        await stop.wait()
    finally:
        await server.astop()
    return 0


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        return asyncio.run(_serve(args))
    except KeyboardInterrupt:
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="toxiproxy-server")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
