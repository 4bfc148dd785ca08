"""Application events: received by the other side, or emitted and lost."""

from __future__ import annotations

from ..errors import SymptomMismatch
from ._observation import Evidence, Observation, fmt_events

__all__ = ["event_received", "event_lost"]


def _received(obs: Observation, p: dict):
    side = p.get("side", "server")
    if p.get("ack"):
        return [e for e in obs.events(f"client:{p.get('client', 0)}", "ack") if e.data.get("ack") == p["ack"]]
    source, kind = (f"server:{p.get('server', 0)}", "message") if side == "server" \
        else (f"client:{p.get('client', 0)}", "event")
    return [e for e in obs.events(source, kind) if e.data.get("name") == p.get("name")
            and ("size" not in p or e.data.get("size") == p["size"])]


def event_received(obs: Observation, p: dict) -> Evidence:
    hits = _received(obs, p)
    need = p.get("min_count", 1)
    what = f"ack {p['ack']!r}" if p.get("ack") else f"event {p.get('name')!r} on the {p.get('side', 'server')}"
    if len(hits) < need:
        raise SymptomMismatch(f"{what} received {need} time(s)", f"{len(hits)}: {fmt_events(hits)}", hits)
    return Evidence(f"{what} received {len(hits)} time(s), first at {hits[0].t / 1000:.2f} s", hits[:3])


def event_lost(obs: Observation, p: dict) -> Evidence:
    emitted = [e for e in obs.events("client", "emitted") if e.data.get("name") == p.get("name")]
    if not emitted:
        raise SymptomMismatch(f"event {p.get('name')!r} emitted", "never emitted")
    hits = _received(obs, p)
    if hits:
        raise SymptomMismatch(f"event {p.get('name')!r} lost", f"received: {fmt_events(hits)}", hits)
    return Evidence(f"emitted {len(emitted)} time(s), never received", emitted[:3])
