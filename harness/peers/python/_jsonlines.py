"""The stdin/stdout JSON-lines loop every Python runner shares (docs/peer-protocol.md)."""
import asyncio
import json
import sys
import time
import traceback

__all__ = ["out", "event_line", "run", "size_of", "jsonable"]


def event_line(event: str, **fields) -> str:
    """One event as its JSON line; `mono`: when it happened, ms of CLOCK_MONOTONIC (the runner times the
    event by it, not by its read)."""
    fields = {k: v for k, v in fields.items() if v is not None}
    fields["mono"] = round(time.monotonic() * 1000, 3)
    return json.dumps({"event": event, **fields}, default=repr) + "\n"


def out(event: str, **fields) -> None:
    sys.stdout.write(event_line(event, **fields))
    sys.stdout.flush()


def jsonable(value):
    """Received arguments as JSON: bytes become {"$buffer": n}, as the Node runners report them."""
    if isinstance(value, (bytes, bytearray)):
        return {"$buffer": len(value)}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def size_of(args) -> int:
    try:
        return len(json.dumps(jsonable(list(args)), separators=(",", ":"), ensure_ascii=False))
    except (TypeError, ValueError):
        return -1


async def _loop(commands, stop, reader: asyncio.StreamReader | None = None, out=out) -> None:
    """Serve command lines from `reader` (default stdin), events through `out` (default stdout)."""
    if reader is None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=1 << 24)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            break
        if not line.strip():
            continue
        try:
            cmd = json.loads(line)
        except ValueError as exc:
            out("error", cmd=None, message=f"bad json: {exc}")
            continue
        name = cmd.get("cmd")
        if name == "stop":
            break
        fn = commands.get(name)
        if fn is None:
            out("error", cmd=name, message="unknown command")
            continue
        try:
            await fn(cmd)
        except Exception as exc:  # a failing command never kills the peer
            print(traceback.format_exc(), file=sys.stderr)
            out("error", cmd=name, message=f"{type(exc).__name__}: {exc}")
    try:
        await stop()
    except Exception as exc:
        out("error", cmd="stop", message=f"{type(exc).__name__}: {exc}")
    out("stopped")


def run(commands, stop) -> None:
    """Serve commands until `stop` or EOF on stdin, then await stop() and exit 0."""
    asyncio.run(_loop(commands, stop))
