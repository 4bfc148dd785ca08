"""One monotonic timeline per scenario run: the single source of truth symptoms read.

Peers, proxies, the probe and the runner all append here; every event carries the
milliseconds since the run started, its source ("server:0", "client:0", "proxy:edge",
"probe", "runner", ...), a kind and a JSON-serialisable data dict.

Memory stays flat however long the run: the newest events live in memory up to `memory`
bytes (estimated per event; default 16 MiB, env SOCKFAULT_TIMELINE_MEMORY, 0 = never spill),
older ones are spilled in batches to an anonymous temp file (pickled: exact round trip, and
faster than JSON lines, see benchmarks/bench_timeline_memory.py). The file has no name
(O_TMPFILE, or unlinked at once), so nothing is left behind whatever ends the process; its
space goes with close() or the timeline. Readers see every event in order: events(),
iteration, len() and indexing/slicing read the spilled part back. A spill that cannot be
written (unwritable dir, full disk, an unpicklable event) keeps everything in memory from
then on, with a TimelineSpillWarning.

An event's data may be Deferred (a proxy keeps a message's bytes; decoding them waits for the first
reader of `event.data`): the budget counts what its data will hold once made (`Deferred.size`),
and a spill writes the Deferred itself when nobody has read the data yet.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

__all__ = ["Deferred", "Event", "Timeline", "TimelineSpillWarning", "DEFAULT_MEMORY", "MEMORY_ENV"]

DEFAULT_MEMORY = 16 << 20
MEMORY_ENV = "SOCKFAULT_TIMELINE_MEMORY"
# a peer's stamp older than this is not believed (a peer on another clock, a replayed line): arrival time instead
MAX_STAMP_AGE_S = 10.0
_HEADER = 8                       # a spilled batch: 8-byte little-endian length, then its pickle


class TimelineSpillWarning(RuntimeWarning):
    """The timeline could not spill to disk and keeps every event in memory."""


@dataclass(frozen=True)
class Event:
    t: float
    source: str
    kind: str
    data: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"t": round(self.t, 3), "source": self.source, "kind": self.kind, "data": self.data}

    def __str__(self) -> str:
        return f"{self.t:9.1f} ms  {self.source:<12} {self.kind:<16} {json.dumps(self.data, default=str)[:200]}"


class Deferred:
    """Event data made on first read: `make()` returns the data dict (the same dict every time it
    is called); `size` says how many bytes that dict may hold, for the timeline's budget (count
    high rather than low: the data is made after the budget was checked). Picklable: a spill
    writes it as it is."""

    __slots__ = ()
    size: int

    def make(self) -> dict:
        raise NotImplementedError


class _Made:
    """`data` of a _DeferredEvent: made once, then an ordinary attribute (a non-data descriptor)."""

    def __get__(self, event, owner=None):
        if event is None:
            return self
        d = event.__dict__
        deferred = d.get("_deferred")
        if deferred is None:            # another thread made it meanwhile
            return d["data"]
        data = d["data"] = deferred.make()
        d.pop("_deferred", None)         # the bytes go; the made data stays
        return data


class _DeferredEvent(Event):
    """An Event whose data is made when first read; equal to the Event with that data."""

    data = _Made()

    def __init__(self, t: float, source: str, kind: str, data: Deferred | dict):
        d = self.__dict__                # frozen: no __setattr__
        d["t"], d["source"], d["kind"] = t, source, kind
        d["_deferred" if isinstance(data, Deferred) else "data"] = data

    def __eq__(self, other):
        if not isinstance(other, Event):
            return NotImplemented
        return (self.t, self.source, self.kind, self.data) == (other.t, other.source, other.kind, other.data)

    __hash__ = None

    def __repr__(self) -> str:
        return f"Event(t={self.t!r}, source={self.source!r}, kind={self.kind!r}, data={self.data!r})"


def _row(event: Event) -> tuple:
    """An event as the spill writes it: its data, or its Deferred while nobody has read it."""
    d = event.__dict__
    data = d.get("data")
    if data is None:
        data = d.get("_deferred") or d["data"]      # or made by another thread meanwhile
    return d["t"], d["source"], d["kind"], data


def _event(t: float, source: str, kind: str, data) -> Event:
    return _DeferredEvent(t, source, kind, data) if isinstance(data, Deferred) else Event(t, source, kind, data)


Predicate = Callable[[Event], bool]


class Timeline:
    """Append-only, thread-safe; asyncio waiters are woken on the loop they wait on."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, *, memory: int | str | None = None,
                 spill_dir: str | None = None):
        self._clock = clock
        self._t0 = clock()
        self._events: list[Event] = []        # the newest events, in memory
        self._sizes: list[int] = []           # their estimated sizes
        self._bytes = 0
        self._count, self._unit = 0, _BASE
        self._limit = _memory_limit(memory)
        self._spill_dir = spill_dir
        self._file = None                     # the spill file, once needed
        self._batches: list[tuple[int, int, int]] = []   # (offset, length, events) per spilled batch
        self._spilled = 0                     # events on disk
        self._end = 0                         # bytes on disk
        self._closed = False
        self._lock = threading.RLock()   # re-entrant: a listener may read the timeline
        self._waiters: list[tuple[Predicate, asyncio.Future, asyncio.AbstractEventLoop, int]] = []
        self._listeners: list[Callable[[Event], None]] = []

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        """Call listener(event) for every event added from now on (a live view, e.g. a CLI's output)."""
        self._listeners.append(listener)

    def now(self) -> float:
        """Milliseconds since the timeline started."""
        return (self._clock() - self._t0) * 1000.0

    def _time_of(self, at: float | None) -> float:
        now = self.now()
        if at is None or self._clock is not time.monotonic:
            return now
        stamped = (at - self._t0) * 1000.0
        return stamped if now - MAX_STAMP_AGE_S * 1000.0 <= stamped <= now else now

    def add(self, source: str, kind: str, data: dict | Deferred | None = None, *, at: float | None = None,
            **more: Any) -> Event:
        """at: when it happened, in seconds of time.monotonic (a peer's own stamp, docs/peer-protocol.md `mono`),
        used when this timeline runs on that clock and the stamp is at most MAX_STAMP_AGE_S old; else now.
        data: a dict (copied), or a Deferred that makes it when the event's data is first read."""
        if isinstance(data, Deferred):
            if more:
                raise TypeError("Timeline.add: keyword data with a Deferred")
            return self._append(_DeferredEvent(self._time_of(at), source, kind, data), data.size)
        payload = dict(data or {})
        payload.update(more)
        # the size of every 16th event is estimated, the others take the running mean; one that says
        # it carries a big payload ("size", as the proxies' ws_message) is always measured
        self._count += 1
        hint = payload.get("size")
        if not self._count & 15:
            size = _estimate(payload)
            self._unit = (3 * self._unit + size) // 4
        elif type(hint) is int and hint > _BIG:
            size = _estimate(payload)
        else:
            size = self._unit
        return self._append(Event(self._time_of(at), source, kind, payload), size)

    def _append(self, event: Event, size: int) -> Event:
        with self._lock:
            self._events.append(event)
            self._sizes.append(size)
            self._bytes += size
            if self._limit and self._bytes > self._limit:
                self._spill()
            waiters = list(self._waiters) if self._waiters else ()
            index = self._spilled + len(self._events) - 1
        for predicate, future, loop, after in waiters:
            if index >= after and predicate(event):
                loop.call_soon_threadsafe(_resolve, future, event)
        for listener in self._listeners:
            listener(event)
        return event

    # -- reading: every event, in order, wherever it lives ----------------------------------------
    def __len__(self) -> int:
        with self._lock:
            return self._spilled + len(self._events)

    def __iter__(self) -> Iterator[Event]:
        return self._read(self._snapshot(), 0)

    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        snapshot = self._snapshot()
        n = snapshot[1] + len(snapshot[2])
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step != 1:
                return list(self._read(snapshot, 0))[index]
            return list(islice(self._read(snapshot, start), max(0, stop - start)))
        i = index + n if index < 0 else index
        if not 0 <= i < n:
            raise IndexError("timeline index out of range")
        return next(self._read(snapshot, i))

    def events(self, source: str | None = None, kind: str | Iterable[str] | None = None) -> list[Event]:
        kinds = {kind} if isinstance(kind, str) else (set(kind) if kind is not None else None)
        prefix = None if source is None else source + ":"
        return [e for e in self
                if (source is None or e.source == source or e.source.startswith(prefix))
                and (kinds is None or e.kind in kinds)]

    def first(self, predicate: Predicate) -> Event | None:
        return next((e for e in self if predicate(e)), None)

    async def wait_for(self, predicate: Predicate, timeout: float, after: int = 0) -> Event | None:
        """The first past or future event matching predicate, or None after timeout seconds.
        `after`: only events from that index on (len() of what the caller already read)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        entry = (predicate, future, loop, after)
        with self._lock:
            snapshot = self._snapshot()
            self._waiters.append(entry)      # from here on add() offers every new event to predicate
        try:
            past = next((e for e in self._read(snapshot, after) if predicate(e)), None)
            if past is not None:
                return past
            return await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            return None
        finally:
            with self._lock:
                if entry in self._waiters:
                    self._waiters.remove(entry)

    def to_json(self) -> list[dict]:
        return [e.to_dict() for e in self]

    def excerpt(self, limit: int = 40) -> str:
        total = len(self)
        events = self[max(0, total - limit):total]
        lines = [str(e) for e in events]
        if total > len(events):
            lines.insert(0, f"... {total - len(events)} earlier events")
        return "\n".join(lines)

    # -- the spill file -------------------------------------------------------------------------
    @property
    def spilled(self) -> int:
        """How many of the events are on disk."""
        return self._spilled

    def close(self) -> None:
        """Free the spill file; the events on disk are gone (reading them raises ValueError)."""
        with self._lock:
            self._closed = True
            if self._file is not None:
                self._file.close()

    def __enter__(self) -> "Timeline":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _snapshot(self) -> tuple[list, int, list[Event]]:
        with self._lock:
            if self._closed and self._spilled:
                raise ValueError(f"timeline closed: its {self._spilled} spilled events are gone")
            return list(self._batches), self._spilled, list(self._events)

    def _read(self, snapshot: tuple[list, int, list[Event]], start: int) -> Iterator[Event]:
        batches, spilled, memory = snapshot
        if start < spilled:
            fd, first = self._file.fileno(), 0
            for offset, length, count in batches:
                if first + count > start:
                    rows = pickle.loads(_pread(fd, length, offset))
                    for t, source, kind, data in rows[max(0, start - first):]:
                        yield _event(t, source, kind, data)
                first += count
        yield from memory[max(0, start - spilled):]

    def _spill(self) -> None:
        """Under the lock: write the oldest events until 3/4 of the budget is left in memory (a
        batch of a quarter: the pickle in flight stays small, one read unpickles a few MB)."""
        keep, n, gone = self._limit * 3 // 4, 0, 0
        while n < len(self._events) - 1 and self._bytes - gone > keep:
            gone += self._sizes[n]
            n += 1
        if not n:
            return                    # one event over the budget: it goes with the next spill
        batch = self._events[:n]
        try:
            blob = pickle.dumps([_row(e) for e in batch], protocol=pickle.HIGHEST_PROTOCOL)
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="sockfault-timeline-", dir=self._spill_dir)
            _pwrite(self._file.fileno(), len(blob).to_bytes(_HEADER, "little"), self._end)
            _pwrite(self._file.fileno(), blob, self._end + _HEADER)
        except Exception as exc:      # OSError (full disk, unwritable dir), PicklingError, TypeError, ...
            self._limit = 0
            if self._file is not None and not self._spilled:
                self._file.close()
                self._file = None
            warnings.warn(TimelineSpillWarning(
                f"the timeline could not spill to disk ({type(exc).__name__}: {exc}); "
                f"every event of this run stays in memory ({len(self._events)} so far)"), stacklevel=3)
            return
        self._batches.append((self._end + _HEADER, len(blob), n))
        self._end += _HEADER + len(blob)
        self._spilled += n
        del self._events[:n]
        del self._sizes[:n]
        self._bytes -= gone


def _memory_limit(memory: int | str | None) -> int:
    if memory is None:
        memory = os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY
    if isinstance(memory, str):
        text = memory.strip().upper().removesuffix("B").removesuffix("I")
        scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
        try:
            memory = int(float(text[:-1] if scale > 1 else text) * scale)
        except ValueError:
            raise ValueError(f"timeline memory: {memory!r} is not a size (bytes, or 512K, 16M, 1G; 0 = never spill)") from None
    if memory < 0:
        raise ValueError(f"timeline memory: {memory} bytes")
    return int(memory)


_BASE = 360         # an Event, its data dict and a few small keys/values, as measured with tracemalloc
_BIG = 4096        # a payload "size" from which an event's size is always estimated
_NODES = 48         # values looked at per event: enough for a decoded packet, cheap for a huge one


def _estimate(data: dict) -> int:
    """Bytes an event's data holds, roughly: strings and bytes by length, containers by slots."""
    total, stack, nodes = _BASE, list(islice(data.values(), _NODES)), 0
    while stack and nodes < _NODES:
        value = stack.pop()
        nodes += 1
        kind = type(value)
        if kind is str or kind is bytes:
            total += 49 + len(value)
        elif kind is dict:
            total += 64 + 48 * len(value)
            stack.extend(islice(value.values(), _NODES))
        elif kind is list or kind is tuple:
            total += 56 + 8 * len(value)
            stack.extend(value[:_NODES])
        else:
            total += 32
    return total


def _pread(fd: int, length: int, offset: int) -> bytes:
    data = os.pread(fd, length, offset)
    while len(data) < length:
        more = os.pread(fd, length - len(data), offset + len(data))
        if not more:
            raise OSError(f"timeline spill file: {length - len(data)} bytes missing at {offset}")
        data += more
    return data


def _pwrite(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


def _resolve(future: asyncio.Future, event: Event) -> None:
    if not future.done():
        future.set_result(event)
