"""The side channel between the runner and an app's hook: a UNIX socket the runner owns.

The hook (Node `--require`, Python `sitecustomize`) connects and writes JSON-lines events
(docs/peer-protocol.md vocabulary); the runner writes commands (emit, disconnect) back. An
app that forks (cluster workers, `npm start` -> node) may connect more than once.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from typing import Callable

from .._process import decode_event_line

__all__ = ["HookChannel"]


class HookChannel:
    def __init__(self, on_event: Callable[[str, dict], None]):
        self.on_event = on_event
        self.dir = tempfile.mkdtemp(prefix="sockfault-hook-")
        self.path = os.path.join(self.dir, "hook.sock")
        self._server: asyncio.AbstractServer | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> str:
        self._server = await asyncio.start_unix_server(self._serve, path=self.path, limit=1 << 24)
        return self.path

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._tasks.add(asyncio.current_task())
        self._writers.append(writer)
        try:
            async for raw in reader:
                decoded = decode_event_line(raw, "hook_garbage")
                if decoded is not None:
                    self.on_event(*decoded)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self._tasks.discard(asyncio.current_task())
            if writer in self._writers:
                self._writers.remove(writer)
            writer.close()

    @property
    def connected(self) -> bool:
        return bool(self._writers)

    async def send(self, command: dict) -> None:
        line = json.dumps(command).encode() + b"\n"
        for writer in list(self._writers):
            try:
                writer.write(line)
                await writer.drain()
            except ConnectionError:
                pass

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        shutil.rmtree(self.dir, ignore_errors=True)
