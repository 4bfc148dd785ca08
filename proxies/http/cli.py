"""`sockfault proxy http`: one HttpLink standalone, printing the decoded traffic, for manual debugging.

    sockfault proxy http --upstream http://127.0.0.1:3000 --fault strip_upgrade:mode=reject
    sockfault proxy http --upstream URL1 --upstream URL2 --sticky sid --listen 127.0.0.1:8080
    sockfault proxy http --upstream URL --fault engine_packets:types=ping|pong,direction=both
    sockfault proxy http --upstream URL --engine relay

The engine is chosen as a scenario's `engine:` (proxies/http/link.py): `auto` (default) takes
the wire-speed relay when every --fault is one it applies, else mitmproxy; `relay` refuses a
fault it cannot apply; the choice is printed after the listen address.

A fault is NAME:key=value[,key=value]: values are JSON when they parse (3, true, null,
"x"), else strings; `a|b` is a list. The listen address is printed first; Ctrl-C stops.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import signal
import sys
import types
import typing
from typing import Any, Callable, TextIO
from urllib.parse import urlsplit

__all__ = ["add_arguments", "run", "parse_fault", "parse_upstream", "parse_listen", "format_event",
           "make_link", "HTTP_FAULTS", "ENGINES", "CliError"]

# the harness faults whose target is the http link (harness/faults FAULTS)
HTTP_FAULTS = ("engine_packets", "request_deadline", "strip_cors", "strip_upgrade")
KINDS = ("http",)
ENGINES = ("auto", "relay", "mitmproxy")


class CliError(ValueError):
    """A bad argument: printed as one line, exit code 2."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__.split("\n\n")[0]
    parser.add_argument("kind", choices=KINDS, help="proxy kind (http: the wire-speed relay or mitmproxy, in-process)")
    parser.add_argument("--upstream", action="append", required=True, metavar="URL",
                        help="server URL, e.g. http://127.0.0.1:3000 (repeat for several: round-robin / --sticky)")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME:key=value[,key=value]",
                        help=f"apply a fault ({', '.join(HTTP_FAULTS)}); repeatable; lists with |")
    parser.add_argument("--listen", default="127.0.0.1:0", metavar="HOST:PORT",
                        help="listen address (default 127.0.0.1:0, a free port)")
    parser.add_argument("--sticky", choices=("none", "cookie", "sid"), default=None,
                        help="with several upstreams: none (round-robin), cookie, sid")
    parser.add_argument("--engine", choices=ENGINES, default="auto",
                        help="auto (default: the relay when every --fault suits it), relay (wire speed) or mitmproxy")
    parser.add_argument("--no-ws-messages", action="store_true",
                        help="do not print WebSocket messages (upgraded connections take the fast path)")


# --- parsing ----------------------------------------------------------------------------------

def parse_upstream(url: str) -> tuple[str, int]:
    parts = urlsplit(url if "//" in url else f"http://{url}")
    if parts.scheme != "http" or not parts.hostname:
        raise CliError(f"--upstream {url!r}: expected http://HOST:PORT")
    try:
        port = parts.port or 80
    except ValueError:
        raise CliError(f"--upstream {url!r}: bad port") from None
    return parts.hostname, port


def parse_listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise CliError(f"--listen {text!r}: expected HOST:PORT (port 0 picks a free one)")
    return host.strip("[]"), int(port)


def _fault_fields(name: str) -> dict[str, Any]:
    """Field name -> type hint of a harness fault, without the link selector and private fields."""
    from harness.faults import load_fault
    cls = load_fault(name)
    hints = typing.get_type_hints(cls)
    return {f.name: hints.get(f.name, Any) for f in dataclasses.fields(cls)
            if f.init and not f.name.startswith("_") and f.name != "proxy"}


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _coerce(name: str, key: str, raw: str, hint: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):             # Optional[X], X | None
        inner = [a for a in args if a is not type(None)]
        if raw == "null" and len(inner) < len(args):
            return None
        hint = inner[0] if len(inner) == 1 else hint
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list:
        return [_coerce(name, key, part, args[0] if args else Any) for part in raw.split("|")] if raw else []
    if "|" in raw:
        raise CliError(f"fault {name}: {key} takes one value, not a list ({raw!r})")
    if origin is typing.Literal:
        if raw not in args:
            raise CliError(f"fault {name}: {key}={raw!r} (valid: {', '.join(map(str, args))})")
        return raw
    if hint is str:
        return raw
    value = _value(raw)
    if hint is bool and not isinstance(value, bool):
        raise CliError(f"fault {name}: {key}={raw!r} is not true/false")
    if hint in (int, float) and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise CliError(f"fault {name}: {key}={raw!r} is not a number")
    return value


def parse_fault(spec: str) -> tuple[str, dict[str, Any]]:
    """'engine_packets:types=ping|pong,action=drop' -> ('engine_packets', {'types': [...], 'action': 'drop'})."""
    name, _, rest = spec.partition(":")
    name = name.strip()
    if name not in HTTP_FAULTS:
        raise CliError(f"unknown fault {name!r} (valid: {', '.join(HTTP_FAULTS)})")
    fields = _fault_fields(name)
    kwargs: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, raw = item.partition("=")
        key = key.strip()
        if not eq:
            raise CliError(f"fault {name}: {item!r} is not key=value")
        if key not in fields:
            raise CliError(f"fault {name}: unknown key {key!r} (valid: {', '.join(fields)})")
        kwargs[key] = _coerce(name, key, raw.strip(), fields[key])
    return name, kwargs


