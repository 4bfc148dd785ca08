"""One direction of one proxied connection: source transport -> toxic stages -> sink transport.

With no active toxic the source's data is written straight to the sink from
data_received (no task, no queue: the hot path). Each active toxic is a Stage: a task
running the toxic's pipe() over its own byte-bounded queue; a full queue makes its feeder
wait (or pauses the source), as Toxiproxy's channels do. Stages are added, updated and
removed on live connections; what a removed stage held or had queued moves on in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any, Callable

from . import _splice
from ._rand import rng

__all__ = ["Chunk", "Direction"]

log = logging.getLogger(__name__)

HIGH = 1 << 20          # bytes queued in front of a stage before its feeder waits
LOW = HIGH // 4


class Chunk:
    __slots__ = ("data", "ts")

    def __init__(self, data: bytes, ts: float):
        self.data, self.ts = data, ts   # ts: loop.time() when the proxy read it


_EOF = Chunk(b"", 0.0)   # the end of stream, as it travels through queues


class Stage:
    """A toxic running on one direction of one connection; also the `stub` toxics see."""

    def __init__(self, direction: "Direction", wrapper: Any, state: Any):
        self.direction, self.wrapper, self.toxic = direction, wrapper, wrapper.toxic
        self.state = state
        self.active = rng.random() < wrapper.toxicity     # drawn once per connection
        self.queue: deque[Chunk] = deque()
        self.qbytes = 0
        self.holding: Chunk | None = None
        self.next: Stage | None = None    # None = the sink
        self.closed = self.dead = False
        self.task: asyncio.Task | None = None
        self._getter: asyncio.Future | None = None
        self._space: list[asyncio.Future] = []

    # -- the stub API toxics use -------------------------------------------------
    async def recv(self) -> Chunk | None:
        while not self.queue:
            self._getter = asyncio.get_running_loop().create_future()
            try:
                await self._getter
            finally:
                self._getter = None
        chunk = self.queue.popleft()
        self.holding = chunk
        if chunk is _EOF:
            return None
        self.qbytes -= len(chunk.data)
        if self.qbytes <= LOW:
            self._wake_space()
        return chunk

    async def send(self, chunk: Chunk) -> None:
        if self.holding is chunk:
            self.holding = None
        if not self.dead:
            await self.direction.deliver(self.next, chunk)

    def close(self) -> None:
        """End the stream here: what follows sees end of stream; later input is dropped."""
        if self.closed or self.dead:
            return
        self.closed, self.holding = True, None
        self.queue.clear()
        self.qbytes = 0
        self._wake_space()
        self.direction.deliver_nowait(self.next, _EOF)

    def reset(self) -> None:
        self.holding = None
        self.closed = True
        self.direction.reset()

    # -- plumbing -----------------------------------------------------------------
    def put(self, chunk: Chunk) -> None:
        if self.closed:
            return
        self.queue.append(chunk)
        self.qbytes += len(chunk.data)
        if self._getter is not None and not self._getter.done():
            self._getter.set_result(None)

    async def wait_space(self) -> None:
        if self.qbytes > HIGH and not self.closed and not self.dead:
            future = asyncio.get_running_loop().create_future()
            self._space.append(future)
            await future

    def _wake_space(self) -> None:
        waiters, self._space = self._space, []
        for future in waiters:
            if not future.done():
                future.set_result(None)
        if self.direction.head is self:
            self.direction.update_source()

    def start(self) -> None:
        if self.active:
            self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            await self.toxic.pipe(self)
        except asyncio.CancelledError:
            return
        except Exception:   # a broken toxic ends the stream rather than hanging it
            log.exception("toxic %s failed", self.wrapper.name)
        self.close()

    def detach(self) -> list[Chunk]:
        """Stop the task; return what it held and had queued, in order."""
        self.dead = True
        if self.task is not None:
            self.task.cancel()
        left = [] if self.closed else ([self.holding] if self.holding is not None else []) + list(self.queue)
        self.queue.clear()
        self.holding, self.qbytes = None, 0
        for future in self._space:
            if not future.done():
                future.set_result(None)
        self._space = []
        return left


class Direction:
    """Pipes source -> stages -> sink. `on_reset` aborts the whole connection with RSTs."""

    def __init__(self, name: str, on_reset: Callable[[], None]):
        self.name = name            # "upstream" | "downstream"
        self.source: asyncio.Transport | None = None
        self.sink: asyncio.Transport | None = None
        self.stages: list[Stage] = []          # creation order, active or not
        self.head: Stage | None = None         # first active stage, None = fast path
        self.sink_paused = False
        self._source_paused = False
        self._sink_waiters: list[asyncio.Future] = []
        self._on_reset = on_reset
        self.ended = False
        self.splicer: _splice.Splicer | None = None

    # -- data in ------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        head = self.head
        if head is None:
            sink = self.sink
            if not sink.is_closing():
                sink.write(data)
            return
        head.put(Chunk(data, asyncio.get_running_loop().time()))
        if head.qbytes > HIGH:
            self.update_source()

    def feed_eof(self) -> None:
        if self.ended:
            return
        self.ended = True
        self.deliver_nowait(self.head, _EOF)

    # -- data out -----------------------------------------------------------------
    async def deliver(self, target: Stage | None, chunk: Chunk) -> None:
        if target is not None:
            target.put(chunk)
            await target.wait_space()
            return
        self.deliver_nowait(None, chunk)
        if self.sink_paused and not self.sink.is_closing():
            future = asyncio.get_running_loop().create_future()
            self._sink_waiters.append(future)
            await future

    def deliver_nowait(self, target: Stage | None, chunk: Chunk) -> None:
        if target is not None:
            target.put(chunk)
        elif self.sink is not None and not self.sink.is_closing():
            if chunk is _EOF:
                self.sink.close()       # full close after the buffer drains, as Toxiproxy
            else:
                self.sink.write(chunk.data)

    # -- flow control (called by the sink's protocol) ------------------------------
    def pause_sink(self) -> None:
        self.sink_paused = True
        self.update_source()

    def resume_sink(self) -> None:
        self.sink_paused = False
        waiters, self._sink_waiters = self._sink_waiters, []
        for future in waiters:
            if not future.done():
                future.set_result(None)
        self.update_source()

    def update_source(self) -> None:
        if self.splicer is not None:
            return
        head = self.head
        want = (self.sink_paused if head is None else head.qbytes > HIGH)
        if want != self._source_paused and self.source is not None and not self.source.is_closing():
            self._source_paused = want
            (self.source.pause_reading if want else self.source.resume_reading)()

    def reset(self) -> None:
        self._on_reset()

    # -- the chain ----------------------------------------------------------------
    def _relink(self) -> None:
        nxt: Stage | None = None
        for stage in reversed(self.stages):
            stage.next = nxt
            if stage.active:
                nxt = stage
        self.head = nxt
        if nxt is not None and self.splicer is not None:
            self.splicer.stop()
        self.update_source()
        self.try_splice()

    def try_splice(self) -> None:
        """Switch to the zero-copy path when nothing stands between source and sink."""
        if (self.head is None and self.splicer is None and _splice.AVAILABLE and self.source is not None
                and self.sink is not None and not self.ended and not self._source_paused
                and not self.source.is_closing() and not self.sink.is_closing()
                and self.sink.get_write_buffer_size() == 0):
            try:
                self.splicer = _splice.Splicer(self)
            except (OSError, AttributeError, ValueError, RuntimeError):
                log.debug("splice unavailable", exc_info=True)
                self.splicer = None

    def _successor(self, index: int) -> Stage | None:
        return next((s for s in self.stages[index:] if s.active), None)

    def add(self, wrapper: Any) -> None:
        stage = Stage(self, wrapper, wrapper.toxic.new_state())
        self.stages.append(stage)
        self._relink()
        stage.start()

    def remove(self, name: str) -> None:
        index = next((i for i, s in enumerate(self.stages) if s.wrapper.name == name), None)
        if index is None:
            return
        stage = self.stages.pop(index)
        left = stage.detach()
        self._relink()
        target = self._successor(index)
        for chunk in left:
            self.deliver_nowait(target, chunk)

    def update(self, wrapper: Any) -> None:
        """Restart the toxic with new values (and a new toxicity draw); keep its state and queue."""
        index = next((i for i, s in enumerate(self.stages) if s.wrapper.name == wrapper.name), None)
        if index is None:
            return
        old = self.stages[index]
        was_closed = old.closed
        left = old.detach()
        stage = Stage(self, wrapper, old.state)
        stage.closed = was_closed
        self.stages[index] = stage
        self._relink()
        target = stage if stage.active else self._successor(index + 1)
        for chunk in left:
            self.deliver_nowait(target, chunk)
        stage.start()

    def clear(self) -> None:
        for stage in list(self.stages):
            self.remove(stage.wrapper.name)

    def cancel(self) -> None:
        if self.splicer is not None:
            self.splicer.stop(drop=True)
        for stage in self.stages:
            stage.detach()
        for future in self._sink_waiters:
            if not future.done():
                future.cancel()
