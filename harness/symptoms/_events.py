"""Application events: received by the other side, or emitted and lost.

`client` / `server` pick the peer to look at: a number (default 0) or `any`, every
client:N / server:N on the timeline. Hits are counted over every source looked at, and a
mismatch names those sources.
"""

from __future__ import annotations

from ..errors import SymptomMismatch
from ._observation import Evidence, Observation, fmt_events

__all__ = ["event_received", "event_lost"]


def _sources(obs: Observation, side: str, index) -> list[str]:
    if index == "any":
        found = {e.source for e in obs.timeline.events(side) if e.t <= obs.end_ms}
        numbered = [s for s in found if s.partition(":")[2].isdigit()]
        return sorted(numbered, key=lambda s: int(s.partition(":")[2]))
    if isinstance(index, bool) or not isinstance(index, int):
        raise SymptomMismatch(f"{side}: a number or 'any'", repr(index))
    return [f"{side}:{index}"]


def _received(obs: Observation, p: dict) -> tuple[list, list[str]]:
    """(the matching events, the sources looked at)."""
    side = "client" if p.get("ack") else p.get("side", "server")
    if side not in ("server", "client"):
        raise SymptomMismatch("side server or client", repr(side))
    sources = _sources(obs, side, p.get(side, 0))
    if p.get("ack"):
        hits = [e for s in sources for e in obs.events(s, "ack") if e.data.get("ack") == p["ack"]]
    else:
        kind = "message" if side == "server" else "event"
        hits = [e for s in sources for e in obs.events(s, kind) if e.data.get("name") == p.get("name")
                and ("size" not in p or e.data.get("size") == p["size"])]
    return sorted(hits, key=lambda e: e.t), sources


def _where(p: dict, sources: list[str]) -> str:
    side = "client" if p.get("ack") else p.get("side", "server")
    if p.get(side, 0) != "any":
        return sources[0]
    return f"any {side} ({', '.join(sources)})" if sources else f"any {side} (no {side}:N on the timeline)"


def _counts(hits: list, sources: list[str]) -> str:
    if len(sources) < 2:
        return ""
    return " [" + ", ".join(f"{s}: {sum(1 for e in hits if e.source == s)}" for s in sources) + "]"


def event_received(obs: Observation, p: dict) -> Evidence:
    hits, sources = _received(obs, p)
    need = p.get("min_count", 1)
    what = f"ack {p['ack']!r}" if p.get("ack") else f"event {p.get('name')!r}"
    where = _where(p, sources)
    if len(hits) < need:
        raise SymptomMismatch(f"{what} received {need} time(s) on {where}",
                              f"{len(hits)}{_counts(hits, sources)}: {fmt_events(hits)}", hits)
    return Evidence(f"{what} received {len(hits)} time(s) on {where}{_counts(hits, sources)}, "
                    f"first at {hits[0].t / 1000:.2f} s", hits[:3])


def event_lost(obs: Observation, p: dict) -> Evidence:
    emitted = [e for e in obs.events("client", "emitted") if e.data.get("name") == p.get("name")]
    if not emitted:
        raise SymptomMismatch(f"event {p.get('name')!r} emitted", "never emitted")
    hits, sources = _received(obs, p)
    if hits:
        raise SymptomMismatch(f"event {p.get('name')!r} lost", f"received on {_where(p, sources)}: "
                              f"{fmt_events(hits)}", hits)
    return Evidence(f"emitted {len(emitted)} time(s), never received on {_where(p, sources)}", emitted[:3])
