"""`sockfault check --server "node index.js"`: every applicable check against the user's app.

Exit 0 when every check ran; 2 when the app could not be started or reached; 1 when a check
could not run (an error) or, with --strict, when the app is exposed to any failure.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import replace

from ..errors import HarnessError
from ._app import app_mapping, look_at
from ._outcome import CheckOutcome, outcome_of
from ._templates import load_checks

__all__ = ["add_arguments", "run"]

DEFAULT_CLIENTS = "node@2.4.0,node@3.1.3,node@4.8.1,browser@4.8.1"


def add_arguments(parser) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--server", help='the app\'s own start command, shell-free: "node index.js"')
    where.add_argument("--url", help="an app that is already running (sockfault starts nothing)")
    parser.add_argument("--cwd", help="the app's folder (default: here)")
    ports = parser.add_mutually_exclusive_group()
    ports.add_argument("--port-env", metavar="NAME", help="the variable the app reads its port from (default PORT)")
    ports.add_argument("--port", type=int, help="the fixed port the app always listens on")
    parser.add_argument("--path", help="where its Socket.IO answers (default /socket.io/)")
    parser.add_argument("--page", help="the app's own page (a path on the app) to check in Chromium")
    parser.add_argument("--clients", default=DEFAULT_CLIENTS, help=f"client peers to try (default {DEFAULT_CLIENTS})")
    parser.add_argument("--only", help="comma-separated check names")
    parser.add_argument("--no-hook", action="store_true", help="observe the app from the wire only")
    parser.add_argument("--start-timeout", type=float, help="seconds the app has to answer (default 20)")
    parser.add_argument("--single-instance", action="store_true",
                        help="the app refuses a second instance in its folder (a lock file, a database): run one at a "
                             "time, skip the two-instance check")
    parser.add_argument("--json", dest="json_path", help="write the results as JSON")
    parser.add_argument("--html", dest="html_path", help="write a self-contained HTML report")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the app is exposed to any failure (CI)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="checks run at once (default 2)")


def run(args) -> int:
    from .._interrupt import run_interruptibly
    from ..peers._reaper import install_signal_handlers
    install_signal_handlers()
    return run_interruptibly(_check(args), "the app and every peer were stopped")


def _client_for(facts, clients: list[str]) -> str:
    """A node client the app speaks: the newest of --clients with the app's major (socket.io) or 4.x."""
    node = [c for c in clients if c.startswith("node@")] or ["node@4.8.1"]
    want = str(facts.major) if facts.impl == "socket.io" and facts.major in (2, 3) else "4"
    same = [c for c in node if c.split("@", 1)[1].startswith(want + ".")]
    return (same or node)[-1]


def _browser_for(facts, clients: list[str]) -> str:
    """A browser client the app speaks: one of --clients with the node client's major, else the bundle of
    that node client's version (every installed client has one). A 4.x bundle against a socket.io 2 app
    only shows the version mismatch ("server error"), which the CORS and background-tab checks misread."""
    node = _client_for(facts, clients)
    major = node.split("@", 1)[1].split(".", 1)[0]
    browsers = [c for c in clients if c.startswith("browser@")]
    same = [c for c in browsers if c.split("@", 1)[1].split(".", 1)[0] == major]
    return same[-1] if same else "browser@" + node.split("@", 1)[1]


def _at_path(case, path: str | None):
    """--path reaches the clients too (`io(url, {path})`), not only the ready check; a page finds its own."""
    if case is None or not path or path.rstrip("/") == "/socket.io":
        return case
    clients = tuple(c if c.page or "path" in c.options else replace(c, options={**c.options, "path": path.rstrip("/")})
                    for c in case.clients)
    return replace(case, clients=clients, control=_at_path(case.control, path))


async def _check(args) -> int:
    from ..report import results_document
    from ..report._outputs import write_outputs
    from ..runner import Session

    raw = app_mapping(args)
    started = time.monotonic()
    try:
        facts = await look_at(raw)
    except HarnessError as exc:
        print(f"sockfault check: the app could not be started or reached:\n{exc}", file=sys.stderr)
        return 2
    clients = [c.strip() for c in args.clients.split(",") if c.strip()]
    browsers = [c for c in clients if c.startswith("browser@")]
    have = {"hook"} if facts.hook else set()
    if not raw.get("port") and not raw.get("url") and not raw.get("single_instance"):
        have.add("two_instances")
    if browsers:
        have.add("browser")
    if args.page:
        have.add("page")
    if facts.max_payload and facts.max_payload <= 10_000_000:
        have.add("max_payload")
    values = {"$app": raw, "$client": _client_for(facts, clients), "$clients": [c for c in clients if not c.startswith("browser@")] or ["node@4.8.1"],
              "$browser": _browser_for(facts, clients), "$page": args.page or "/",
              "$over_payload": (facts.max_payload or 0) + 1}
    only = [n.strip() for n in args.only.split(",")] if args.only else None
    checks = [replace(info, cases=tuple(_at_path(c, args.path) for c in info.cases))
              for info in load_checks(values, have, only)]
    _header(facts, values["$client"])
    outcomes: list[CheckOutcome] = []
    results = []
    async with Session() as session:
        # one instance at a time: checks one after the other too (waiting for the app's turn inside a
        # case would eat that case's own timeout)
        gate = asyncio.Semaphore(1 if raw.get("single_instance") else max(1, args.jobs))

        async def one(case):
            async with gate:
                return await session.run(case)

        for info in checks:
            case_results = list(await asyncio.gather(*(one(c) for c in info.cases))) if info.cases else []
            results += case_results
            outcome = outcome_of(info, case_results)
            outcomes.append(outcome)
            print(outcome.text(), flush=True)
    seconds = time.monotonic() - started
    exposed = [o for o in outcomes if o.state == "exposed"]
    broken = [o for o in outcomes if o.state == "inconclusive"]
    print(f"\n{len(outcomes)} checks in {seconds:.1f} s: {len(exposed)} exposed, "
          f"{sum(o.state == 'ok' for o in outcomes)} ok, {len(broken)} inconclusive, "
          f"{sum(o.state == 'skipped' for o in outcomes)} skipped")
    document = results_document(results)
    document["check"] = {"app": facts.to_dict(), "client": values["$client"], "seconds": round(seconds, 1),
                         "checks": [o.to_dict() for o in outcomes]}
    write_outputs(document, json_path=args.json_path, html_path=args.html_path)
    if broken or (args.strict and exposed):
        return 1
    return 0


def _header(facts, client: str) -> None:
    what = f"{facts.impl} {facts.version}" if facts.impl else "unknown server (no hook)"
    print(f"sockfault check: {facts.label} ({what}; hook: {'yes' if facts.hook else 'no'}; "
          f"ready in {facts.ready_ms} ms)")
    if facts.ping_interval is not None and facts.ping_timeout is not None:
        total = (facts.ping_interval + facts.ping_timeout) / 1000
        print(f"  advertises pingInterval {facts.ping_interval} ms + pingTimeout {facts.ping_timeout} ms: a silent "
              f"client is dropped after {total:.1f} s (the page's defaults: 25 + 20 = 45 s in v4, 30 s in v2 < 2.5)")
    if facts.max_payload:
        print(f"  payload limit (maxHttpBufferSize): {facts.max_payload} bytes")
    print(f"  checks run in compressed time (heartbeats scaled x1/40 through the hook); main client {client}\n")
