"""The compatibility matrix as a page people look at: one grid per transport (clients down, servers
across), each cell coloured by what was measured, marked where the page's table says otherwise,
and every disagreement explained below with its symptom and payload details."""

from __future__ import annotations

from html import escape
from pathlib import Path

__all__ = ["render_matrix_html", "write_matrix_html", "explain", "matrix_section", "MATRIX_CSS"]

MATRIX_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1400px}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:center}
th{background:#f4f4f4}td.works{background:#d8f2d8}td.fails{background:#f8d4d4}td.error{background:#eee}
td.disagree{outline:3px solid #d08000;outline-offset:-3px}.page{display:block;font-size:11px;color:#555}
.flag{color:#b06000;font-weight:bold}.muted{color:#777}li{margin:.3em 0}code{background:#f4f4f4;padding:0 3px}
"""


def _column(c: dict) -> str:
    return c["server"] + (" +allowEIO3" if c["allow_eio3"] else "")


def _anchor(c: dict) -> str:
    import re
    return "cell-" + re.sub(r"[^a-z0-9]+", "-", c["cell"].lower()).strip("-")


def _evidence(cells: list[dict]) -> str:
    """Every cell's evidence, each the target of its grid cell's link."""
    rows = []
    for c in cells:
        payloads = "; ".join(f"{k}: {v['to_server']} to the server, {v['to_client']} back, ack {v['ack']}"
                             for k, v in c["payloads"].items())
        rows.append(f"<tr id='{_anchor(c)}' class='{c['result']}'><td>{escape(c['cell'])}</td><td>{c['result']}</td>"
                    f"<td>{escape(c['page'])}</td><td>{escape(c['symptom'] or payloads)}</td>"
                    f"<td>{escape(str(c.get('transport_at_end') or ''))}{' (upgraded)' if c.get('upgraded') else ''}</td>"
                    f"<td>{c['duration_s']} s</td></tr>")
    return ("<h2>Every cell's evidence</h2><table><tr><th>cell</th><th>measured</th><th>page</th><th>symptom / "
            "payloads</th><th>transport</th><th>run</th></tr>" + "".join(rows) + "</table>")


def explain(c: dict) -> str:
    """Why a cell disagrees with the page, in one sentence from what was measured."""
    if c["result"] == "works":
        payloads = ", ".join(f"{k} intact both ways" for k in c["payloads"])
        how = f"connects over {c['transport_at_end'] or c['transport']}" + (f", {payloads}" if payloads else "")
        return (f"the page says NO, but the client {how}: the wire is finer than the table "
                "(the Engine.IO revision is the same, so the handshake and framing agree)")
    return f"the page says YES, but measured: {c['symptom'] or 'no connection'}"


def render_matrix_html(doc: dict) -> str:
    return (f"<!doctype html><meta charset='utf-8'><title>sockfault matrix</title><style>{MATRIX_CSS}</style>"
            "<h1>Compatibility matrix, measured</h1>\n" + matrix_section(doc))


def matrix_section(doc: dict) -> str:
    """The grids, the disagreements and the symptoms: the body of the matrix page, or a section."""
    cells = doc["cells"]
    transports = list(dict.fromkeys(c["transport"] for c in cells))
    s = doc["summary"]
    parts = [f"<p>{s['cells']} cells: <b>{s['works']}</b> work, <b>{s['fails']}</b> fail, {s['error']} errors; "
             f"<span class='flag'>{s['disagree_with_page']}</span> disagree with the troubleshooting page's tables. "
             f"<span class='muted'>{escape(doc['created'])} &middot; sockfault {escape(str(doc['version']))} &middot; "
             f"payloads: {escape(', '.join(doc['options'].get('payloads') or []))}</span></p>"]
    for transport in transports:
        mine = [c for c in cells if c["transport"] == transport]
        clients = list(dict.fromkeys(c["client"] for c in mine))
        columns = list(dict.fromkeys(_column(c) for c in mine))
        grid = {(c["client"], _column(c)): c for c in mine}
        head = "".join(f"<th>{escape(col)}</th>" for col in columns)
        rows = []
        for client in clients:
            tds = []
            for col in columns:
                c = grid.get((client, col))
                if c is None:
                    tds.append("<td class='muted'>-</td>")
                    continue
                disagree = c["agrees"] is False
                title = escape(c["symptom"] or (f"on {c['transport_at_end']}" if c["transport_at_end"] else ""))
                upgraded = " &uarr;ws" if c.get("upgraded") else ""
                tds.append(f"<td class='{c['result']}{' disagree' if disagree else ''}' title='{title}'>"
                           f"<a href='#{_anchor(c)}'>{c['result']}</a>{upgraded}"
                           f"{' <span class=flag>&ne; page</span>' if disagree else ''}"
                           f"<span class='page'>page: {escape(c['page'])}</span></td>")
            rows.append(f"<tr><th>{escape(client)}</th>{''.join(tds)}</tr>")
        parts.append(f"<h2>transport: {escape(transport)}</h2><table><tr><th>client \\ server</th>{head}</tr>"
                     + "".join(rows) + "</table>")
    disagreements = [c for c in cells if c["agrees"] is False]
    if disagreements:
        parts.append("<h2>Where the wire and the page disagree</h2><ul>")
        parts += [f"<li><b>{escape(c['cell'])}</b>: {escape(explain(c))}</li>" for c in disagreements]
        parts.append("</ul>")
    failing = [c for c in cells if c["result"] != "works"]
    if failing:
        parts.append("<h2>Symptoms of the cells that fail</h2><ul>")
        parts += [f"<li><b>{escape(c['cell'])}</b>: {escape(c['symptom'])}</li>" for c in failing]
        parts.append("</ul>")
    parts.append(_evidence(cells))
    for item in doc.get("not_measured", []):
        rows = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row.values()) + "</tr>"
                       for row in item["rows"])
        head = "".join(f"<th>{escape(k)}</th>" for k in item["rows"][0])
        parts.append(f"<h2>{escape(item['table'])} (the page's table, {escape(item['reason'])})</h2>"
                     f"<table><tr>{head}</tr>{rows}</table>")
    return "\n".join(parts) + "\n"


def write_matrix_html(path: str | Path, doc: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_matrix_html(doc))
