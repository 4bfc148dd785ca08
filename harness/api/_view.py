"""The read-only face shared by Proxy and SyncProxy: the wire helpers and wait_for's core."""

from __future__ import annotations

import asyncio
from typing import Callable

from harness.timeline import Event, Timeline

from . import _wire
from ._errors import SockfaultError, WaitTimeout

__all__ = ["WireView"]


class WireView:
    """The read-only helpers, shared by Proxy and SyncProxy: pure reads of the timeline."""

    timeline: Timeline
    kind: str
    _http_source: str | None

    def events(self, kind: str | None = None) -> list[Event]:
        """This proxy's events (both links), optionally of one kind ("http", "ws_message", ...)."""
        return [e for e in self.timeline.events(kind=kind) if e.source in self._sources()]

    def _sources(self) -> set[str]:
        raise NotImplementedError

    def _wire(self) -> list[Event]:
        if self._http_source is None:
            raise SockfaultError("a kind='tcp' proxy records no HTTP exchanges or frames: "
                                 "use kind='http' for transports() / disconnect_reasons() / http_statuses()")
        return self.timeline.events(source=self._http_source, kind=("http", "ws_message", "ws_close"))

    def transports(self) -> dict[str, str]:
        return _wire.transports(self._wire())

    def disconnect_reasons(self) -> dict[str | None, list[dict]]:
        return _wire.disconnect_reasons(self._wire())

    def upgrade_failures(self) -> dict[str, list[dict]]:
        return _wire.upgrade_failures(self._wire())

    def http_statuses(self) -> list[_wire.Exchange]:
        return _wire.http_statuses(self._wire())

    def exchanges(self) -> list[dict]:
        """The data of every recorded HTTP exchange (method, path, transport, sid, status, body, ...)."""
        return [e.data for e in self._wire() if e.kind == "http"]

    def _matcher(self, predicate: Callable[[Event], bool] | None, kind: str | None,
                 fields: dict) -> Callable[[Event], bool]:
        def match(event: Event) -> bool:
            if kind is not None and event.kind != kind:
                return False
            if any(event.data.get(k) != v for k, v in fields.items()):
                return False
            return predicate is None or bool(predicate(event))
        return match

    async def _wait(self, predicate, timeout: float, kind: str | None, fields: dict) -> Event:
        # the match runs here, unlocked (a predicate may read the timeline: p.transports(),
        # app.events()); Timeline.wait_for only wakes us on any event past what we read, and
        # only the new ones are read (a long run's old events are on disk)
        match = self._matcher(predicate, kind, fields)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen = 0
        event = None
        while event is None:
            events = self.timeline[seen:]
            event = next((e for e in events if match(e)), None)
            seen += len(events)
            remaining = deadline - loop.time()
            if event is not None or remaining <= 0:
                break
            await self.timeline.wait_for(lambda e: True, remaining, after=seen)
        if event is None:
            what = ", ".join([f"kind={kind!r}"] * (kind is not None) + [f"{k}={v!r}" for k, v in fields.items()]
                             + ["predicate"] * (predicate is not None)) or "any event"
            raise WaitTimeout(f"no event matched {what} within {timeout} s; the last events:\n"
                              + self.timeline.excerpt(25))
        return event
