"""The network view: a case's HTTP exchanges as the browser's network panel lists them (the page's
picture of a healthy connection): the Engine.IO handshake, the Socket.IO handshake request and
response, the WebSocket 101, the long-polling requests. On a faulty run, "stuck in polling" shows as
a column of polling rows and a refused 101."""

from __future__ import annotations

from html import escape
from typing import Iterable

__all__ = ["network_table"]


def _packets(value) -> list[dict]:
    """The decoded packets of a recorded body ({"packets": [...]}; a refusal's body is plain text)."""
    return [p for p in (value.get("packets") or []) if isinstance(p, dict)] if isinstance(value, dict) else []


def _what(data: dict) -> str:
    sent = " ".join(str(p.get("data") or "") for p in _packets(data.get("sent")) if p.get("type") == "message")
    body = " ".join(str(p.get("data") or "") for p in _packets(data.get("body")) if p.get("type") == "message")
    kinds = [p.get("type") for p in _packets(data.get("body"))]
    if data.get("transport") == "websocket":
        return "WebSocket" + (" (upgrade refused)" if data.get("status") != 101 else "")
    if data.get("method") == "GET" and not data.get("sid") and "open" in kinds:
        return "Engine.IO handshake"
    if data.get("method") == "POST" and sent.startswith("0"):
        return "Socket.IO handshake request"
    if data.get("method") == "GET" and body.startswith("0{") and "sid" in body:
        return "Socket.IO handshake response"
    if data.get("method") == "GET" and "noop" in kinds:
        return "long-polling request closed by the upgrade (noop)"
    return "long-polling " + ("request" if data.get("method") == "GET" else "send")


def network_table(events: Iterable[dict], limit: int = 40) -> str:
    """The first `limit` exchanges as rows; the rest only counted (a long run's events are streamed)."""
    rows, total = [], 0
    for e in events:
        if e["kind"] == "http" and e["source"].startswith("proxy"):
            total += 1
            if total <= limit:
                rows.append(e)
    if not rows:
        return ""
    out = []
    for i, e in enumerate(rows, 1):
        d = e.get("data") or {}
        status = d.get("status")
        css = "ok" if status in (101, 200, 204) else "bad"
        sid = (d.get("sid") or "")[:8]
        out.append(f"<tr class='{css}'><td>{i}</td><td>{escape(str(d.get('method', '')))}</td>"
                   f"<td>{escape(str(d.get('transport') or d.get('path') or ''))}</td><td>{escape(sid)}</td>"
                   f"<td>{status if status is not None else escape(str(d.get('error', 'failed')))}</td>"
                   f"<td>{d.get('ms', '')}</td><td>{e['t'] / 1000:.2f} s</td><td>{escape(_what(d))}</td></tr>")
    more = f"<p class='muted'>... {total - limit} more exchanges in the timeline</p>" if total > limit else ""
    return ("<table class='network'><tr><th>#</th><th>method</th><th>transport</th><th>sid</th><th>status</th>"
            f"<th>ms</th><th>at</th><th>what</th></tr>{''.join(out)}</table>{more}")
