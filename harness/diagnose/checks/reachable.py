"""Reachable: the page's `curl "<url>/socket.io/?EIO=4&transport=polling"`, and when no open packet
comes back, what answered instead (nothing, a timeout, a TLS mismatch, a plain HTTP server, a plain
WebSocket server that answers 426 or accepts and greets)."""

from __future__ import annotations

from harness.probe import network_failure, not_socketio
from harness.protocol import ErrorCode

from .._model import FAIL, PASS, Check, Evidence
from .._target import DEFAULT_PATH, Target

TITLE = "Engine.IO handshake"


def _paths(t: Target) -> list[str]:
    """Where to look: the given path, then the default, then the URL's own path."""
    out = [t.wanted_path]
    for p in (DEFAULT_PATH, t.url_path):
        if p and p not in out:
            out.append(p)
    return out


async def run(t: Target) -> Check:
    check = Check("reachable", TITLE, "not-reachable")
    first = None
    for path in _paths(t):
        hs = await t.handshake(4, path=path)
        t.tried[path] = hs
        check.evidence.append(Evidence.of(hs, headers=("server",)))
        first = first or hs
        if hs.open is not None:
            t.server_path, t.open4, t.hello = path, hs, hs
            break
        if hs.error is not None and hs.error.code == ErrorCode.CONNECTION_FAILED:
            break                                    # the same host: another path will not answer either
        if hs.error is not None and hs.error.family in ("node", "python", "node-upgrade"):
            t.server_path, t.open4 = path, hs        # an Engine.IO server that refuses EIO=4 (v2? v1?)
            break
    if t.server_path is not None:
        hs3 = await t.handshake(3, path=t.server_path)
        check.evidence.append(Evidence.of(hs3))
        t.open3 = hs3
        if t.hello is None and hs3.open is not None:
            t.hello = hs3
    if t.hello is not None:
        o = t.hello.open
        check.facts.update(path=t.server_path, eio=t.hello.server_eio or t.hello.eio, sid=o.sid,
                           open=o.to_dict(), server=t.hello.headers.get("server"))
        where = f"{t.base}{t.server_path}"
        return check.set(PASS, f"{where} answered the Engine.IO handshake (EIO={check.facts['eio']}, "
                               f"sid {o.sid[:8]}...)")
    if t.server_path is not None:
        check.facts.update(answered="engine.io-refusal", path=t.server_path)
        return check.set(FAIL, f"an Engine.IO server at {t.base}{t.server_path} refuses both handshakes: "
                               f"EIO=4 {t.open4.error}; EIO=3 {t.open3.error}",
                         "An allowRequest hook, a middleware or a firewall rule refuses this client.")
    return await _not_socketio(t, check, first)


async def _not_socketio(t: Target, check: Check, first) -> Check:
    """No open packet anywhere: say what answered."""
    if first.status is None:
        kind, sentence = network_failure(first.error.message if first.error else "")
        check.facts.update(answered="nothing", failure=kind)
        advice = {"refused": "Start the server, or check the host and port (and what a container publishes).",
                  "timeout": "Check firewalls / security groups between here and the server; a hung server.",
                  "certificate": "Use a trusted certificate, or pass --insecure to diagnose anyway (browsers "
                                 "and Node clients at their defaults refuse it too).",
                  "tls-mismatch": "Use http://, or put TLS in front of this port.",
                  "disconnected": "Use https:// if the port speaks TLS.",
                  "dns": "Check the host name.",
                  "no-alpn": "Let HTTP/1.1 clients in (Node: http2.createSecureServer({allowHTTP1: true}))."}.get(kind, "")
        if kind != "no-alpn":          # an HTTP/2-only server answers, not in HTTP/1.1: the HTTP/2 check says so
            t.unreachable = kind
        return check.set(FAIL, f"no HTTP answer from {t.base}: {sentence}", advice)
    # something answered over HTTP: is it a WebSocket server?
    ws = await t.upgrade(path=t.wanted_path, timeout=2.0)
    check.evidence.append(Evidence.of(ws))
    what = not_socketio(first) or f"HTTP {first.status}"
    greets = [f.get("data") for f in ws.frames if "packet" not in f and f.get("data") is not None]
    if ws.status == 101 and (greets or not ws.frames):
        check.section = "plain-websocket"
        check.facts.update(answered="plain-websocket", greeting=greets[0][:200] if greets else None)
        said = f" and greets with {greets[0][:60]!r}" if greets else " and stays silent (no Engine.IO open packet)"
        got = f"HTTP {first.status}" + (" Upgrade Required" if first.status == 426 else "")
        return check.set(FAIL, f"a plain WebSocket server, not Socket.IO: the polling handshake got {got}; "
                               f"a WebSocket upgrade is accepted{said}",
                         "A Socket.IO client cannot talk to a plain WebSocket server: use a Socket.IO server, or "
                         "a plain WebSocket client.")
    if first.error is not None and first.error.code == ErrorCode.UPGRADE_REQUIRED:
        check.section = "plain-websocket"
        check.facts.update(answered="plain-websocket")
        return check.set(FAIL, what, "A Socket.IO client cannot talk to a plain WebSocket server.")
    check.facts.update(answered="plain-http", status=first.status, server=first.headers.get("server"))
    if first.status == 404:
        check.section = "path"
        return check.set(FAIL, f"HTTP 404 at {', '.join(_paths(t))}: no Socket.IO server at these paths"
                               f"{', server: ' + first.headers['server'] if 'server' in first.headers else ''}",
                         "Check the server's `path` option (--path P) and that the server is mounted here.")
    return check.set(FAIL, what, "This URL is served by something that is not Socket.IO: a proxy's "
                                   "default page, a static site, another app on the port.")
