"""`sockfault matrix`: exit 0 when every cell ran (works or fails, as measured), 1 when a cell errored."""

from __future__ import annotations

import sys

from .._shard import select_shard

__all__ = ["add_arguments", "run"]

FAMILIES = ("node", "python", "java")          # browser clients on request: they cost a Chromium each


def add_arguments(parser) -> None:
    parser.add_argument("--clients", help="comma-separated client peers (default: every installed node, python and "
                                          "java client)")
    parser.add_argument("--servers", help="comma-separated server peers (default: every installed node and python server)")
    parser.add_argument("--transports", default="default,polling,websocket", help="default,polling,websocket")
    parser.add_argument("--payloads", default="ascii,utf8,binary", help="ascii,utf8,binary")
    parser.add_argument("--json", dest="json_path", help="write the cells as JSON (schema sockfault-matrix/1)")
    parser.add_argument("--junit", dest="junit_path", help="write JUnit XML")
    parser.add_argument("--html", dest="html_path", help="write the matrix as a self-contained HTML page")
    parser.add_argument("--shard", help="K/N: run only this shard's cells (stable, balanced by --durations)")
    parser.add_argument("--durations", help="a results JSON or {id: seconds} map (default reports/durations.json)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="cells run at once (default 2)")


def _installed(role: str) -> list[str]:
    """The peers of FAMILIES this machine can run ("node@4.8.1: socket.io 4.8.1" rows, not the unavailable)."""
    from ..peers import installed_peers
    rows = installed_peers()[role]
    return [row.split(": ", 1)[0] for row in rows if row.split("@")[0] in FAMILIES
            and "UNAVAILABLE" not in row and "NOT INSTALLED" not in row]


def _split(text: str | None, choices: list[str] | None, what: str) -> list[str]:
    if not text:
        return list(choices or [])
    items = [t.strip() for t in text.split(",") if t.strip()]
    if choices is not None:
        unknown = [i for i in items if i not in choices]
        if unknown:
            raise SystemExit(f"sockfault matrix: unknown {what} {', '.join(unknown)} (valid: {', '.join(choices)})")
    return items


def run(args) -> int:
    from .._interrupt import run_interruptibly
    from ..peers._reaper import install_signal_handlers
    from ._cells import PAYLOADS, TRANSPORTS, cells
    from ._run import document, run_matrix
    from ..report._matrix_html import write_matrix_html
    from ..report._outputs import write_outputs

    transports = _split(args.transports, list(TRANSPORTS), "transport")
    payloads = _split(args.payloads, list(PAYLOADS), "payload")
    clients = _split(args.clients, None, "client") or _installed("client")
    servers = _split(args.servers, None, "server") or _installed("server")
    selected = cells(clients, servers, transports)
    if args.shard:
        try:
            selected = select_shard(selected, lambda c: c.id, args.shard, args.durations)
        except ValueError as exc:
            print(f"sockfault matrix: {exc}", file=sys.stderr)
            return 2
    print(f"{len(selected)} cells: {len(clients)} clients x {len(servers)} servers x {len(transports)} transports"
          + (f" (shard {args.shard})" if args.shard else ""), flush=True)

    def progress(done, total, m):
        flag = "" if m.agrees is not False else "   <- the page says " + m.cell.page
        print(f"[{done:>3}/{total}] {m.result:<6} {m.duration_s:5.2f} s  {m.cell.id}"
              + (f": {m.symptom[:140]}" if m.symptom else "") + flag, flush=True)

    install_signal_handlers()
    measured = run_interruptibly(run_matrix(selected, payloads, args.jobs, progress), "every peer was stopped")
    if isinstance(measured, int):      # interrupted: run_interruptibly's exit code
        return measured
    doc = document(measured, {"clients": clients, "servers": servers, "transports": transports,
                              "payloads": payloads, "shard": args.shard})
    s = doc["summary"]
    print(f"{s['cells']} cells: {s['works']} work, {s['fails']} fail, {s['error']} errors; "
          f"{s['disagree_with_page']} disagree with the page")
    write_outputs(doc, json_path=args.json_path, html_path=args.html_path, junit_path=args.junit_path,
                  html=write_matrix_html)
    return 1 if s["error"] else 0
