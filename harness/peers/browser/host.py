"""One Chromium shared by every browser@ and page: peer of a run: the peers connect here over a UNIX socket.

usage: python -m harness.peers.browser.host SOCKET_PATH   (started and owned by the runner: _host_owner.py)

A browser peer alone pays ~2.2 s of CPU before its hello (Python and Playwright's imports 0.5 s,
Playwright's Node driver 0.7 s, Chromium's browser, GPU, network and zygote processes ~0.8 s), and
that is most of a browser case's cost. Here one Python, one driver and one Chromium serve them all;
each peer gets a BrowserContext of its own (its own cookies, cache, storage and socket pools, its
own renderer), which is what it had with a Chromium of its own, and the peer process is a pipe
(_host_pipe.py) speaking the same JSON lines (docs/peer-protocol.md).

Protocol: the pipe's first line is {"alias": "sioc-4.8.1", "pid": <the pipe's pid>} (a page: peer's
{"kind": "page", "pid": ...}: a PageClient, whose contexts are made per connect); then command
lines in and event lines out as a peer's stdin/stdout; {"event": "$stderr", "text": ...} lines are
the peer's stderr. The host prints {"event": "ready", ...} once Chromium runs, and exits when its
stdin closes (its owner is gone) or Chromium dies.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys

from playwright.async_api import async_playwright

from ..python._jsonlines import _loop, event_line
from ._chromium import launch, missing_reason
from .client import _COMMANDS, BrowserClient
from .page_client import _COMMANDS as PAGE_COMMANDS, PageClient


def _line(writer: asyncio.StreamWriter):
    def emit(event: str, **fields) -> None:
        if writer.is_closing():
            return
        writer.write(event_line(event, **fields).encode())
    return emit


async def _serve_peer(browser, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    emit = _line(writer)
    client = None
    try:
        first = json.loads(await reader.readline() or b"{}")
        log = lambda text: emit("$stderr", text=text)   # noqa: E731
        if first.get("kind") == "page":
            client, commands = PageClient(emit=emit, log=log, shared=browser, pid=first.get("pid")), PAGE_COMMANDS
        else:
            client = BrowserClient(str(first.get("alias", "sioc-4.8.1")), emit=emit, log=log, shared=browser,
                                   pid=first.get("pid"))
            commands = _COMMANDS
        await client.start()
        await _loop({name: client.command(name) for name in commands}, client.stop, reader=reader, out=emit)
    except Exception as exc:   # this peer fails; the others go on
        emit("$stderr", text=f"browser host: {type(exc).__name__}: {exc}")
        if client is not None:
            await client.close()
    finally:
        try:
            await writer.drain()
            writer.close()
        except ConnectionError:
            pass


async def main(path: str) -> None:
    reason = missing_reason()
    if reason:
        sys.exit(f"browser host unavailable: {reason}")
    playwright = await async_playwright().start()
    browser = await launch(playwright)
    gone = asyncio.get_running_loop().create_future()
    browser.on("disconnected", lambda _: gone.done() or gone.set_result("chromium exited"))
    server = await asyncio.start_unix_server(lambda r, w: _serve_peer(browser, r, w), path=path, limit=1 << 24)
    print(json.dumps({"event": "ready", "socket": path, "chromium": browser.version, "pid": os.getpid()}), flush=True)
    owner = asyncio.ensure_future(asyncio.get_running_loop().run_in_executor(None, sys.stdin.buffer.read))
    done, _ = await asyncio.wait({owner, gone}, return_when=asyncio.FIRST_COMPLETED)
    server.close()
    if gone in done:
        print("browser host: chromium exited", file=sys.stderr, flush=True)
        os._exit(1)
    await browser.close()
    await playwright.stop()
    os._exit(0)   # the stdin reader thread cannot be joined


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
