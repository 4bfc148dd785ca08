"""One self-contained HTML page (no external files; one small inline script for the filters) from the
JSON results: per case its checks, its run and its control on the wire side by side, the network view,
links to the page's sections. write_html streams the page: case by case, a timeline line by line (a
run's events are read from its Timeline as they are written), never the whole page in memory."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Iterable, Iterator

from ._matrix import matrix_tables
from ._matrix_html import MATRIX_CSS, matrix_section
from ._network import network_table
from ._wire_svg import wire_svg
from ._write import write_chunks

PAGE = "https://socket.io/docs/v4/troubleshooting-connection-issues/"

__all__ = ["write_html", "render_html"]

PAIR_CSS = ".pair{display:flex;gap:1em;align-items:flex-start}.pair>div{flex:1;min-width:0}.pair svg{width:100%;height:auto}"
_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
.reproduced,.works{background:#dff5df}.not-reproduced,.error{background:#fadada}.control-failed{background:#fbe9c8}
.skipped{background:#eee}.exposed{background:#fadada}.ok{background:#dff5df}.inconclusive{background:#fbe9c8}pre{background:#f6f6f6;padding:.5em;overflow:auto;max-height:30em;font-size:12px}
details{margin:.3em 0}h2{margin-top:2em}.muted{color:#777}
{PAIR}
table.network td{padding:1px 6px;font-size:12px}tr.bad td{color:#b02a1c}.filters select{margin-right:1em}
""".replace("{PAIR}", PAIR_CSS)

_FILTER_JS = """
function sfFilter(){var v=document.getElementById('f-verdict').value,d=document.getElementById('f-doc').value,
p=document.getElementById('f-peer').value.toLowerCase();
document.querySelectorAll('[data-verdict]').forEach(function(el){
var ok=(!v||el.dataset.verdict===v)&&(!d||el.dataset.doc===d)&&(!p||el.dataset.peers.toLowerCase().indexOf(p)>=0);
el.style.display=ok?'':'none';});}
"""


def section_link(doc: str) -> str:
    """The page's section a doc heading names, as a link (GitHub-style anchor)."""
    import re
    anchor = re.sub(r"[^a-z0-9 -]", "", doc.lower()).strip().replace(" ", "-")
    return f"<a href='{PAGE}#{escape(anchor)}'>{escape(doc)}</a>"


def _cls(verdict: str) -> str:
    return verdict.replace(" ", "-")


def _timeline(summary: str, events: Iterable[dict]) -> Iterator[str]:
    """Every event, one line each (the page shows them all), inside a closed <details>."""
    yield f"<details><summary>{summary}</summary><pre>"
    separator = ""
    for e in events:
        yield f"{separator}{e['t']:10.1f} ms  {e['source']:<12} {e['kind']:<16} {escape(str(e['data'])[:300])}"
        separator = "\n"
    yield "</pre></details>"


def _pictures(main: Iterable[dict], control: Iterable[dict] | None, open_: bool = False) -> str:
    """The run and its control on the wire, side by side (hover a row for its decoded packets)."""
    left, right = wire_svg(main), wire_svg(control) if control is not None else ""
    if not left and not right:
        return ""
    cells = f"<div><b>the run</b>{left or '<p class=muted>nothing on the wire</p>'}</div>"
    if control is not None:
        cells += f"<div><b>the control</b>{right or '<p class=muted>nothing on the wire</p>'}</div>"
    return f"<details{' open' if open_ else ''}><summary>on the wire</summary><div class='pair'>{cells}</div></details>"


def _networks(main: Iterable[dict], control: Iterable[dict] | None) -> str:
    left, right = network_table(main), network_table(control) if control is not None else ""
    if not left and not right:
        return ""
    cells = f"<div><b>the run</b>{left}</div>" + (f"<div><b>the control</b>{right}</div>" if control is not None else "")
    return f"<details><summary>network (as the browser's network panel)</summary><div class='pair'>{cells}</div></details>"


