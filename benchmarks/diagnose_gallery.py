"""`sockfault diagnose` against every misconfiguration of issue 9 and a healthy deployment of each server
family, as a user sees it: each case starts its real servers (and nginx / HAProxy / mitmproxy / a TLS
front) with the e2e tests' helpers, runs the real CLI as a subprocess (NO_COLOR, a pipe: plain text),
times it, and writes a markdown gallery: per case the command, the wall time, the exit code and the table.

    .venv/bin/python benchmarks/diagnose_gallery.py [--only NAME[,NAME]] [--out FILE] [--list]

The CLI runs at its defaults (--timeout 15), so a healthy diagnosis shows the real wall time (the
heartbeat check watches what is left of the 15 s). Every process a case starts is stopped when the
case ends, on errors and Ctrl-C too. Exit code: 0 when every case got the diagnosis it should, else 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import socket
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "diagnose"))

from _servers import front, node_h2, serving  # noqa: E402
from _tls import tls_front  # noqa: E402

from harness.diagnose import SECTIONS  # noqa: E402
from harness.timeline import Timeline  # noqa: E402
from proxies.haproxy.link import HaproxyLink  # noqa: E402
from proxies.http.link import HttpLink  # noqa: E402
from proxies.nginx.link import NginxLink  # noqa: E402
from proxies.toxiproxy.link import ToxiproxyLink  # noqa: E402

SOCKFAULT = ROOT / ".venv" / "bin" / "sockfault"
ORIGIN = "http://page.example"
CORS = {"cors": {"origin": ORIGIN, "credentials": True}}
PY_CORS = {"cors_allowed_origins": [ORIGIN]}
CLI_LIMIT = 90.0            # kill a CLI run that takes longer than this (it is bounded by --timeout)


@dataclass
class Case:
    name: str
    kind: str                                   # "misconfiguration" | "healthy"
    what: str
    setup: Callable[[AsyncExitStack, Path], Awaitable[str]]    # starts everything, returns the URL
    args: list[str] = field(default_factory=list)
    url_suffix: str = ""
    fails: tuple[str, ...] = ()                 # the checks that must fail (and no other)
    section: str = ""                           # the page section of the (first) failing check
    warns: tuple[str, ...] = ()                 # warnings that belong to the case
    exit_code: int = 0
    needs: str = ""                             # "nginx" | "haproxy"


# -- what the cases start (all stopped by the exit stack) ------------------------------------------------
async def _server(stack: AsyncExitStack, spec: str, **options) -> tuple[str, int]:
    return await stack.enter_async_context(serving(spec, **options))


def direct(spec: str, **options):
    async def setup(stack, tmp):
        host, port = await _server(stack, spec, **options)
        return f"http://{host}:{port}"
    return setup


def behind(make_link, n_servers: int = 1, spec: str = "node@4.8.1", **options):
    async def setup(stack, tmp):
        servers = [await _server(stack, spec, **options) for _ in range(n_servers)]
        return await stack.enter_async_context(front(make_link(), servers))
    return setup


def tls(spec: str = "node@4.8.1", certificate: dict | None = None, **options):
    async def setup(stack, tmp):
        srv = await _server(stack, spec, **options)
        port = await stack.enter_async_context(tls_front(srv, tmp, **(certificate or {})))
        return f"https://127.0.0.1:{port}"
    return setup


def scheme_swapped(to: str):
    """https:// aimed at the plain port, or http:// at the TLS front's."""
    async def setup(stack, tmp):
        srv = await _server(stack, "node@4.8.1")
        if to == "https":
            return f"https://{srv[0]}:{srv[1]}"
        return f"http://127.0.0.1:{await stack.enter_async_context(tls_front(srv, tmp))}"
    return setup


def capped(seconds: float, **options):
    """node 4.8.1 behind the TCP proxy with the `lifetime` toxic on both streams."""
    async def setup(stack, tmp):
        srv = await _server(stack, "node@4.8.1", **options)
        link = ToxiproxyLink("net", {}, Timeline())
        url = await stack.enter_async_context(front(link, [srv]))
        for stream in ("upstream", "downstream"):
            await link.add_toxic("lifetime", stream, {"lifetime": round(seconds * 1000)}, 1.0, f"cap_{stream}")
        return url
    return setup


def h2(allow_http1: bool):
    async def setup(stack, tmp):
        host, port = await stack.enter_async_context(node_h2(tmp, allow_http1))
        return f"https://{host}:{port}"
    return setup


