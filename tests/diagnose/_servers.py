"""Bundled server peers (Node socket.io 1.x-4.x, python-socketio, plain WebSocket / HTTP) started
with the options a scenario would give, and a proxy link in front of them, for `sockfault diagnose`
to look at; stopped at exit."""

from __future__ import annotations

from contextlib import asynccontextmanager

from harness.peers import PeerProcess, resolve_peer


@asynccontextmanager
async def serving(spec: str, **options):
    """Yield (host, port) of a started server peer."""
    peer = await PeerProcess.spawn(resolve_peer(spec, "server"))
    try:
        await peer.wait_hello(20)
        event = await peer.request({"cmd": "start", "host": "127.0.0.1", "port": 0, "options": options,
                                    "namespaces": ["/"]}, {"listening"}, 20)
        yield "127.0.0.1", int(event["port"])
    finally:
        await peer.stop()


@asynccontextmanager
async def front(link, upstreams):
    """Yield the http URL of a started proxy link (nginx, HAProxy, mitmproxy) in front of upstreams."""
    host, port = await link.start(upstreams)
    try:
        yield f"http://{host}:{port}"
    finally:
        await link.stop()


@asynccontextmanager
async def node_h2(folder, allow_http1: bool):
    """Yield (host, port) of socket.io 4.8.1 on Node's http2.createSecureServer (self-signed certificate),
    with or without allowHTTP1; the process is killed at exit."""
    import asyncio
    import json
    from pathlib import Path

    from _tls import self_signed
    cert, key = self_signed(Path(folder))
    proc = await asyncio.create_subprocess_exec(
        "node", str(Path(__file__).with_name("h2_server.js")), str(cert), str(key), str(allow_http1).lower(),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 20)
        yield "127.0.0.1", json.loads(line)["port"]
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
