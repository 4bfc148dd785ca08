"""A picture of what happened on the wire: a sequence diagram (SVG, inline, no script) from a run's
timeline. Three lanes - client, proxy, server - with time going down; HTTP exchanges and WebSocket
messages the proxy recorded are arrows, peer events are dots on their lane, faults are red bands;
hovering a row shows its decoded fields (the packets, the status, the session)."""

from __future__ import annotations

from html import escape
from itertools import islice
from typing import Iterable, Iterator

__all__ = ["wire_svg", "MAX_ROWS"]

MAX_ROWS = 80          # a long run is cut: the first rows tell the story, the timeline has the rest
ROW, WIDTH, TOP = 18, 980, 30
LANES = {"client": 120, "proxy": 450, "server": 780}
_PACKET_NAMES = {"open": "open", "close": "close", "ping": "ping", "pong": "pong", "message": "msg",
                 "upgrade": "upgrade", "noop": "noop"}


def _lane(source: str) -> str | None:
    head = source.split(":")[0]
    if head in ("client", "server"):
        return head
    if head == "proxy":
        return "proxy"
    return None


def _packet(data: dict) -> str:
    p = data.get("packet") or {}
    name = _PACKET_NAMES.get(str(p.get("type", "")), str(p.get("type", "?")))
    text = p.get("data") if isinstance(p.get("data"), str) else ""
    return f"{name} {text[:28]}".strip()


def _rows(events: Iterable[dict]) -> Iterator[tuple]:
    """(t_ms, kind, from_lane, to_lane, label, css, detail) for the events worth drawing, as they come."""
    for e in events:
        kind, data, lane = e["kind"], e.get("data") or {}, _lane(e["source"])
        if kind == "http" and lane == "proxy":
            path = f"{data.get('method', '?')} {data.get('transport') or data.get('path', '')}"
            status = data.get("status")
            css = "bad" if status is None or (isinstance(status, int) and status >= 400) else "ok"
            yield (e["t"], "http", "client", "server", f"{path} -> {status if status is not None else data.get('error', 'failed')}", css,
                   _detail(data, ("url", "sid", "sent", "body", "json", "fault", "error", "ms")))
        elif kind == "ws_message" and lane == "proxy":
            frm = data.get("from", "client")
            yield (e["t"], "ws", frm, "server" if frm == "client" else "client",
                   "ws " + _packet(data) + (" (dropped)" if data.get("dropped") else ""),
                   "dropped" if data.get("dropped") else "ws", _detail(data, ("sid", "packet", "size", "fault")))
        elif kind == "ws_close" and lane == "proxy":
            yield (e["t"], "mark", "proxy", None, f"ws close {data.get('code')} by {data.get('closed_by')}", "bad",
                   _detail(data, ("sid", "code", "reason", "closed_by", "fault")))
        elif kind in ("fault_applied", "fault_removed"):
            yield (e["t"], "fault", None, None, f"{kind.replace('_', ' ')}: {data.get('fault') or data.get('label') or ''}",
                   "fault", _detail(data, ("fault", "params")))
        elif lane in ("client", "server") and kind in ("connect", "connect_error", "disconnect", "upgrade",
                                                       "connection", "reconnect", "upgradeError", "error"):
            detail = data.get("reason") or data.get("message") or data.get("transport") or ""
            yield (e["t"], "mark", lane, None, f"{kind} {detail}"[:60],
                   "bad" if kind in ("connect_error", "disconnect", "error", "upgradeError") else "ok",
                   _detail(data, tuple(data)))


def _detail(data: dict, keys: tuple) -> str:
    """What the hover shows: the decoded fields of the event, one per line."""
    import json
    lines = []
    for key in keys:
        if data.get(key) not in (None, "", [], {}):
            value = data[key] if isinstance(data[key], str) else json.dumps(data[key], default=str)
            lines.append(f"{key}: {value[:300]}")
    return "\n".join(lines)


def wire_svg(events: Iterable[dict]) -> str:
    """The diagram as an <svg> element, or "" when the timeline has nothing to draw. Reads the events
    only until one row past MAX_ROWS (enough to know the picture is cut)."""
    rows = list(islice(_rows(events), MAX_ROWS + 1))
    if not rows:
        return ""
    cut = len(rows) > MAX_ROWS
    rows = rows[:MAX_ROWS]
    height = TOP + ROW * (len(rows) + 1) + (ROW if cut else 0)
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {height}' width='{WIDTH}' class='wire' "
           "font-family='system-ui,sans-serif' font-size='11'>",
           "<defs><marker id='a' viewBox='0 0 8 8' refX='7' refY='4' markerWidth='7' markerHeight='7' orient='auto'>"
           "<path d='M0,0 L8,4 L0,8 z' fill='context-stroke'/></marker></defs>"]
    for name, x in LANES.items():
        out.append(f"<text x='{x}' y='14' text-anchor='middle' font-weight='bold'>{name}</text>"
                   f"<line x1='{x}' y1='20' x2='{x}' y2='{height}' stroke='#bbb'/>")
    colours = {"ok": "#2a7d2a", "bad": "#c0392b", "ws": "#2c5f9e", "dropped": "#c0392b", "fault": "#c0392b"}
    for i, (t, kind, frm, to, label, css, detail) in enumerate(rows):
        y = TOP + ROW * i + ROW // 2
        colour = colours[css]
        out.append(f"<g class='row'><title>{escape(label)}\n{escape(detail)}</title>"
                   f"<text x='4' y='{y + 4}' fill='#888'>{t / 1000:6.2f} s</text>")
        if kind in ("http", "ws"):
            x1, x2 = LANES[frm], LANES[to]
            dash = " stroke-dasharray='4 3'" if css == "dropped" else ""
            out.append(f"<line x1='{x1}' y1='{y}' x2='{x2}' y2='{y}' stroke='{colour}' marker-end='url(#a)'{dash}/>"
                       f"<text x='{(x1 + x2) // 2}' y='{y - 3}' text-anchor='middle' fill='{colour}'>{escape(label)}</text>")
        elif kind == "fault":
            out.append(f"<rect x='60' y='{y - ROW // 2 + 2}' width='{WIDTH - 70}' height='{ROW - 4}' fill='#fbe0dc'/>"
                       f"<text x='{LANES['proxy']}' y='{y + 4}' text-anchor='middle' fill='{colour}'>{escape(label)}</text>")
        else:
            x = LANES[frm]
            out.append(f"<circle cx='{x}' cy='{y}' r='4' fill='{colour}'/>"
                       f"<text x='{x + 8}' y='{y + 4}' fill='{colour}'>{escape(label)}</text>")
        out.append("</g>")
    if cut:
        out.append(f"<text x='{LANES['proxy']}' y='{height - 4}' text-anchor='middle' fill='#888'>"
                   f"... the first {MAX_ROWS} rows; the timeline below has every event</text>")
    out.append("</svg>")
    return "".join(out)