def _checks(checks: list[dict]) -> str:
    rows = "".join(f"<tr><td>line {c['line']}</td><td>{escape(c['symptom'])}</td>"
                   f"<td>{'present' if c['present'] else 'absent'}</td><td>{escape(c['text'])}</td></tr>"
                   for c in checks)
    return f"<table><tr><th></th><th>symptom</th><th></th><th>evidence</th></tr>{rows}</table>" if rows else ""


def _commands(commands: list[dict]) -> str:
    """What the scenario file made sockfault execute (its app: / command: entries): nothing else is."""
    rows = "".join(f"<tr><td>{escape(c['peer'])}{' (control)' if c.get('run') == 'control' else ''}</td>"
                   f"<td>{escape(c['kind'])}</td><td><code>{escape(' '.join(c['argv']))}</code></td>"
                   f"<td>{escape(str(c.get('cwd') or ''))}</td>"
                   f"<td>{escape(' '.join(f'{k}={v}' for k, v in (c.get('env') or {}).items()))}</td></tr>"
                   for c in commands)
    return (f"<table class='commands'><tr><th>ran</th><th></th><th>command</th><th>cwd</th><th>env</th></tr>{rows}</table>"
            if rows else "")


def _scenario(entry: dict) -> Iterator[str]:
    """The case's section, in pieces: its timelines are streamed, not joined."""
    control = entry.get("control")
    peers = ", ".join(f"{k}: {v.get('peer')} ({v.get('impl')} {v.get('version')}"
                      + (f"; observed: {v['observed']}" if v.get("observed") else "") + ")"
                      for k, v in entry["peers"].items())
    parts = [
        f"<section data-verdict='{escape(entry['verdict'])}' data-doc='{escape(entry['doc'])}' "
        f"data-peers='{escape(peers)}'>",
        f"<h3 id='{escape(entry['scenario'])}' class='{_cls(entry['verdict'])}'>{escape(entry['scenario'])} "
        f"&mdash; {escape(entry['verdict'])}</h3>",
        f"<p><b>{section_link(entry['doc'])}</b> <span class='muted'>{escape(entry['file'])}:{entry['line']} &middot; "
        f"{escape(entry['timing'])} &middot; {entry['duration_s']} s</span><br>{escape(entry['reason'])}</p>",
        f"<p class='muted'>peers: {escape(peers)}</p>", _commands(entry.get("commands") or []),
        _checks(entry["evidence"]),
    ]
    if control:
        parts += ["<p><b>control</b>: " + escape(str(control["result"])) + "</p>",
                  _checks(control["checks"] + control["control_checks"])]
    timeline_c = control["timeline"] if control else None
    parts += [_pictures(entry["run"]["timeline"], timeline_c, open_=entry["verdict"] not in ("reproduced", "works")),
              _networks(entry["run"]["timeline"], timeline_c)]
    yield "\n".join(parts)
    yield "\n"
    yield from _timeline("timeline", entry["run"]["timeline"])
    if control:
        yield "\n"
        yield from _timeline("control timeline", control["timeline"])
    yield "\n</section>"


def _matrix(name: str, table: dict) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table["clients"])
    rows = []
    for server in table["servers"]:
        cells = "".join(
            f"<td class='{_cls(table['cells'].get((server, c), 'skipped'))}'>"
            + (f"<a href='#{escape(table['ids'][(server, c)])}'>{escape(table['cells'][(server, c)])}</a>"
               if (server, c) in table["cells"] else "—") + "</td>"
            for c in table["clients"])
        rows.append(f"<tr><th>{escape(server)}</th>{cells}</tr>")
    return f"<h3>{escape(name)}</h3><table><tr><th>server \\ client</th>{head}</tr>{''.join(rows)}</table>"


