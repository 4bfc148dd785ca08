"""One monotonic timeline per scenario run: the single source of truth symptoms read.

Peers, proxies, the probe and the runner all append here; every event carries the
milliseconds since the run started, its source ("server:0", "client:0", "proxy:edge",
"probe", "runner", ...), a kind and a JSON-serialisable data dict.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

__all__ = ["Event", "Timeline"]


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


Predicate = Callable[[Event], bool]


class Timeline:
    """Append-only, thread-safe; asyncio waiters are woken on the loop they wait on."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._t0 = clock()
        self._events: list[Event] = []
        self._lock = threading.RLock()   # re-entrant: a wait_for predicate may read the timeline
        self._waiters: list[tuple[Predicate, asyncio.Future, asyncio.AbstractEventLoop]] = []
        self._listeners: list[Callable[[Event], None]] = []

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        """Call listener(event) for every event added from now on (a live view, e.g. a CLI's output)."""
        self._listeners.append(listener)

    def now(self) -> float:
        """Milliseconds since the timeline started."""
        return (self._clock() - self._t0) * 1000.0

    def add(self, source: str, kind: str, data: dict | None = None, **more: Any) -> Event:
        payload = dict(data or {})
        payload.update(more)
        with self._lock:
            event = Event(self.now(), source, kind, payload)
            self._events.append(event)
            waiters = list(self._waiters)
        for predicate, future, loop in waiters:
            if predicate(event):
                loop.call_soon_threadsafe(_resolve, future, event)
        for listener in self._listeners:
            listener(event)
        return event

    def events(self, source: str | None = None, kind: str | Iterable[str] | None = None) -> list[Event]:
        kinds = {kind} if isinstance(kind, str) else (set(kind) if kind is not None else None)
        with self._lock:
            snapshot = list(self._events)
        return [e for e in snapshot
                if (source is None or e.source == source or e.source.startswith(source + ":"))
                and (kinds is None or e.kind in kinds)]

    def first(self, predicate: Predicate) -> Event | None:
        return next((e for e in self.events() if predicate(e)), None)

    async def wait_for(self, predicate: Predicate, timeout: float) -> Event | None:
        """The first past or future event matching predicate, or None after timeout seconds."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        with self._lock:
            past = next((e for e in self._events if predicate(e)), None)
            if past is None:
                entry = (predicate, future, loop)
                self._waiters.append(entry)
        if past is not None:
            return past
        try:
            return await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            return None
        finally:
            with self._lock:
                if entry in self._waiters:
                    self._waiters.remove(entry)

    def to_json(self) -> list[dict]:
        return [e.to_dict() for e in self.events()]

    def excerpt(self, limit: int = 40) -> str:
        events = self.events()
        lines = [str(e) for e in events[-limit:]]
        if len(events) > limit:
            lines.insert(0, f"... {len(events) - limit} earlier events")
        return "\n".join(lines)


def _resolve(future: asyncio.Future, event: Event) -> None:
    if not future.done():
        future.set_result(event)