def tls_nginx(forwarded_proto: bool):
    """python-socketio (same-origin default) behind nginx terminating TLS (preset nginx-tls-termination)."""
    async def setup(stack, tmp):
        srv = await _server(stack, "python")
        link = NginxLink("edge", {"preset": "nginx-tls-termination", "forwarded_proto": forwarded_proto}, Timeline())
        host, port = await link.start([srv])
        stack.push_async_callback(link.stop)
        return f"https://{host}:{port}"
    return setup


HIDE_EXTENSIONS = {"addons": [{"rewrite": {"remove_response_headers": ["Sec-WebSocket-Extensions"]}}]}


async def nothing_listening(stack, tmp):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def nginx(preset: str, **opts):
    return lambda: NginxLink("edge", {"preset": preset, **opts}, Timeline())


def haproxy(preset: str):
    return lambda: HaproxyLink("h", {"preset": preset}, Timeline())


SECTION = SECTIONS              # the page headings, by key
# through a non-sticky balancer the upgrade probe of a polling session reaches the other node (400 Session ID
# unknown): a warning that points at sticky sessions, by design (docs/diagnose.md), not a second failure
MISROUTED = ("websocket",)

CASES = [
    # -- misconfigurations ------------------------------------------------------------------------------
    Case("no-cors", "misconfiguration", "node socket.io 4.8.1 without the `cors` option; the page at " + ORIGIN,
         direct("node@4.8.1"), ["--origin", ORIGIN], fails=("cors",), section="cors", exit_code=1),
    Case("nginx-missing-upgrade", "misconfiguration", "nginx without `proxy_set_header Upgrade/Connection` in "
         "front of node 4.8.1", behind(nginx("nginx-missing-upgrade")), fails=("websocket",), section="websocket",
         exit_code=1, needs="nginx"),
    Case("non-sticky-mitmproxy", "misconfiguration", "mitmproxy balancing round-robin over two node 4.8.1 servers",
         behind(lambda: HttpLink("lb", {}, Timeline()), 2), fails=("sticky",), section="sticky", warns=MISROUTED,
         exit_code=1),
    Case("non-sticky-haproxy", "misconfiguration", "HAProxy `balance roundrobin` over two node 4.8.1 servers",
         behind(haproxy("haproxy-roundrobin"), 2), fails=("sticky",), section="sticky", warns=MISROUTED, exit_code=1,
         needs="haproxy"),
    Case("haproxy-cookie", "misconfiguration", "HAProxy cookie stickiness (`cookie SERVERID insert`) over two "
         "node 4.8.1 servers: sticky only for clients that send the cookie back",
         behind(haproxy("haproxy-cookie"), 2), warns=("sticky", *MISROUTED), exit_code=0, needs="haproxy"),
    Case("wrong-path", "misconfiguration", "node 4.8.1 at path /my-custom-path/, the client at the default path",
         direct("node@4.8.1", path="/my-custom-path/"), fails=("reachable",), section="path", exit_code=1),
    Case("path-as-namespace", "misconfiguration", 'node 4.8.1 at path /my-custom-path/, the client written as '
         'io("http://host/my-custom-path/") (the page\'s caution)', direct("node@4.8.1", path="/my-custom-path/"),
         url_suffix="/my-custom-path/", fails=("path",), section="path", exit_code=1),
    Case("v2-only-server", "misconfiguration", "node socket.io 2.4.1 (EIO 3 only), the user's client 4.8.1",
         direct("node@2.4.1"), ["--client-version", "4.8.1"], fails=("versions",), section="versions", exit_code=1),
    Case("v4-without-allowEIO3", "misconfiguration", "node socket.io 4.8.1 without allowEIO3, the user's client 2.4.0",
         direct("node@4.8.1"), ["--client-version", "2.4.0"], fails=("versions",), section="versions", exit_code=1),
    Case("tiny-maxHttpBufferSize", "misconfiguration", "node 4.8.1 with maxHttpBufferSize: 1000, --intrusive",
         direct("node@4.8.1", maxHttpBufferSize=1000), ["--intrusive"], warns=("payload",), exit_code=0),
    Case("plain-websocket-silent", "misconfiguration", "a plain WebSocket server (ws) that says nothing",
         direct("plain-ws"), fails=("reachable",), section="plain-websocket", exit_code=1),
    Case("plain-websocket-greets", "misconfiguration", "a plain WebSocket server (ws) that greets with 'welcome!'",
         direct("plain-ws", greet="welcome!"), fails=("reachable",), section="plain-websocket", exit_code=1),
    Case("plain-http", "misconfiguration", "a plain HTTP server (aiohttp) on the port",
         direct("plain-http"), fails=("reachable",), section="not-reachable", exit_code=1),
    Case("nothing-listening", "misconfiguration", "a closed port", nothing_listening,
         fails=("reachable",), section="not-reachable", exit_code=2),
    Case("nginx-idle-timeout", "misconfiguration", "nginx proxy_read_timeout 0.8 s in front of node 4.8.1 with "
         "pingInterval 2000 / pingTimeout 1000",
         behind(nginx("nginx-short-read-timeout", read_timeout=0.8), pingInterval=2000, pingTimeout=1000),
         fails=("heartbeat",), section="heartbeat", exit_code=1, needs="nginx"),
    Case("https-self-signed-verified", "misconfiguration", "https with a self-signed certificate, without --insecure",
         tls(**CORS), ["--origin", ORIGIN], fails=("reachable",), section="not-reachable", exit_code=2),
    # -- beyond the page ---------------------------------------------------------------------------------
    Case("lifetime-cap", "misconfiguration", "the TCP proxy closes every connection at 1.2 s whatever the traffic "
         "(`lifetime` toxic) in front of node 4.8.1 with pingInterval 500 / pingTimeout 500",
         capped(1.2, pingInterval=500, pingTimeout=500), fails=("heartbeat",), section="beyond-cut", exit_code=1),
    Case("haproxy-no-tunnel", "misconfiguration", "HAProxy `timeout client/server 0.8s` without `timeout tunnel` "
         "in front of node 4.8.1 with pingInterval 2000 / pingTimeout 1000",
         behind(lambda: HaproxyLink("h", {"preset": "haproxy-no-tunnel", "timeout": 0.8}, Timeline()),
                pingInterval=2000, pingTimeout=1000), fails=("heartbeat",), section="heartbeat", exit_code=1,
         needs="haproxy"),
    *[Case(f"https-{name}", "misconfiguration", f"https with a certificate {what}, without --insecure",
           tls(certificate=cert), fails=("reachable", "certificate"), section="not-reachable", exit_code=2)
      for name, what, cert in (("unknown-ca", "signed by a CA nobody trusts", {"by_ca": True}),
                               ("expired", "expired yesterday (self-signed)", {"expired": True}),
                               ("wrong-name", "for localhost (self-signed), the URL 127.0.0.1", {"names": ("localhost",)}))],
    Case("https-to-plain-port", "misconfiguration", "https:// aimed at node 4.8.1's plain-HTTP port",
         scheme_swapped("https"), fails=("reachable", "certificate"), section="not-reachable", exit_code=2),
    Case("http-to-tls-port", "misconfiguration", "http:// aimed at a TLS port (a TLS front to node 4.8.1)",
         scheme_swapped("http"), fails=("reachable", "certificate"), section="not-reachable", exit_code=2),
    Case("http2-only", "misconfiguration", "socket.io 4.8.1 on Node http2.createSecureServer without allowHTTP1, "
         "--insecure (self-signed)", h2(False), ["--insecure"], fails=("reachable", "http2"),
         section="not-reachable", warns=("certificate",), exit_code=1),
    Case("compression-one-side", "misconfiguration", "mitmproxy hiding the 101's Sec-WebSocket-Extensions in front "
         "of node 4.8.1 with perMessageDeflate {threshold: 1024}",
         behind(lambda: HttpLink("edge", HIDE_EXTENSIONS, Timeline()), perMessageDeflate={"threshold": 1024}),
         fails=("compression",), section="beyond-compression", exit_code=1),
    Case("compression-one-side-v2", "misconfiguration", "the same in front of node 2.4.1 (ws 7: only messages "
         "over 1 KB are compressed)", behind(lambda: HttpLink("edge", HIDE_EXTENSIONS, Timeline()),
                                            spec="node@2.4.1", perMessageDeflate={"threshold": 1024}),
         fails=("compression",), section="beyond-compression", warns=("versions",), exit_code=1),
    Case("origin-behind-tls-termination", "misconfiguration", "python-socketio (same-origin default) behind nginx "
         "terminating TLS without X-Forwarded-Proto (preset nginx-tls-termination), --insecure",
         tls_nginx(False), ["--insecure"], fails=("origin",), section="beyond-origin-tls", warns=("certificate",),
         exit_code=1, needs="nginx"),
    # -- healthy deployments ----------------------------------------------------------------------------
    *[Case(f"healthy-{spec.replace('@', '-')}", "healthy", f"{spec} with CORS for the page, client {client}",
           direct(spec, **(PY_CORS if spec == "python" else CORS)), ["--origin", ORIGIN, "--client-version", client])
      for spec, client in (("node@4.8.1", "4.8.1"), ("node@3.1.2", "3.1.3"), ("node@2.5.1", "2.5.0"),
                           ("node@2.4.1", "2.4.0"), ("node@1.7.4", "1.7.4"), ("python", "4.8.1"))],
    Case("healthy-node-4.8.1-intrusive", "healthy", "node@4.8.1 with CORS for the page, --intrusive (the payload "
         "limit measured per transport)", direct("node@4.8.1", **CORS), ["--origin", ORIGIN, "--intrusive"]),
    Case("healthy-nginx", "healthy", "nginx-correct preset in front of node 4.8.1 with CORS",
         behind(nginx("nginx-correct"), **CORS), ["--origin", ORIGIN, "--client-version", "4.8.1"], needs="nginx"),
    Case("healthy-haproxy", "healthy", "HAProxy (haproxy-roundrobin preset) in front of one node 4.8.1 with CORS",
         behind(haproxy("haproxy-roundrobin"), **CORS), ["--origin", ORIGIN, "--client-version", "4.8.1"],
         needs="haproxy"),
    Case("healthy-https-insecure", "healthy", "https (self-signed certificate, TLS front) to node 4.8.1 with CORS, "
         "--insecure", tls(**CORS), ["--origin", ORIGIN, "--client-version", "4.8.1", "--insecure"],
         warns=("certificate",)),
    Case("healthy-http2-with-http1", "healthy", "socket.io 4.8.1 on Node http2.createSecureServer with allowHTTP1, "
         "--insecure (self-signed)", h2(True), ["--insecure"], warns=("certificate",)),
    Case("healthy-compression", "healthy", "mitmproxy passing Sec-WebSocket-Extensions in front of node 4.8.1 with "
         "perMessageDeflate {threshold: 1024}", behind(lambda: HttpLink("edge", {}, Timeline()),
                                                      perMessageDeflate={"threshold": 1024})),
    Case("healthy-tls-termination", "healthy", "python-socketio behind nginx terminating TLS with "
         "X-Forwarded-Proto, --insecure", tls_nginx(True), ["--insecure"], warns=("certificate",), needs="nginx"),
]


