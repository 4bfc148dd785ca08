"""The transport names the "stuck in polling" section's snippets print, before and after `upgrade`.

Client side `socket.io.engine.transport.name` at `connect` and at the engine's `upgrade`;
server side `socket.conn.transport.name` at `connection` and at `socket.conn`'s `upgrade`
(the peers and hooks report both). `side`: client, server or any (both, the default);
`before` (default polling; a list allows several) and `after` (default websocket). When
`before` lists `after` too, a side that is already on `after` at connect (the upgrade won
the race with the CONNECT answer, so the snippet's `upgrade` listener never fires) passes. The server socket is the one
with the client's socket id.
"""

from __future__ import annotations

from ..errors import SymptomMismatch
from ._observation import Evidence, Observation, fmt_events

__all__ = ["transport_names"]


def _names(obs: Observation, source: str, start_kind: str, sid: str | None):
    same = (lambda e: e.data.get("id") == sid) if sid is not None else (lambda e: True)
    start = obs.first(source, start_kind, same)
    if start is None:
        return None, None, []
    upgrade = obs.first(source, "upgrade", lambda e: e.t >= start.t and same(e))
    return start.data.get("transport"), upgrade.data.get("transport") if upgrade else None, \
        [start] + ([upgrade] if upgrade else [])


def transport_names(obs: Observation, p: dict) -> Evidence:
    client = f"client:{p.get('client', 0)}"
    before, after = p.get("before", "polling"), p.get("after", "websocket")
    allowed = before if isinstance(before, list) else [before]
    sides = ["client", "server"] if p.get("side", "any") == "any" else [p["side"]]
    connect = obs.first(client, "connect")
    if connect is None:
        raise SymptomMismatch(f"{client} connected", "no connect", [])
    texts, proof = [], []
    for side in sides:
        if side == "client":
            seen = _names(obs, client, "connect", None)
        else:
            seen = _names(obs, "server", "connection", connect.data.get("id"))
        first, upgraded, events = seen
        proof += events
        if not events:
            raise SymptomMismatch(f"a server connection for socket {connect.data.get('id')!r}", "none", [connect])
        at = "connect" if side == "client" else "connection"
        if first == after and upgraded is None and after in allowed:
            texts.append(f"{side}: already {first!r} at {at} ({events[0].t / 1000:.3f} s): the upgrade finished first")
            continue
        if first not in allowed or upgraded != after:
            raise SymptomMismatch(f"{side} side: {' or '.join(map(repr, allowed))}, then {after!r} after upgrade",
                                  f"{first!r}, then {upgraded!r}: {fmt_events(events)}", events)
        texts.append(f"{side}: {first!r} at {at} ({events[0].t / 1000:.3f} s), {upgraded!r} after upgrade "
                     f"({events[1].t / 1000:.3f} s)")
    return Evidence("; ".join(texts), proof)
