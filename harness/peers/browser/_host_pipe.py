"""A browser peer's process when the run shares one Chromium (host.py): its stdin and stdout, piped.

It imports nothing heavy (no Playwright), so a browser peer starts in ~0.1 s of CPU. Its pid is the
one its hello reports, so the runner stops, kills and checks it as any peer; when it dies, the host
closes its context. The host's "$stderr" lines become this process's stderr (the post-mortem).
"""
from __future__ import annotations

import asyncio
import json
import os
import sys


async def _stdin_to(writer: asyncio.StreamWriter) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        writer.write(line)
        await writer.drain()
    writer.write_eof()              # the host's command loop ends as at a peer's stdin EOF: stop, "stopped"


async def main(path: str, alias: str, kind: str = "browser") -> int:
    try:
        reader, writer = await asyncio.open_unix_connection(path, limit=1 << 24)
    except OSError as exc:
        print(f"cannot reach the browser host at {path}: {exc}", file=sys.stderr, flush=True)
        return 1
    writer.write(json.dumps({"alias": alias, "kind": kind, "pid": os.getpid()}).encode() + b"\n")
    pump = asyncio.ensure_future(_stdin_to(writer))
    stopped = False
    while line := await reader.readline():
        if line.startswith(b'{"event": "$stderr"'):
            sys.stderr.write(str(json.loads(line).get("text", "")) + "\n")
            sys.stderr.flush()
            continue
        stopped = stopped or line.startswith(b'{"event": "stopped"')
        sys.stdout.buffer.write(line)
        sys.stdout.buffer.flush()
    pump.cancel()
    if not stopped:
        print("the browser host closed this peer's connection (Chromium or the host exited)", file=sys.stderr, flush=True)
    return 0 if stopped else 1