def _check_section(check: dict) -> str:
    """sockfault check: what the app's users would see, per check, before the scenario details."""
    app = check.get("app", {})
    rows = []
    for c in check.get("checks", []):
        cells = "<br>".join(f"{escape(x['case'])}: <b>{escape(x['state'])}</b> {escape(x['evidence'][:400])}"
                            for x in c.get("cells", [])) or escape(c.get("skipped") or "")
        users = escape(c["users_see"]) if c["state"] == "exposed" else ""
        fix = escape(c["fix"]) if c["state"] == "exposed" else ""
        rows.append(f"<tr class='{_cls(c['state'])}'><td>{escape(c['state'])}</td><td>{escape(c['title'])}<br>"
                    f"<span class='muted'>{escape(c['doc'])}</span></td><td>{users}</td><td>{cells}</td><td>{fix}</td></tr>")
    head = (f"<p>{escape(str(app.get('label')))}: {escape(str(app.get('impl')))} {escape(str(app.get('version')))}, "
            f"pingInterval {app.get('ping_interval')} ms + pingTimeout {app.get('ping_timeout')} ms, "
            f"maxPayload {app.get('max_payload')}</p>")
    return (f"<h2>Your app</h2>{head}<table><tr><th></th><th>check</th><th>your users see</th><th>measured</th>"
            f"<th>fix</th></tr>{''.join(rows)}</table>")


def render_html(document: dict) -> str:
    return "".join(_page(document))


def _page(document: dict) -> Iterator[str]:
    scenarios = document["scenarios"]
    by_section = sorted(scenarios, key=lambda s: s["doc"])   # stable: file order within a section
    summary = "".join(
        f"<tr class='{_cls(s['verdict'])}' data-verdict='{escape(s['verdict'])}' data-doc='{escape(s['doc'])}' "
        f"data-peers='{escape(' '.join(str(v.get('peer')) for v in s['peers'].values()))}'><td>{section_link(s['doc'])}</td>"
        f"<td><a href='#{escape(s['scenario'])}'>{escape(s['scenario'])}</a></td>"
        f"<td>{escape(s['verdict'])}</td><td>{escape(s['symptom'])}</td><td>{s['duration_s']}</td></tr>"
        for s in by_section)
    errors = "".join(f"<li>{escape(e['message'])}</li>" for e in document.get("load_errors", []))
    matrices = "".join(_matrix(n, t) for n, t in matrix_tables(scenarios).items())
    counts = ", ".join(f"{v}: {n}" for v, n in document["summary"].items())
    compat = document.get("matrix")
    yield (f"<!doctype html><html><head><meta charset='utf-8'><title>sockfault report</title>"
           f"<style>{_CSS}{MATRIX_CSS if compat else ''}</style>"
           f"</head><body><h1>sockfault report</h1><p class='muted'>{escape(document['created'])} &middot; "
           f"sockfault {escape(document['version'])} &middot; {escape(counts)}</p>"
           + (f"<h2>Scenario files that did not load</h2><ul>{errors}</ul>" if errors else "")
           + (_check_section(document["check"]) if document.get("check") else "")
           + _filters(scenarios)
           + f"<h2>Summary</h2><table><tr><th>troubleshooting section</th><th>scenario</th><th>verdict</th><th>symptom</th>"
           f"<th>s</th></tr>{summary}</table>"
           + (f"<h2>Version matrices</h2>{matrices}" if matrices else "")
           + (f"<h2>Compatibility matrix (sockfault matrix)</h2>{matrix_section(compat)}" if compat else "")
           + "<h2>Scenarios</h2>")
    for i, entry in enumerate(by_section):
        if i:
            yield "\n"
        yield from _scenario(entry)
    yield "</body></html>"


def _filters(scenarios: list[dict]) -> str:
    """Select boxes that hide the cases (summary rows and sections) of other verdicts, sections, peers."""
    def options(values):
        return "<option value=''>all</option>" + "".join(f"<option>{escape(v)}</option>" for v in sorted(set(values)))
    return (f"<script>{_FILTER_JS}</script><p class='filters'>filter: verdict <select id='f-verdict' onchange='sfFilter()'>"
            f"{options(s['verdict'] for s in scenarios)}</select> section <select id='f-doc' onchange='sfFilter()'>"
            f"{options(s['doc'] for s in scenarios)}</select> peer <input id='f-peer' oninput='sfFilter()' "
            "placeholder='e.g. node@2.4'></p>")


def write_html(path: str | Path, document: dict) -> None:
    write_chunks(path, _page(document), per_write=64)   # a timeline line is up to ~2 KB
