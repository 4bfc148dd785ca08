"""What a matcher reads: the run's Timeline plus the heartbeat the server advertised."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ..errors import SymptomMismatch
from ..timeline import Event, Timeline

__all__ = ["Observation", "Evidence", "fmt_events"]


@dataclass
class Evidence:
    text: str
    events: list[Event]


@dataclass
class Observation:
    timeline: Timeline
    end_ms: float

    def side_source(self, side: str, index: int | None) -> str:
        return side if index is None else f"{side}:{index}"

    def events(self, source: str, kinds: str | Iterable[str]) -> list[Event]:
        return [e for e in self.timeline.events(source, kinds) if e.t <= self.end_ms]

    def heartbeat_ms(self, client: int | None = 0) -> float:
        """pingInterval + pingTimeout as advertised: the client's open packet, else the server's options."""
        for event in self.events(f"client:{client or 0}", "handshake") + self.events("client", "handshake"):
            interval, timeout = event.data.get("pingInterval"), event.data.get("pingTimeout")
            if isinstance(interval, (int, float)) and isinstance(timeout, (int, float)):
                return float(interval + timeout)
        for event in self.events("server", "listening"):
            options = event.data.get("options") or {}
            if "pingInterval" in options and "pingTimeout" in options:
                return float(options["pingInterval"] + options["pingTimeout"])
        raise SymptomMismatch("an advertised pingInterval/pingTimeout", "no handshake and no server options")

    def first(self, source: str, kinds: str | Iterable[str], where: Callable[[Event], bool] = lambda e: True):
        return next((e for e in self.events(source, kinds) if where(e)), None)


def fmt_events(events: list[Event], limit: int = 6) -> str:
    if not events:
        return "nothing"
    shown = "; ".join(f"{e.source} {e.kind} {_brief(e.data)} at {e.t / 1000:.2f} s" for e in events[:limit])
    return shown + (f"; and {len(events) - limit} more" if len(events) > limit else "")


def _brief(data: dict) -> str:
    keys = ("reason", "message", "description", "transport", "status", "name", "id")
    parts = [f"{k}={data[k]!r}" for k in keys if k in data and data[k] not in (None, "")]
    return "(" + ", ".join(parts) + ")" if parts else ""
