"""WebSocket: a direct websocket connection and the upgrade probe of a polling session (2probe ->
3probe). Polling works and the upgrade does not: "stuck in polling", with what came back (stripped
headers -> 400 code 3, a 403/503, a 101 then a close, a hang)."""

from __future__ import annotations

from harness.probe import network_failure, server_header
from harness.protocol import ErrorCode

from .._model import FAIL, NA, PASS, WARN, Check, Evidence
from .._polling import Session
from .._target import Target

TITLE = "WebSocket upgrade"


def failure(ws) -> str | None:
    """None for a working websocket, else what came back, in words."""
    if ws.accepted and ws.error is None and ws.foreign_frame is None:
        return None
    via = server_header(ws.headers)
    if ws.status is None:
        kind, sentence = network_failure(ws.error.message if ws.error else "")
        if kind == "timeout":
            return "the upgrade request hangs: no answer within the time limit"
        return f"no answer to the upgrade request: {sentence}"
    if ws.status == 101 and ws.foreign_frame is not None:
        return (f"101 Switching Protocols, then {ws.foreign_frame[:60]!r}: not an Engine.IO frame (the upgrade "
                f"reached a plain WebSocket server, not Socket.IO{via})")
    if ws.status == 101:
        return f"101 Switching Protocols, then {ws.error.message if ws.error else 'no Engine.IO frame'}"
    err = ws.error
    if err is not None and err.code == ErrorCode.SESSION_ID_UNKNOWN:
        return (f"HTTP {ws.status} {err.message!r}: the upgrade reached a node that does not know the session "
                f"(see sticky sessions){via}")
    if err is not None and err.code == ErrorCode.BAD_REQUEST and err.family in ("node", "node-upgrade"):
        return (f"HTTP 400 {err.message!r} (engine.io code 3: the request reached the server without its "
                f"Upgrade/Connection headers: something in front strips them{via})")
    if err is not None and err.family == "python" and ws.status == 400:
        return f"HTTP 400 {err.message!r} (python-engineio: the Upgrade header did not arrive, or no WebSocket support{via})"
    return f"HTTP {ws.status}{via}" + (f": {err.message[:120]!r}" if err is not None and err.message else "")


async def run(t: Target) -> Check:
    check = Check("websocket", TITLE, "websocket")
    if t.hello is None:
        return check.set(NA, "no Engine.IO server found (see reachable)")
    offered = "websocket" in t.hello.open.upgrades
    check.facts["offered"] = list(t.hello.open.upgrades)
    direct = await t.upgrade(eio=t.eio, timeout=3.0)
    check.evidence.append(Evidence.of(direct, headers=("server",), note="websocket-only connection"))
    session, hs = await Session.open(t)
    probe = None
    if session is not None:
        probe = await t.upgrade(eio=t.eio, sid=session.sid, timeout=3.0)
        check.evidence.append(Evidence.of(probe, headers=("server",), note="upgrade probe of a polling session"))
        await session.close()
    direct_fail, probe_fail = failure(direct), (failure(probe) if probe is not None else "no polling session")
    check.facts.update(direct=direct_fail or "ok", probe=probe_fail or "ok")
    if not offered:
        return check.set(WARN, f"the server offers no upgrade (upgrades {list(t.hello.open.upgrades)}): clients stay "
                               f"on polling by the server's choice; websocket-only: {direct_fail or 'works'}",
                         "Set transports: ['polling', 'websocket'] on the server (python: run it under a server "
                         "that does WebSocket: aiohttp, eventlet, gevent, uvicorn).")
    if not direct_fail and not probe_fail:
        return check.set(PASS, "a websocket-only connection gets the open packet and a polling session upgrades "
                               "(2probe -> 3probe)")
    if direct_fail and probe_fail:
        return check.set(FAIL, f"stuck in polling: something in front of the server refuses the upgrade: {probe_fail}"
                         + ("" if direct_fail == probe_fail else f"; websocket-only: {direct_fail}"),
                         "Let the proxy pass WebSocket upgrades (nginx: proxy_http_version 1.1 and "
                         "proxy_set_header Upgrade $http_upgrade / Connection \"upgrade\"; HAProxy: timeout tunnel).")
    which = "websocket-only" if direct_fail else "the upgrade probe"
    return check.set(WARN, f"{which} fails: {direct_fail or probe_fail}; the other works")
