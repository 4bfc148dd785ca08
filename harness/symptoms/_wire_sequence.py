"""The healthy connection as the "stuck in polling" section pictures it, step by step on the wire.

The steps are read from an HTTP proxy's records (kinds `http` and `ws_message`) and must
appear in the order given, each the first match at or after the previous one, all in the
Engine.IO session the handshake opened. A step's time is the moment its defining message
crossed the proxy: a request's arrival (t - ms) for `sio_connect_request`, a response's
for the others. A nested list is a group whose members may come in any order (they race),
all after the step before and before the step after.

  eio_handshake         GET polling without sid -> 200, an `open` packet with the sid
  sio_connect_request   POST polling with the sid carrying a Socket.IO CONNECT (`auth`: a subset of its data)
  sio_connect_response  a CONNECT from the server (a polling response, the v3 handshake's own, or a websocket
                        frame); `socket_id` (default true): it carries the socket id (v3's has none)
  websocket             GET transport=websocket with the sid -> 101
  poll_closed           the session's last polling GET: the one still pending when the WebSocket came up,
                        answered with a noop (or, when the answer raced the upgrade, with what it carried)
"""

from __future__ import annotations

from typing import Callable

from ..errors import SymptomMismatch
from ._observation import Evidence, Observation

__all__ = ["wire_sequence", "STEPS"]

DEFAULT = ["eio_handshake", "sio_connect_request", "sio_connect_response", "websocket", "poll_closed"]


def _packets(value) -> list[dict]:
    return value.get("packets") or [] if isinstance(value, dict) else []


def _connects(packets: list[dict]) -> list[dict]:
    return [p["sio"] for p in packets if p.get("type") == "message" and (p.get("sio") or {}).get("type") == "CONNECT"]


def _subset(want, seen) -> bool:
    if isinstance(want, dict):
        return isinstance(seen, dict) and all(k in seen and _subset(v, seen[k]) for k, v in want.items())
    return want == seen


def _handshake(e, p, sid):
    d = e.data
    opens = [x for x in _packets(d.get("body")) if x.get("type") == "open"]
    if e.kind == "http" and d.get("transport") == "polling" and not d.get("sid") and d.get("status") == 200 and opens:
        return e.t, f"handshake sid {(opens[0].get('open') or {}).get('sid')!r}"
    return None


def _connect_request(e, p, sid):
    d = e.data
    if e.kind != "http" or d.get("method") != "POST" or d.get("sid") != sid:
        return None
    for c in _connects(_packets(d.get("sent"))):
        if "auth" not in p or _subset(p["auth"], c.get("data")):
            return e.t - float(d.get("ms") or 0), f"CONNECT request {c.get('nsp')} auth {c.get('data')!r}"
    return None


def _session(d: dict):
    """The request's sid, or for the handshake the one its open packet gives (v3 sends CONNECT there too)."""
    opens = [x for x in _packets(d.get("body")) if x.get("type") == "open"]
    return d.get("sid") or ((opens[0].get("open") or {}).get("sid") if opens else None)


def _connect_response(e, p, sid):
    d = e.data
    if e.kind == "http" and d.get("method") == "GET" and _session(d) == sid:
        packets, where = _packets(d.get("body")), "polling"
    elif e.kind == "ws_message" and d.get("from") == "server" and d.get("sid") == sid:
        packets, where = [d.get("packet") or {}], "websocket"
    else:
        return None
    for c in _connects(packets):
        data = c.get("data") if isinstance(c.get("data"), dict) else {}
        if p.get("socket_id", True) and not data.get("sid"):
            continue
        return e.t, f"CONNECT response over {where}" + (f" socket id {data['sid']!r}" if data.get("sid") else " (no data)")
    return None


def _websocket(e, p, sid):
    d = e.data
    if e.kind == "http" and d.get("transport") == "websocket" and d.get("sid") == sid and d.get("status") == 101:
        return e.t, "101 Switching Protocols"
    return None


def _poll_closed(e, p, sid):
    d = e.data
    types = [x.get("type") for x in _packets(d.get("body"))]
    if e.kind == "http" and d.get("method") == "GET" and d.get("transport") == "polling" and d.get("sid") == sid:
        return e.t, f"the last long-polling GET, answered with {'+'.join(types) or 'nothing'} after {d.get('ms')} ms"
    return None


STEPS: dict[str, Callable] = {"eio_handshake": _handshake, "sio_connect_request": _connect_request,
                              "sio_connect_response": _connect_response, "websocket": _websocket,
                              "poll_closed": _poll_closed}


LAST = {"poll_closed"}     # the step is the session's last such exchange, not the first


def _find(name, events, p, sid, after):
    """(time, text, event) of the first match at or after `after` (of the last one for LAST steps),
    and the first match at all."""
    hits = sorted(((hit[0], hit[1], e) for e in events if (hit := STEPS[name](e, p, sid)) is not None),
                  key=lambda h: h[0])
    if name in LAST:
        hits = hits[-1:]
    return next((h for h in hits if h[0] >= after), None), (hits[0] if hits else None)


def wire_sequence(obs: Observation, p: dict) -> Evidence:
    proxy = p.get("proxy")
    events = obs.events(f"proxy:{proxy}" if proxy else "proxy", ("http", "ws_message"))
    groups = [g if isinstance(g, list) else [g] for g in p.get("steps", DEFAULT)]
    unknown = [s for g in groups for s in g if s not in STEPS]
    if unknown:
        raise SymptomMismatch(f"steps among {', '.join(STEPS)}", f"unknown {unknown}")
    sid, after, lines, proof, n = None, float("-inf"), [], [], 0
    for group in groups:
        found = []
        for name in group:
            hit, anywhere = _find(name, events, p, sid, after)
            if hit is None:
                seen = f"{name} only at {anywhere[0] / 1000:.3f} s, before the step before it" if anywhere \
                    else f"no {name}"
                when = f" after {after / 1000:.3f} s" if after > float("-inf") else ""
                raise SymptomMismatch(f"step {n + 1} {name}{when}",
                                      "; ".join(lines + [seen]), proof + ([anywhere[2]] if anywhere else []))
            if name == "eio_handshake":
                sid = _session(hit[2].data)
            found.append((name, hit))
        for name, (t, text, event) in sorted(found, key=lambda f: f[1][0]):
            n += 1
            lines.append(f"{n}. {name}: {text} at {t / 1000:.3f} s")
            proof.append(event)
        after = max(f[1][0] for f in found)
    return Evidence("in order: " + "; ".join(lines), proof)
