"""Heartbeat: pingInterval and pingTimeout as advertised, the time after which a silent client is
dropped (the page's "30 seconds" is the v2.1-2.4 default; 2.5 and 4.x drop after 45 s), and an
intermediary that cuts an idle connection before the next ping: a websocket and a held long-poll are
watched over one ping interval, bounded by --timeout."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from .._model import FAIL, NA, PASS, Check, Evidence
from .._polling import Session, misrouted
from .._target import Target

TITLE = "heartbeat and idle cuts"
SLACK = 1.0          # watch this long past the ping interval, for the ping to arrive


async def _watch_websocket(t: Target, window: float) -> dict:
    """An idle websocket session, answering the heartbeat like a client: when did it end, if it did."""
    ws_base = t.base.replace("http", "ws", 1)
    url = f"{ws_base}{t.server_path}?EIO={t.eio}&transport=websocket"
    t._spend()
    started = time.monotonic()
    seen: list[str] = []
    out = {"url": url, "closed_at": None, "pings": 0, "error": None, "opened": False}
    try:
        async with t.ws_session() as http:
            async with http.ws_connect(url, ssl=True if t.ssl is None else t.ssl, autoping=True,
                                       timeout=aiohttp.ClientWSTimeout(ws_close=1.0)) as ws:
                out["opened"] = True
                v3_next = 0.0                             # a v3 client pings: at once, then every interval
                interval = t.hello.open.ping_interval / 1000
                while True:
                    elapsed = time.monotonic() - started
                    if elapsed >= window:
                        break
                    if t.eio == 3 and elapsed >= v3_next:
                        await ws.send_str("2")
                        v3_next = elapsed + interval
                    wait = min(window - elapsed, (v3_next - elapsed) if t.eio == 3 else window)
                    try:
                        msg = await asyncio.wait_for(ws.receive(), max(wait, 0.01))
                    except asyncio.TimeoutError:
                        continue
                    if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING,
                                    aiohttp.WSMsgType.ERROR):
                        out["closed_at"] = round(time.monotonic() - started, 2)
                        out["close_code"] = ws.close_code
                        break
                    if msg.type == aiohttp.WSMsgType.TEXT:
                        seen.append(msg.data[:80])
                        out["last_frame_at"] = round(time.monotonic() - started, 2)
                        if msg.data == "2":                  # v4: the server pings, we pong
                            out["pings"] += 1
                            out.setdefault("first_ping_at", round(time.monotonic() - started, 2))
                            await ws.send_str("3")
                        elif msg.data == "3":
                            out["pings"] += 1
                        elif msg.data.startswith("1"):       # an Engine.IO close
                            out["closed_at"] = round(time.monotonic() - started, 2)
                            out["engineio_close"] = True
                            break
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
        if out["closed_at"] is None:
            out["closed_at"] = round(time.monotonic() - started, 2)
        out["error"] = f"{type(exc).__name__}: {exc}"[:200]
    out["frames"] = seen[:6]
    return out


async def _watch_poll(t: Target, window: float) -> dict:
    """A long-poll held open: answered by the server's ping (v4) or still pending at the end, unless cut."""
    session, hs = await Session.open(t)
    if session is None:
        return {"error": hs.verdict(), "closed_at": 0.0}
    started = time.monotonic()
    poll = await session.poll(timeout=window)
    elapsed = round(time.monotonic() - started, 2)
    out = {"evidence": Evidence.of(poll, headers=("server",), note="held long-poll"), "at": elapsed,
           "status": poll.status, "closed_at": None}
    if misrouted(poll):
        out["misrouted"] = True             # another node answered: the sticky check's finding, not a cut
    elif poll.status is not None and poll.status >= 400:
        out["closed_at"] = elapsed
    elif poll.status is None and elapsed < window - 0.3:
        out["closed_at"] = elapsed
        out["error"] = poll.error.message if poll.error else "no answer"
    await session.close()
    return out


def _who(answer: str, headers: dict) -> str | None:
    """The intermediary an answer names: HAProxy's 504 page, nginx's (or its Server header)."""
    if "the server didn't respond in time" in answer.lower():
        return "haproxy"
    if "nginx" in answer.lower() or "nginx" in headers.get("server", "").lower():
        return "nginx"
    return None


