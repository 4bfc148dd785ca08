"""What the http link's records say about each Engine.IO session: pure functions over events.

Source of truth: the `http`, `ws_message` and `ws_close` events proxies/http/record.py (and
fastpath.py) put on the timeline, whose packets harness.protocol decoded. Each helper reads only
the events of one http link, in timeline order; it never asks a peer. Sessions are keyed by the
Engine.IO sid of the request's query (`client.eio.sid` in python-socketio, `socket.io.engine.id`
in socket.io-client). A websocket-only session (transports: ["websocket"]) has no sid in its
query: its open packet names it for transports(), its other frames and its close are under None.
"""

from __future__ import annotations

import functools

import json
from typing import Iterable, NamedTuple

from harness.timeline import Event

__all__ = ["Exchange", "transports", "disconnect_reasons", "upgrade_failures", "http_statuses"]

_SIO_DISCONNECT = {"server": "io server disconnect", "client": "io client disconnect"}


class Exchange(NamedTuple):
    method: str
    path: str
    status: int | None      # None: the exchange failed (cut, upstream unreachable)


def http_statuses(events: Iterable[Event]) -> list[Exchange]:
    """(method, path, status) of every HTTP exchange, in the order they completed (101s included)."""
    return [Exchange(e.data.get("method"), e.data.get("path"), e.data.get("status"))
            for e in events if e.kind == "http"]


def transports(events: Iterable[Event]) -> dict[str, str]:
    """{sid: "polling" | "websocket"}: the last transport each session was seen on.

    polling from the handshake (a 200 polling GET without sid whose body is an open packet);
    websocket once the client sent the `upgrade` packet (5) on that sid's websocket, not at the
    101 (a probe can still fail), or from the open packet of a websocket-only handshake. A
    closed session keeps its last transport.
    """
    state: dict[str, str] = {}
    for event in events:
        data = event.data
        if event.kind == "http" and data.get("status") == 200 and data.get("transport") == "polling" \
                and not data.get("sid"):
            for packet in _packets(data.get("body")):
                sid = _open_sid(packet)
                if sid:
                    state[sid] = "polling"
        elif event.kind == "ws_message" and not data.get("dropped"):
            packet = data.get("packet") or {}
            if packet.get("type") == "upgrade" and data.get("from") == "client" and data.get("sid"):
                state[data["sid"]] = "websocket"
            elif packet.get("type") == "open" and data.get("from") == "server":
                sid = _open_sid(packet)
                if sid:
                    state[sid] = "websocket"
    return state


def disconnect_reasons(events: Iterable[Event]) -> dict[str | None, list[dict]]:
    """{sid: [what ended or refused the session, in order]}, as far as the wire shows.

    Entries (dicts; `t` is the timeline's ms, `fault` is set when a proxy fault did it):
      {"what": "sio_disconnect", "by": "server"|"client", "nsp", "reason": "io server disconnect"|
                                 "io client disconnect", "transport"}   a Socket.IO DISCONNECT packet
      {"what": "close_packet", "by", "transport"}                       an Engine.IO close packet (1)
      {"what": "ws_close", "by": "client"|"server"|None, "code", "reason"}  the session's upgraded
                                 (or websocket-only) websocket closed; code None: no close frame
      {"what": "http_error", "method", "error", "transport": "polling"}  a polling request that failed
      {"what": "http_status", "method", "status", "json", "transport": "polling"}  a polling request
                                 refused (>= 400, e.g. 400 {"code":1,"message":"Session ID unknown"})
    A failed upgrade (refused or closed probe websocket) is not here: see upgrade_failures().
    Absence (a missing pong, a ping timeout) leaves no record: those show as what followed.
    """
    out: dict[str | None, list[dict]] = {}
    upgraded: set[str] = set()

    add = functools.partial(_add, out)

    for event in events:
        data, sid = event.data, event.data.get("sid")
        if event.kind == "http" and data.get("transport") == "polling" and sid:
            for side, key in (("client", "sent"), ("server", "body")):
                for packet in _packets(data.get(key)):
                    entry = _ending(packet, side, "polling")
                    if entry:
                        add(sid, event, entry)
            if data.get("error"):
                add(sid, event, {"what": "http_error", "method": data.get("method"), "error": data["error"],
                                 "transport": "polling"})
            elif (data.get("status") or 0) >= 400:
                add(sid, event, {"what": "http_status", "method": data.get("method"), "status": data["status"],
                                 "json": data.get("json"), "transport": "polling"})
        elif event.kind == "ws_message" and not data.get("dropped"):
            packet = data.get("packet") or {}
            if packet.get("type") == "upgrade" and data.get("from") == "client" and sid:
                upgraded.add(sid)
            entry = _ending(packet, data.get("from"), "websocket")
            if entry:
                add(sid, event, entry)
        elif event.kind == "ws_close" and (sid is None or sid in upgraded):
            add(sid, event, {"what": "ws_close", "by": data.get("closed_by"), "code": data.get("code"),
                             "reason": data.get("reason") or ""})
    return out


def upgrade_failures(events: Iterable[Event]) -> dict[str, list[dict]]:
    """{sid: [failed websocket upgrades]}: a websocket request of a polling session answered
    with something else than 101 ({"what": "refused", "status"} or {"what": "http_error",
    "error"}), or its probe websocket closed before the client sent `upgrade`
    ({"what": "probe_closed", "by", "code"})."""
    out: dict[str, list[dict]] = {}
    upgraded: set[str] = set()

    add = functools.partial(_add, out)

    for event in events:
        data, sid = event.data, event.data.get("sid")
        if not sid:
            continue
        if event.kind == "http" and data.get("transport") == "websocket":
            if data.get("error"):
                add(sid, event, {"what": "http_error", "error": data["error"], "status": data.get("status")})
            elif data.get("status") != 101:
                add(sid, event, {"what": "refused", "status": data.get("status")})
        elif event.kind == "ws_message" and not data.get("dropped"):
            if (data.get("packet") or {}).get("type") == "upgrade" and data.get("from") == "client":
                upgraded.add(sid)
        elif event.kind == "ws_close" and sid not in upgraded:
            add(sid, event, {"what": "probe_closed", "by": data.get("closed_by"), "code": data.get("code")})
    return out


def _ending(packet: dict, side: str | None, transport: str) -> dict | None:
    kind = packet.get("type")
    if kind == "close":
        return {"what": "close_packet", "by": side, "transport": transport}
    sio = packet.get("sio") or {}
    if kind == "message" and sio.get("type") == "DISCONNECT":
        return {"what": "sio_disconnect", "by": side, "nsp": sio.get("nsp", "/"),
                "reason": _SIO_DISCONNECT.get(side or ""), "transport": transport}
    return None


def _packets(body) -> list[dict]:
    """The decoded packets of a recorded body ({"packets": [...]}), else none."""
    if isinstance(body, dict) and isinstance(body.get("packets"), list):
        return [p for p in body["packets"] if isinstance(p, dict)]
    return []



def _add(out: dict, sid, event: Event, entry: dict) -> None:
    """File one entry under its session, stamped with the event's time and the fault that made it, if any."""
    if event.data.get("fault"):
        entry["fault"] = event.data["fault"]
    out.setdefault(sid, []).append({"t": round(event.t, 1), **entry})

def _open_sid(packet: dict) -> str | None:
    if packet.get("type") != "open":
        return None
    opened = packet.get("open")
    if isinstance(opened, dict) and opened.get("sid"):
        return opened["sid"]
    try:
        return json.loads(packet.get("data") or "").get("sid")
    except (ValueError, AttributeError):
        return None
