"""Symptoms: named matchers over a run's Timeline.

Each returns Evidence (a sentence and the events that prove it) or raises SymptomMismatch
saying what was expected and what was seen. `absent()` is the control run's view: the
symptom must NOT be there. Parameters are listed in SYMPTOM_PARAMS, which the scenario
loader checks, so a typo is a file:line error rather than a silently ignored key.
"""

from __future__ import annotations

from typing import Any, Callable

from ..errors import SymptomMismatch
from ._connection import connect_error, connected, never_connects, reconnected
from ._console import console
from ._disconnect import disconnect, no_disconnect
from ._events import event_lost, event_received
from ._http import http
from ._observation import Evidence, Observation, fmt_events
from ._socket_ids import socket_ids
from ._storm import reconnect_storm
from ._transport import transport_stays
from ._transport_names import transport_names
from ._unanswered import unanswered
from ._wire_sequence import wire_sequence

__all__ = ["SYMPTOMS", "SYMPTOM_PARAMS", "SYMPTOM_CHOICES", "PAIRED", "valid_choice", "Evidence", "Observation", "check", "fmt_events"]

_DUR = (str, int, float)
_NUM = (int, float)


class _IndexOrAnyType(type):
    def __instancecheck__(cls, value) -> bool:
        return value == "any" or (isinstance(value, int) and not isinstance(value, bool))


# a peer index, or "any" (every client:N / server:N); its name is what a load error prints
_INDEX_OR_ANY = _IndexOrAnyType("int or 'any'", (), {})

SYMPTOMS: dict[str, Callable[[Observation, dict], Evidence]] = {
    "connected": connected,
    "never_connects": never_connects,
    "connect_error": connect_error,
    "reconnected": reconnected,
    "disconnect": disconnect,
    "no_disconnect": no_disconnect,
    "transport_stays": transport_stays,
    "http": http,
    "event_received": event_received,
    "event_lost": event_lost,
    "unanswered": unanswered,
    "wire_sequence": wire_sequence,
    "transport_names": transport_names,
    "socket_ids": socket_ids,
    "console": console,
    "reconnect_storm": reconnect_storm,
}

SYMPTOM_PARAMS: dict[str, dict[str, Any]] = {
    "connected": {"client": int, "transport": str, "within": _DUR},
    "never_connects": {"client": int},
    "connect_error": {"client": int, "message": str, "message_contains": str, "message_matches": str,
                      "description": (str, int), "type": str},
    "reconnected": {"client": int, "new_id": bool, "recovered": bool},
    "disconnect": {"side": str, "client": int, "server": int, "reason": (str, list), "at": _DUR,
                   "within": _DUR, "tolerance": _DUR, "from": (str, list), "min_count": int},
    "no_disconnect": {"side": str, "client": int, "server": int, "for": _DUR},
    "transport_stays": {"client": int, "transport": str, "for": _DUR, "upgrade_error": bool},
    "http": {"source": str, "status": int, "json": dict, "body": str, "body_contains": str,
             "content_type": str, "url_contains": str, "method": str, "min_count": int},
    "event_received": {"side": str, "client": _INDEX_OR_ANY, "server": _INDEX_OR_ANY, "name": str, "ack": str,
                       "min_count": int, "size": int},
    "event_lost": {"side": str, "client": _INDEX_OR_ANY, "server": _INDEX_OR_ANY, "name": str},
    "unanswered": {"client": _INDEX_OR_ANY, "name": str, "min_count": int, "max_count": int, "received": bool},
    "wire_sequence": {"steps": list, "auth": dict, "socket_id": bool, "proxy": str},
    "transport_names": {"client": int, "side": str, "before": (str, list), "after": str},
    "socket_ids": {"client": _INDEX_OR_ANY, "min_count": int, "distinct": bool, "session_from": str,
                   "session_key": str},
    "console": {"client": _INDEX_OR_ANY, "type": str, "text": str, "text_contains": str, "text_matches": str,
                "min_count": int},
    "reconnect_storm": {"client": int, "of": str, "window": _DUR, "min_count": int, "within": _DUR,
                        "min_peak": int, "max_peak": int},
}

SYMPTOM_CHOICES = {"side": ("client", "server", "any"),
                   "from": ("handshake", "connect", "command", "start", "fault", "last_ping"),
                   "source": ("any", "probe", "proxy", "client"), "of": ("reconnects", "attempts", "delays")}
PAIRED = {"from"}    # also a pair [a, b]: the reference lies between two observed events


def valid_choice(key: str, value) -> bool:
    choices = SYMPTOM_CHOICES[key]
    if key in PAIRED and isinstance(value, list):
        return len(value) == 2 and all(isinstance(v, str) and v in choices for v in value)
    return isinstance(value, str) and value in choices


def check(kind: str, obs: Observation, params: dict) -> Evidence:
    for key, choices in SYMPTOM_CHOICES.items():
        if key in params and not valid_choice(key, params[key]):
            raise SymptomMismatch(f"{key} one of {', '.join(choices)}", repr(params[key]))
    return SYMPTOMS[kind](obs, params)