def unavailable(case: Case) -> str | None:
    if case.needs == "nginx":
        return NginxLink.unavailable_reason()
    if case.needs == "haproxy":
        return HaproxyLink.unavailable_reason()
    return None


# -- one case ------------------------------------------------------------------------------------------
async def run_cli(argv: list[str]) -> tuple[int, str, str, float]:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "160"}
    env.pop("FORCE_COLOR", None)
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE, env=env, cwd=ROOT)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), CLI_LIMIT)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"), time.monotonic() - started


def judge(case: Case, exit_code: int, doc: dict | None) -> list[str]:
    """What differs from the diagnosis the case should get ([] when it is right)."""
    wrong = []
    if exit_code != case.exit_code:
        wrong.append(f"exit {exit_code}, expected {case.exit_code}")
    if doc is None:
        return wrong + ["no JSON document"]
    checks = doc["checks"]
    fails = tuple(c["id"] for c in checks if c["status"] == "fail")
    warns = tuple(c["id"] for c in checks if c["status"] == "warn")
    if set(fails) != set(case.fails):
        wrong.append(f"failing {list(fails)}, expected {list(case.fails)}")
    if set(warns) - set(case.warns):
        wrong.append(f"unexpected warnings {sorted(set(warns) - set(case.warns))}")
    if case.section and case.fails:
        check = next((c for c in checks if c["id"] == case.fails[0]), None)
        if check is not None and check["section"] != SECTION[case.section]:
            wrong.append(f"{check['id']} in section {check['section']!r}, expected {SECTION[case.section]!r}")
    return wrong


