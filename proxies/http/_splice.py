"""The relay's WebSocket splice: two transports wired to each other by protocol callbacks.

Once a 101 has passed, each socket's bytes are written to the other from `data_received`
and only then handed to the tap (recording never delays a byte). No task, no StreamReader
buffer and no event-loop hop per chunk: a chunk costs one recv, one send and the tap.
Flow control is the transports' own: a peer whose write buffer passes its high-water mark
pauses reading on this side until it drains.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable

__all__ = ["Splice"]

log = logging.getLogger(__name__)


class _Side(asyncio.Protocol):
    """What `transport` receives goes to `peer`; `side` names who sent it ("client" / "server")."""

    def __init__(self, splice: "Splice", side: str, transport: asyncio.Transport, peer: asyncio.Transport):
        self.splice, self.side, self.transport, self.peer = splice, side, transport, peer

    def data_received(self, data: bytes) -> None:
        self.peer.write(data)
        self.splice.relayed(self.side, data)

    def eof_received(self) -> bool:
        self.splice.end(self.side)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.splice.end(self.side)

    def pause_writing(self) -> None:        # our transport's buffer is full: stop reading what fills it
        self.peer.pause_reading()

    def resume_writing(self) -> None:
        self.peer.resume_reading()


class Splice:
    """Relay client <-> server until either side ends; `tap(side, data)` sees every byte, in order.

    `done` resolves to the side that ended first. `counts` holds the bytes each side sent.
    """

    def __init__(self, client: asyncio.Transport, server: asyncio.Transport, tap: Callable[[str, bytes], None]):
        self.client, self.server, self.tap = client, server, tap
        self.counts = {"client": 0, "server": 0}
        self.done: asyncio.Future = asyncio.get_running_loop().create_future()

    def start(self, early: dict[str, bytes], ended: set[str]) -> None:
        """`early`: bytes each side sent before the splice (relayed first); `ended`: sides already at EOF."""
        for side, data in early.items():
            if data:
                (self.server if side == "client" else self.client).write(data)
                self.relayed(side, data)
        self.client.set_protocol(_Side(self, "client", self.client, self.server))
        self.server.set_protocol(_Side(self, "server", self.server, self.client))
        for transport in (self.client, self.server):
            transport.resume_reading()       # a StreamReader over its limit may have paused it
        for side in ("client", "server"):
            if side in ended:
                self.end(side)

    def relayed(self, side: str, data: bytes) -> None:
        self.counts[side] += len(data)
        try:
            self.tap(side, data)
        except Exception:                    # a recording bug must not cut the connection
            log.exception("splice tap (%s); no longer recording this connection", side)
            self.tap = _ignore

    def end(self, side: str) -> None:
        if not self.done.done():
            self.done.set_result(side)
        for transport in (self.client, self.server):
            transport.close()                # flushes what is buffered first

    def abort(self) -> None:
        for transport in (self.client, self.server):
            transport.abort()


def _ignore(side: str, data: bytes) -> None:
    pass
