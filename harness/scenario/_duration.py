"""Durations in scenario files: wall-clock ('250ms', '2s', 3) or heartbeats ('1.5 heartbeats').

A heartbeat is pingInterval + pingTimeout as the server advertised it, so one scenario file
means the same thing in faithful and in compressed time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["Duration", "parse_duration", "DURATION_CHOICES", "MAX_SECONDS", "MAX_HEARTBEATS"]

DURATION_CHOICES = ["250ms", "2s", "1m", "a number of seconds", "1.5 heartbeats"]
MAX_SECONDS = 86_400.0      # one day: a longer wait or timeout is a typo, not a test
MAX_HEARTBEATS = 1_000.0

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
    """Raises ValueError (the loader adds file, line and DURATION_CHOICES)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration, got {_show(value)}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"a duration cannot be negative: {_show(value)}")
        return _checked(Duration(seconds=_float(value)), value)
    match = _RE.match(str(value))
    if not match:
        raise ValueError(f"expected a duration like 250ms, 2s, 1m or '1.5 heartbeats', got {_show(value)}")
    number, unit = _float(match.group(1)), match.group(2)
    if unit in _UNIT_SECONDS:
        return _checked(Duration(seconds=number * _UNIT_SECONDS[unit]), value)
    return _checked(Duration(heartbeats=number), value)


def _show(value: object) -> str:
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**40 else "a huge number"
    return text if len(text) <= 40 else text[:37] + "..."


def _float(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except OverflowError:  # an int of hundreds of digits
        number = math.inf
    if math.isnan(number):
        raise ValueError(f"a duration must be a number, got {_show(value)}")
    return number


def _checked(duration: Duration, value: object) -> Duration:
    if not duration.seconds <= MAX_SECONDS or not duration.heartbeats <= MAX_HEARTBEATS:
        raise ValueError(f"a duration is at most {MAX_SECONDS:g} s (a day) or {MAX_HEARTBEATS:g} heartbeats, "
                         f"got {_show(value)}")
    return duration