async def run_case(case: Case) -> dict:
    result = {"case": case, "skipped": unavailable(case), "load": os.getloadavg()[0]}
    if result["skipped"]:
        return result
    with tempfile.TemporaryDirectory(prefix="sf-gallery-") as tmp:
        tmp_path = Path(tmp)
        json_path = tmp_path / "diagnosis.json"
        async with AsyncExitStack() as stack:
            url = await case.setup(stack, tmp_path) + case.url_suffix
            shown = ["sockfault", "diagnose", url, *case.args]
            code, out, err, wall = await run_cli([str(SOCKFAULT), *shown[1:], "--json", str(json_path)])
        doc = json.loads(json_path.read_text()) if json_path.exists() else None
    result.update(command=shlex.join(shown), exit=code, stdout=out, stderr=err, wall=wall, doc=doc,
                  wrong=judge(case, code, doc))
    return result


# -- the gallery ---------------------------------------------------------------------------------------
def _ids(doc: dict | None, status: str) -> str:
    if doc is None:
        return "?"
    return ", ".join(c["id"] for c in doc["checks"] if c["status"] == status) or "-"


def markdown(results: list[dict], total: float) -> str:
    lines = ["# `sockfault diagnose`: the gallery of issue 9", "",
             f"Generated by `benchmarks/diagnose_gallery.py` on {time.strftime('%Y-%m-%d %H:%M')} "
             f"({os.cpu_count()} cores); {len(results)} cases in {total:.0f} s. Each runs the real CLI at its defaults "
             "(--timeout 15) as a subprocess; `wall` is the subprocess's wall time (interpreter start, imports and "
             "exit included: it grows with the machine's load, the 1-minute load average when the case started), "
             "`diagnosis` the diagnosis's own `wall_s`, which --timeout bounds."
             + (" PYTHONDONTWRITEBYTECODE is set here: every CLI run compiles its sources again."
                if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""), "",
             "| case | kind | exit | wall | diagnosis | requests | fail | warn | as expected | load |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        c = r["case"]
        if r["skipped"]:
            lines.append(f"| {c.name} | {c.kind} | - | - | - | - | - | - | skipped: {r['skipped']} |")
            continue
        doc = r["doc"]
        lines.append(f"| {c.name} | {c.kind} | {r['exit']} | {r['wall']:.1f} s | "
                     f"{doc['wall_s'] if doc else '?'} s | {doc['requests'] if doc else '?'} | {_ids(doc, 'fail')} | "
                     f"{_ids(doc, 'warn')} | {'yes' if not r['wrong'] else 'NO: ' + '; '.join(r['wrong'])} | "
                     f"{r.get('load', 0):.1f} |")
    for r in results:
        c = r["case"]
        lines += ["", f"## {c.name} ({c.kind})", "", c.what, ""]
        if r["skipped"]:
            lines.append(f"skipped: {r['skipped']}")
            continue
        lines += [f"wall time **{r['wall']:.1f} s** (diagnosis {r['doc']['wall_s'] if r['doc'] else '?'} s), "
                  f"exit code **{r['exit']}**" + ("" if not r["wrong"] else f"; NOT as expected: {'; '.join(r['wrong'])}"),
                  "", "```text", f"$ {r['command']}", r["stdout"].rstrip()]
        if r["stderr"].strip():
            lines += ["--- stderr", r["stderr"].rstrip()]
        lines += ["```"]
    return "\n".join(lines) + "\n"


async def main_async(cases: list[Case], out: Path) -> int:
    results = []
    started = time.monotonic()
    for case in cases:
        print(f"== {case.name} ...", end=" ", flush=True)
        try:
            r = await run_case(case)
        except Exception as exc:             # a case that cannot start is reported, the others still run
            r = {"case": case, "skipped": None, "command": case.name, "exit": -1, "stdout": "",
                 "stderr": f"{type(exc).__name__}: {exc}", "wall": 0.0, "doc": None,
                 "wrong": [f"could not run: {type(exc).__name__}: {exc}"]}
        results.append(r)
        if r["skipped"]:
            print(f"skipped ({r['skipped']})")
        else:
            print(f"exit {r['exit']} in {r['wall']:.1f} s; fail {_ids(r['doc'], 'fail')}; "
                  f"warn {_ids(r['doc'], 'warn')}"
                  + ("" if not r["wrong"] else f"; NOT AS EXPECTED: {'; '.join(r['wrong'])}"), flush=True)
        out.write_text(markdown(results, time.monotonic() - started))    # partial results survive a crash
    print(f"gallery: {out}")
    return 1 if any(r.get("wrong") for r in results) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated case names (see --list)")
    parser.add_argument("--out", default="/tmp/diagnose-gallery.md", help="markdown file (default %(default)s)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args(argv)
    if args.list:
        for c in CASES:
            print(f"{c.name:28} {c.kind:17} {c.what}")
        return 0
    cases = CASES
    if args.only:
        wanted = [n.strip() for n in args.only.split(",")]
        unknown = sorted(set(wanted) - {c.name for c in CASES})
        if unknown:
            parser.error(f"unknown case {', '.join(unknown)} (see --list)")
        cases = [c for c in CASES if c.name in wanted]
    try:
        return asyncio.run(main_async(cases, Path(args.out)))
    except KeyboardInterrupt:
        print("interrupted (every started process was stopped)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
