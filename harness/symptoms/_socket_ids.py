"""`socket.id` across connections ("Usage of the socket.id attribute").

The ids of every `connect` event of the clients looked at (`client: N`, or `any` for every
client:N: two tabs, two ids), in time order: at least `min_count` of them (default 2), all
different (`distinct: true`, the default) or all the same (`distinct: false`). A page
reload or a reconnection shows as a second `connect` of the same client. With
`session_from: <event>` the app's own session id must stay the same across them: the
`session_key` field (default `session`) of the first argument of each `<event>` the clients
received (the app sends it on connection), one per connect, never empty.
"""

from __future__ import annotations

from ..errors import SymptomMismatch
from ._events import _sources
from ._observation import Evidence, Observation

__all__ = ["socket_ids"]


def _session(event, key: str):
    args = event.data.get("args") or []
    return args[0].get(key) if args and isinstance(args[0], dict) else None


def socket_ids(obs: Observation, p: dict) -> Evidence:
    sources = _sources(obs, "client", p.get("client", 0))
    connects = sorted((e for s in sources for e in obs.events(s, "connect")), key=lambda e: e.t)
    ids = [e.data.get("id") for e in connects]
    seen = ", ".join(f"{e.source} {e.data.get('id')!r} at {e.t / 1000:.2f} s" for e in connects) or "no connect"
    need, distinct = p.get("min_count", 2), p.get("distinct", True)
    if len(connects) < need:
        raise SymptomMismatch(f"{need} connects on {', '.join(sources) or 'no client'}", seen, connects)
    if distinct and len(set(ids)) != len(ids):
        raise SymptomMismatch("a new socket id at every connect", seen, connects)
    if not distinct and len(set(ids)) != 1:
        raise SymptomMismatch("the same socket id at every connect", seen, connects)
    text = f"{len(ids)} connects, {'all different' if distinct else 'one'} id{'s' if distinct else ''}: {seen}"
    if "session_from" in p:
        key = p.get("session_key", "session")
        got = sorted((e for s in sources for e in obs.events(s, "event") if e.data.get("name") == p["session_from"]),
                     key=lambda e: e.t)
        sessions = [_session(e, key) for e in got]
        if len(got) < len(connects) or not all(sessions) or len(set(map(str, sessions))) != 1:
            raise SymptomMismatch(f"the same {key!r} in every {p['session_from']!r} ({len(connects)} connects)",
                                  f"{sessions}", connects + got)
        text += f"; the app's {key} {sessions[0]!r} in all {len(got)} {p['session_from']!r}"
        connects += got
    return Evidence(text, connects)
