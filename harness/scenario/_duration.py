"""Durations in scenario files: wall-clock ('250ms', '2s', 3) or heartbeats ('1.5 heartbeats').

A heartbeat is pingInterval + pingTimeout as the server advertised it, so one scenario file
means the same thing in faithful and in compressed time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Duration", "parse_duration"]

_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|heartbeats?|hb)\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0}


@dataclass(frozen=True)
class Duration:
    seconds: float = 0.0
    heartbeats: float = 0.0

    def resolve(self, heartbeat_s: float) -> float:
        """Seconds, given the advertised heartbeat (pingInterval + pingTimeout) in seconds."""
        return self.seconds + self.heartbeats * heartbeat_s

    def __str__(self) -> str:
        return f"{self.heartbeats:g} heartbeats" if self.heartbeats else f"{self.seconds:g} s"


def parse_duration(value: object) -> Duration:
    if isinstance(value, bool):
        raise ValueError(f"expected a duration, got {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"a duration cannot be negative: {value!r}")
        return Duration(seconds=float(value))
    match = _RE.match(str(value))
    if not match:
        raise ValueError(f"expected a duration like 250ms, 2s, 1m or '1.5 heartbeats', got {value!r}")
    number, unit = float(match.group(1)), match.group(2)
    if unit in _UNIT_SECONDS:
        return Duration(seconds=number * _UNIT_SECONDS[unit])
    return Duration(heartbeats=number)
