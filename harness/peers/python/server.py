"""python-socketio AsyncServer on aiohttp as a JSON-lines server peer."""
from importlib.metadata import version
import os
import ssl
import tempfile
import time
from urllib.parse import parse_qs

import socketio
from aiohttp import web

from ._compat import advertised_ping_interval_ms, emit_to, on_any, server_transport, shutdown
from ._jsonlines import jsonable, out, run, size_of

out("hello", role="server", impl="python-socketio", version=version("python-socketio"),
    engineio=version("python-engineio"), pid=os.getpid())

# Node option name -> (AsyncServer kwarg, converter)
_MAP = {
    "pingInterval": ("ping_interval", lambda v: v / 1000.0),
    "pingTimeout": ("ping_timeout", lambda v: v / 1000.0),
    "maxHttpBufferSize": ("max_http_buffer_size", int),
    "cors": ("cors_allowed_origins", lambda v: (v or {}).get("origin", "*") if isinstance(v, dict) else v),
    "cors_allowed_origins": ("cors_allowed_origins", lambda v: v),
    "transports": ("transports", list),
}
state = {"sio": None, "runner": None, "sids": {}, "block_on": None}  # sids: sid -> namespace


def _server_kwargs(options):
    kwargs, ignored = {}, []
    for key, value in options.items():
        if key in _MAP:
            name, conv = _MAP[key]
            kwargs[name] = conv(value)
        elif key != "path":
            ignored.append(key)
    return kwargs, ignored


def _register(sio, ns):
    async def connect(sid, environ, auth=None):
        state["sids"][sid] = ns
        eio = parse_qs(environ.get("QUERY_STRING", "")).get("EIO", [None])[0]
        out("connection", id=sid, namespace=ns, transport=server_transport(sio, sid, ns),
            eio=int(eio) if eio and eio.isdigit() else None)

    async def disconnect(sid, reason=None):
        state["sids"].pop(sid, None)
        out("disconnect", id=sid, namespace=ns, reason=reason)

    async def any_event(event, sid, *args):
        size = size_of(args)
        out("message", id=sid, namespace=ns, name=event, size=size,
            args=jsonable(list(args)) if size <= 1024 else None)
        block = state["block_on"]
        if block and event == block.get("event"):
            ms = float(block.get("ms", 0))
            out("blocking", id=sid, name=event, ms=ms)
            time.sleep(ms / 1000.0)     # synchronous on purpose: the event loop stops (no ping, no pong)
            out("unblocked", id=sid, name=event)
        if event == "echo":
            await emit_to(sio, "echo", args if len(args) != 1 else args[0], sid, ns)
        return {"name": event, "size": size}

    sio.on("connect", connect, namespace=ns)
    sio.on("disconnect", disconnect, namespace=ns)
    on_any(sio, ns, any_event)


def _ssl_context(tls):
    """A server context from PEM strings (load_cert_chain only reads files: a private temp folder)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with tempfile.TemporaryDirectory() as folder:
        cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        for name, pem in ((cert, tls["cert"]), (key, tls["key"])):
            with open(os.open(name, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
                f.write(pem)
        context.load_cert_chain(cert, key)
    return context


async def start(cmd):
    options = dict(cmd.get("options") or {})
    state["block_on"] = options.pop("$block_ms_on", None)
    tls = options.pop("$tls", None)     # {cert, key} (PEM): listen on https
    kwargs, ignored = _server_kwargs(options)
    sio = socketio.AsyncServer(async_mode="aiohttp", **kwargs)
    for ns in dict.fromkeys(["/"] + list(cmd.get("namespaces") or [])):
        _register(sio, ns)
    app = web.Application()
    path = options.get("path", "/socket.io").strip("/")
    sio.attach(app, socketio_path=path)
    # shutdown_timeout: on stop, open websockets are cut after 0.25 s instead of aiohttp's 60 s
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.25)
    await runner.setup()
    site = web.TCPSite(runner, cmd.get("host", "127.0.0.1"), cmd.get("port", 0),
                       ssl_context=_ssl_context(tls) if tls else None)
    await site.start()
    state.update(sio=sio, runner=runner)
    port = runner.addresses[0][1]
    eio = sio.eio
    out("listening", port=port, path="/" + path, tls=bool(tls), ignored=ignored or None, options={
        # advertised as python-engineio writes it: whole seconds of interval (+grace), in ms
        "pingInterval": advertised_ping_interval_ms(eio),
        "pingIntervalConfigured": eio.ping_interval * 1000, "pingTimeout": int(eio.ping_timeout * 1000),
        "maxHttpBufferSize": eio.max_http_buffer_size,
        "transports": getattr(eio, "transports", ["polling", "websocket"])})     # python-engineio 3.x has none


def _targets(to):
    if to is None:
        return list(state["sids"].items())
    if to not in state["sids"]:
        raise KeyError(f"no socket {to}")
    return [(to, state["sids"][to])]


async def emit(cmd):
    args = cmd.get("args") or []
    data = tuple(args) if len(args) != 1 else args[0]
    for sid, ns in _targets(cmd.get("to")):
        await emit_to(state["sio"], cmd["event"], data if args else None, sid, ns)


async def disconnect(cmd):
    for sid, ns in _targets(cmd.get("to")):
        await state["sio"].disconnect(sid, namespace=ns)


async def stop():
    if state["sio"] is not None:
        for sid, ns in list(state["sids"].items()):
            await state["sio"].disconnect(sid, namespace=ns)
        await shutdown(state["sio"])
    if state["runner"] is not None:
        await state["runner"].cleanup()


if __name__ == "__main__":
    run({"start": start, "emit": emit, "disconnect": disconnect}, stop)