# --- output -----------------------------------------------------------------------------------

def _packet(p: dict) -> str:
    data = p.get("data")
    if p.get("binary") and not isinstance(data, str):
        return f"{p.get('type')} <{p.get('binary')} bytes>"
    return f"{p.get('type')}" + (f" {data}" if data not in (None, "") else "")


def _body(body: Any) -> str:
    if isinstance(body, dict) and "packets" in body:
        return " | ".join(_packet(p) for p in body["packets"]) or "(empty)"
    if isinstance(body, dict) and "bytes" in body:
        return f"<{body['bytes']} bytes>"
    return str(body) if body not in (None, "") else ""


def _short(text: str, limit: int = 160) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def format_event(event) -> str | None:
    """One readable line per exchange / message / close; None for events not worth a line."""
    d, head = event.data, f"{event.t:9.1f} ms"
    tags = "".join(f" [{k}: {d[k]}]" for k in ("fault", "dropped", "delayed", "upstream", "error") if d.get(k) not in (None, False))
    sid = f" sid={d['sid']}" if d.get("sid") else ""
    if event.kind == "http":
        sent = f" sent: {_short(_body(d['sent']), 100)}" if d.get("sent") else ""
        body = "" if d.get("method") == "POST" and d.get("status") == 200 else _short(_body(d.get("body")))
        return (f"{head}  HTTP {d.get('method')} {d.get('transport') or d.get('path')}{sid} -> "
                f"{d.get('status')} ({d.get('ms')} ms){sent}{' <- ' + body if body else ''}{tags}")
    if event.kind == "ws_message":
        arrow = "client -> server" if d.get("from") == "client" else "server -> client"
        flags = "".join(f" [{k}]" for k in ("dropped", "injected") if d.get(k))
        return f"{head}  WS   {arrow}{sid} {_short(_packet(d.get('packet') or {}))} ({d.get('size')} B){flags}"
    if event.kind == "ws_close":
        how = f"{d.get('code')}" + (f" {d['reason']!r}" if d.get("reason") else "")
        return f"{head}  WS   close{sid} code {how} by {d.get('closed_by') or '?'}{tags}"
    if event.kind == "ws_fastpath":
        return f"{head}  WS   fast path{sid}: spliced, messages decoded on the side"
    return None


# --- run --------------------------------------------------------------------------------------

def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        upstreams = [parse_upstream(u) for u in args.upstream]
        listen = parse_listen(args.listen)
        faults = [parse_fault(spec) for spec in args.fault]
    except CliError as e:
        print(f"sockfault proxy: error: {e}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve(args, upstreams, listen, faults, out))
    except CliError as e:
        print(f"sockfault proxy: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:          # a second Ctrl-C during shutdown
        return 0


def make_link(args: argparse.Namespace, listen: tuple[str, int], faults: list, timeline) -> Any:
    """The HttpLink the arguments describe; its faults are known at start, as a scenario's (planned_faults)."""
    from proxies.http.link import HttpLink
    options: dict[str, Any] = {"listen_host": listen[0], "listen_port": listen[1],
                               "record_ws": not args.no_ws_messages, "engine": args.engine}
    if args.sticky:
        options["sticky"] = args.sticky
    link = HttpLink("cli", options, timeline)
    link.planned_faults = list(faults)
    return link


async def _serve(args, upstreams, listen, faults, out: TextIO) -> int:
    from harness.errors import HarnessError, ScenarioError
    from harness.faults import FaultContext, load_fault
    from harness.timeline import Timeline

    timeline = Timeline()
    printer: Callable = lambda e: (line := format_event(e)) and print(line, file=out, flush=True)
    built = []
    for name, kwargs in faults:
        try:
            fault = load_fault(name)(**kwargs)
            if hasattr(fault, "make_addon"):
                fault.make_addon()          # its addon's checks, before the engine is chosen from it
            built.append((name, kwargs, fault))
        except (TypeError, ValueError, HarnessError) as e:
            raise CliError(f"fault {name}: {e}") from None
    link = make_link(args, listen, [fault for _, _, fault in built], timeline)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        try:
            host, port = await link.start(upstreams)
        except ScenarioError as e:         # e.g. --engine relay with a fault only mitmproxy applies
            raise CliError(str(e)) from None
        except (HarnessError, OSError) as e:
            raise CliError(f"cannot listen on {listen[0]}:{listen[1]}: {e}") from None
        ups = ", ".join(f"http://{h}:{p}" for h, p in upstreams)
        print(f"listening on http://{host}:{port} -> {ups}", file=out, flush=True)
        started = timeline.events(kind="proxy_started")[-1].data
        print(f"engine {started['engine']} ({started['engine_reason']})", file=out, flush=True)
        ctx = FaultContext(timeline, links={"cli": link})
        for name, kwargs, fault in built:
            try:
                await fault.apply(ctx)
            except (TypeError, ValueError, HarnessError) as e:
                raise CliError(f"fault {name}: {e}") from None
            print(f"fault {name} " + " ".join(f"{k}={json.dumps(v)}" for k, v in kwargs.items()), file=out, flush=True)
        timeline.subscribe(printer)
        await stop.wait()
        print("stopping", file=out, flush=True)
        return 0
    finally:
        await link.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