async def run(t: Target) -> Check:
    check = Check("heartbeat", TITLE, "heartbeat")
    if t.hello is None:
        return check.set(NA, "no Engine.IO server found (see reachable)")
    o = t.hello.open
    interval, timeout = o.ping_interval / 1000, o.ping_timeout / 1000
    drop = interval + timeout
    check.facts.update(ping_interval_ms=o.ping_interval, ping_timeout_ms=o.ping_timeout, drop_after_s=drop)
    window = max(0.5, min(interval + SLACK, t.remaining() - 1.0))
    check.facts["watched_s"] = round(window, 2)
    ws_task = asyncio.ensure_future(_watch_websocket(t, window)) if "websocket" in o.upgrades else None
    try:
        poll = await _watch_poll(t, window)
    except BaseException:                       # out of budget: the websocket watch goes too, not orphaned
        if ws_task is not None:
            ws_task.cancel()
            await asyncio.gather(ws_task, return_exceptions=True)
        raise
    ws = await ws_task if ws_task is not None else None
    if "evidence" in poll:
        check.evidence.append(poll.pop("evidence"))
        poll["evidence_text"] = check.evidence[-1].response
    if ws is not None:
        seen = (f"not opened: {ws['error']} (see the WebSocket check)" if not ws["opened"] else
                f"closed at {ws['closed_at']} s, {ws['pings']} pings answered before, last frame at "
                f"{ws.get('last_frame_at', 0)} s" if ws["closed_at"] is not None else
                f"open for {window:.1f} s; frames: {' | '.join(ws['frames'])}")
        check.evidence.append(Evidence(f"GET {ws['url']} [idle websocket, heartbeat answered]", seen))
    check.facts.update(websocket=ws and {k: v for k, v in ws.items() if k != "frames"},
                       poll={k: v for k, v in poll.items() if k != "evidence_text"})
    page = (f"a silent client is dropped after {drop:g} s (pingInterval {interval:g} s + pingTimeout {timeout:g} s"
            + ("; the page's \"30 seconds\" is the socket.io 2.1-2.4 default)" if drop != 30 else ", the page's 30 s)"))
    closed = ws is not None and ws["opened"] and ws["closed_at"] is not None and not ws.get("engineio_close")
    capped = closed and ws["pings"] > 0                  # pings flowed and it was closed all the same
    cut_ws = closed and not capped and ws["closed_at"] < min(window, drop) - 0.05
    cut_poll = poll.get("closed_at") is not None
    if check.facts["websocket"]:
        check.facts["websocket"]["kind"] = "lifetime" if capped else "idle" if cut_ws else None
    who = _who(poll.get("evidence_text", ""), t.hello.headers)
    check.facts["intermediary"] = who
    if capped:
        check.section = "beyond-cut"
        return check.set(FAIL, f"the websocket was closed at {ws['closed_at']:g} s although pings flowed ({ws['pings']} "
                               f"answered, the last frame {ws['closed_at'] - ws.get('last_frame_at', 0):.2g} s before): "
                               "a lifetime cap (a connection closed at a fixed age whatever the traffic), not an idle "
                               "timeout: heartbeats cannot keep it open, clients see \"transport close\" every "
                               f"~{ws['closed_at']:g} s and reconnect; {page}",
                         "Raise or remove the connection lifetime / max-age of the load balancer, NAT gateway or "
                         "corporate proxy in front (its idle timeout is not the cause); pingInterval cannot help.")
    if cut_ws or cut_poll:
        parts = []
        if cut_ws:
            idle = ws["closed_at"] - ws.get("last_frame_at", 0)
            parts.append(f"an idle websocket is closed after {ws['closed_at']:g} s ({idle:.2g} s after its last "
                         "frame, no ping yet: an idle timeout)")
        if cut_poll:
            what = f"HTTP {poll['status']}" if poll.get("status") else poll.get("error", "closed")
            parts.append(f"a held long-poll is cut after {poll['closed_at']:g} s ({what})")
        by = {"haproxy": "HAProxy (its 504 page; " + ("`timeout client` / `timeout server` without `timeout tunnel`)"
                                                       if cut_ws else "`timeout server`)"),
              "nginx": "nginx (proxy_read_timeout)"}.get(who, "something in front")
        advice = {"haproxy": "HAProxy: add `timeout tunnel` (e.g. 1h) for the websockets (without it `timeout "
                             "client` / `timeout server` apply to them) and raise `timeout server` above pingInterval "
                             "for the held long-polls.",
                  "nginx": "nginx: raise proxy_read_timeout (and proxy_send_timeout) above pingInterval."}.get(
            who, "Raise the proxy's idle timeout above pingInterval (nginx proxy_read_timeout, HAProxy timeout "
                 "tunnel / timeout server) or lower pingInterval below it.")
        return check.set(FAIL, f"{' and '.join(parts)}, before the server's next ping at {interval:g} s: {by} cuts "
                               f"idle connections (clients see \"transport close\" and reconnect); {page}", advice)
    poll.pop("evidence_text", None)
    whole = window >= interval
    watched = ("over a whole ping interval" if whole else
               f"within {window:.1f} s of the {interval:g} s ping interval (--timeout {interval + 4:g} watches a whole one)")
    return check.set(PASS, f"no idle cut {watched}; {page}")
