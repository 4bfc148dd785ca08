"""Packets the server received but no handler answered ("Delayed event handler registration").

A client emits `name` with an ack (the `emit` step's `ack: id`); the app's handler answers it.
An emit whose ack never came back, or came back empty (python-socketio acknowledges an event
it has no handler for with an empty ACK), is unanswered: its handler did not run. The count
is the symptom: at least `min_count` (default 1; 0 when only `max_count` is given) and at most
`max_count`. With `received: true` every unanswered packet must also have reached the server
(its `message` event, by socket id), which tells "no handler" from "lost on the way".
"""

from __future__ import annotations

from ..errors import SymptomMismatch
from ._events import _sources
from ._observation import Evidence, Observation

__all__ = ["unanswered"]


def _answered(event) -> bool:
    args = event.data.get("args")
    return bool(args) and any(a is not None for a in args)


def _count(obs: Observation, source: str, name: str) -> tuple[list, list, int]:
    """(the emits, the unanswered ones, how many of this client's `name` the servers received)."""
    emits = [e for e in obs.events(source, "emitted") if e.data.get("name") == name and e.data.get("ack")]
    answered = {e.data.get("ack") for e in obs.events(source, "ack") if _answered(e)}
    lost = [e for e in emits if e.data.get("ack") not in answered]
    ids = {e.data.get("id") for e in obs.events(source, "connect")} - {None}
    received = sum(1 for e in obs.events("server", "message") if e.data.get("name") == name and e.data.get("id") in ids)
    return emits, lost, received


def unanswered(obs: Observation, p: dict) -> Evidence:
    name = p.get("name", "message")
    sources = _sources(obs, "client", p.get("client", 0))
    low = p.get("min_count", 0 if "max_count" in p else 1)
    high = p.get("max_count")
    per, emits_all, lost_all, received_all = [], [], [], 0
    for source in sources:
        emits, lost, received = _count(obs, source, name)
        per.append(f"{source}: {len(lost)} of {len(emits)} unanswered, {received} received by the server")
        emits_all += emits
        lost_all += lost
        received_all += received
    seen = "; ".join(per) or "no client on the timeline"
    if not emits_all:
        raise SymptomMismatch(f"{name!r} emitted with an ack", seen)
    bound = f"at least {low}" + (f" and at most {high}" if high is not None else "")
    if len(lost_all) < low or (high is not None and len(lost_all) > high):
        raise SymptomMismatch(f"{bound} {name!r} packet(s) unanswered", seen, lost_all[:6])
    if p.get("received") and received_all < len(emits_all):
        raise SymptomMismatch(f"every {name!r} packet received by the server (no handler ran for the lost ones)",
                              seen, lost_all[:6])
    ids = ", ".join(str(e.data.get("ack")) for e in lost_all[:8])
    return Evidence(f"{len(lost_all)} of {len(emits_all)} {name!r} packet(s) unanswered"
                    + (f" ({ids})" if lost_all else "") + f": {seen}", lost_all[:6] or emits_all[:3])
