"""Payload limit: the maxPayload the server advertises (socket.io >= 4.5, python-engineio >= 4.11),
and with --intrusive the limit that really applies per transport, found by bisection with padded
heartbeat packets (no application event is sent): a proxy's body limit below the server's shows."""

from __future__ import annotations

import asyncio

import aiohttp

from harness.probe import server_header
from harness.protocol import Packet, PacketType, encode_ws_frame

from .._model import FAIL, NA, PASS, WARN, Check, Evidence
from .._polling import Session
from .._target import Target

TITLE = "payload limit"
SMALL = 64 * 1024            # below this, an ordinary emit of a few KB disconnects the client
CEILING = 16 * 1024 * 1024   # bisection stops here: "at least 16 MiB"
PRECISION = 0.02


def _padded(framing: int, size: int) -> Packet:
    """A heartbeat packet whose encoded size is `size` characters (servers ignore a pong's data)."""
    kind = PacketType.PONG if framing == 4 else PacketType.PING
    return Packet(kind, "x" * max(size - 1, 1))


async def _polling_fits(t: Target, size: int) -> tuple[bool, str]:
    session, hs = await Session.open(t)
    if session is None:
        return False, f"handshake failed: {hs.verdict()}"
    post = await session.post(_padded(session.framing, size), timeout=5.0)
    fits = post.status == 200
    if fits:
        await session.close()
    why = "" if fits else (f"HTTP {post.status}{server_header(post.headers)}" if post.status
                           else (post.error.message if post.error else "no answer"))
    return fits, why


async def _websocket_fits(t: Target, size: int) -> tuple[bool, str]:
    url = f"{t.base.replace('http', 'ws', 1)}{t.server_path}?EIO={t.eio}&transport=websocket"
    t._spend()
    try:
        async with t.ws_session() as http:
            async with http.ws_connect(url, ssl=True if t.ssl is None else t.ssl, max_msg_size=0,
                                       timeout=aiohttp.ClientWSTimeout(ws_close=1.0)) as ws:
                await asyncio.wait_for(ws.receive(), 3.0)                      # the open packet
                await ws.send_str(encode_ws_frame(_padded(t.eio, size), t.eio))
                try:
                    msg = await asyncio.wait_for(ws.receive(), 0.6)
                except asyncio.TimeoutError:
                    return True, ""
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                    return False, f"close {ws.close_code}" + (f" {msg.extra!r}" if msg.extra else "")
                return True, ""
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
        return False, f"{type(exc).__name__}"


async def _bisect(t: Target, fits, advertised: int | None) -> dict:
    lo, hi = 512, None
    ok, why = await fits(t, lo)
    if not ok:
        return {"limit": None, "refused_at": lo, "why": why}
    probe = min(max((advertised or 1_000_000) + 64, 2048), CEILING)
    last_why = ""
    while True:                                  # find a size that fails
        ok, why = await fits(t, probe)
        if not ok:
            hi, last_why = probe, why
            break
        lo = probe
        if probe >= CEILING:
            return {"limit": f">= {CEILING}", "accepted": lo}
        probe = min(probe * 4, CEILING)
    while (hi - lo) / hi > PRECISION:
        mid = (lo + hi) // 2
        ok, why = await fits(t, mid)
        if ok:
            lo = mid
        else:
            hi, last_why = mid, why
    return {"limit": lo, "refused_at": hi, "why": last_why}


async def run(t: Target) -> Check:
    check = Check("payload", TITLE, "payload")
    if t.hello is None:
        return check.set(NA, "no Engine.IO server found (see reachable)")
    advertised = t.hello.open.max_payload
    check.facts["max_payload"] = advertised
    said = (f"maxPayload {advertised} bytes advertised" if advertised is not None else
            "no maxPayload advertised (EIO 3 or socket.io < 4.5; the defaults: 1e8 up to socket.io 2.4, 1e6 since)")
    if not t.intrusive:
        if advertised is not None and advertised < SMALL:
            return check.set(WARN, f"{said}: an emit bigger than that disconnects the client (\"transport error\" "
                                   "on polling, \"transport close\" on websocket)",
                             "Raise maxHttpBufferSize (python: max_http_buffer_size), or split big payloads.")
        return check.set(PASS if advertised is not None else NA, said + "; --intrusive measures the real limit")
    measured = {"polling": await _bisect(t, _polling_fits, advertised)}
    if "websocket" in t.hello.open.upgrades:
        measured["websocket"] = await _bisect(t, _websocket_fits, advertised)
    check.facts["measured"] = measured
    for name, m in measured.items():
        check.evidence.append(Evidence(f"{name}: padded heartbeat packets, bisection",
                                       f"passes up to {m['limit']} bytes" + (f", refused at {m['refused_at']}: "
                                                                             f"{m.get('why')}" if m.get("refused_at") else "")))
    limits = {n: m["limit"] for n, m in measured.items() if isinstance(m["limit"], int)}
    text = "; ".join(f"{n}: up to {m['limit']} bytes" for n, m in measured.items())
    if advertised is not None and any(v < advertised * (1 - 2 * PRECISION) for v in limits.values()):
        return check.set(FAIL, f"{said}, but {text}: something in front refuses smaller messages than the server "
                               "promises (a proxy's body or frame size limit)",
                         "Raise the proxy's limit (nginx client_max_body_size) above maxHttpBufferSize.")
    if any(v < SMALL for v in limits.values()):
        return check.set(WARN, f"{said}; {text}: an emit bigger than that disconnects the client",
                         "Raise maxHttpBufferSize (python: max_http_buffer_size), or split big payloads.")
    return check.set(PASS, f"{said}; {text}")
