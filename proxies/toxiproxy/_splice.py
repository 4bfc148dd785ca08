"""Zero-copy fast path: splice(2) socket -> pipe -> socket while a direction has no toxic.

The source transport is paused and its socket read by splice instead; anything unusual
(end of stream, an error, a toxic arriving) hands the socket back to the transport, after
writing what the pipe still holds to the sink, so ordering and the close logic stay in one
place. Linux only, opt-in (SOCKFAULT_SPLICE=1): on loopback it measured no faster than the
data_received path, which stays the default.
"""

from __future__ import annotations

import asyncio
import fcntl
import os

__all__ = ["AVAILABLE", "Splicer"]

AVAILABLE = hasattr(os, "splice") and hasattr(os, "pipe2") and os.environ.get("SOCKFAULT_SPLICE") == "1"
_CHUNK = 1 << 20
_FLAGS = getattr(os, "SPLICE_F_MOVE", 1) | getattr(os, "SPLICE_F_NONBLOCK", 2)


class Splicer:
    def __init__(self, direction) -> None:
        self.d = direction
        self.loop = asyncio.get_running_loop()
        self.src = direction.source.get_extra_info("socket").fileno()
        self.dst = direction.sink.get_extra_info("socket").fileno()
        self.loop._add_reader   # AttributeError before anything is allocated
        self.r, self.w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            fcntl.fcntl(self.w, getattr(fcntl, "F_SETPIPE_SZ", 1031), _CHUNK)
        except OSError:
            pass
        # the loop's private (transport-level) registration: the public add_reader refuses
        # an fd owned by a transport; a loop without them raises AttributeError -> no splice
        self._add_reader, self._remove_reader = self.loop._add_reader, self.loop._remove_reader
        self._add_writer, self._remove_writer = self.loop._add_writer, self.loop._remove_writer
        self.pending = 0
        self.reading = self.writing = False
        direction.source.pause_reading()
        self._want_read(True)

    def _want_read(self, on: bool) -> None:
        if on and not self.reading:
            self._add_reader(self.src, self._readable)
        elif not on and self.reading:
            self._remove_reader(self.src)
        self.reading = on

    def _want_write(self, on: bool) -> None:
        if on and not self.writing:
            self._add_writer(self.dst, self._flush)
        elif not on and self.writing:
            self._remove_writer(self.dst)
        self.writing = on

    def _readable(self) -> None:
        try:
            n = os.splice(self.src, self.w, _CHUNK, flags=_FLAGS)
        except BlockingIOError:
            return
        except OSError:
            return self.stop()
        if n == 0:              # end of stream: let the transport see it
            return self.stop()
        self.pending += n
        self._flush()

    def _flush(self) -> None:
        while self.pending:
            try:
                n = os.splice(self.r, self.dst, self.pending, flags=_FLAGS)
            except BlockingIOError:
                break
            except OSError:
                return self.stop()
            self.pending -= n
        self._want_read(not self.pending)
        self._want_write(bool(self.pending))

    def stop(self, drop: bool = False) -> None:
        """Hand the source back to its transport (unless drop: the connection is going away)."""
        if self.d.splicer is not self:
            return
        self.d.splicer = None
        self._want_read(False)
        self._want_write(False)
        left = bytearray()
        while self.pending and not drop:
            try:
                chunk = os.read(self.r, self.pending)
            except OSError:
                break
            if not chunk:
                break
            left += chunk
            self.pending -= len(chunk)
        os.close(self.r)
        os.close(self.w)
        if drop:
            return
        if left and not self.d.sink.is_closing():
            self.d.sink.write(bytes(left))
        self.d._source_paused = True      # the transport is paused: let flow control decide
        self.d.update_source()
