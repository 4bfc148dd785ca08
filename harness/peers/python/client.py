"""python-socketio AsyncClient as a JSON-lines client peer."""
from importlib.metadata import version
import os
from urllib.parse import urlsplit, urlunsplit

import socketio

from ._compat import MAJOR, client_sid, connect_kwargs, on_any
from ._jsonlines import jsonable, out, run, size_of

out("hello", role="client", impl="python-socketio", version=version("python-socketio"),
    engineio=version("python-engineio"), pid=os.getpid())

state = {"client": None, "ns": "/"}


class _Client(socketio.AsyncClient):
    """Reports the Engine.IO handshake as soon as the OPEN packet is parsed."""

    def _report(self):
        e = self.eio
        out("handshake", sid=e.sid, upgrades=e.upgrades, pingInterval=int(e.ping_interval * 1000),
            pingTimeout=int(e.ping_timeout * 1000), transport=e.current_transport)

    if MAJOR >= 5:
        async def _handle_eio_connect(self):
            self._report()
            await super()._handle_eio_connect()
    else:                          # 4.x: a plain function (engineio calls it without awaiting)
        def _handle_eio_connect(self):
            self._report()
            super()._handle_eio_connect()


def _split(url):
    """socket.io URL semantics: the URL path is the namespace, not the endpoint."""
    parts = urlsplit(url)
    ns = parts.path if parts.path not in ("", "/") else "/"
    return urlunsplit((parts.scheme, parts.netloc, "", parts.query, "")), ns


def _ms(v):
    return v / 1000.0


async def connect(cmd):
    if state["client"] is not None and state["client"].connected:
        raise RuntimeError("already connected; send disconnect first")
    if state["client"] is not None:  # a previous, failed or closed, connection
        await state["client"].disconnect()
    o = dict(cmd.get("options") or {})
    ckw = {k2: conv(o[k]) for k, (k2, conv) in {
        "reconnection": ("reconnection", bool), "reconnectionAttempts": ("reconnection_attempts", int),
        "reconnectionDelay": ("reconnection_delay", _ms), "reconnectionDelayMax": ("reconnection_delay_max", _ms),
        "randomizationFactor": ("randomization_factor", float)}.items() if k in o}
    if "ssl_verify" in o:      # python-socketio's own name: False accepts any certificate
        ckw["ssl_verify"] = bool(o["ssl_verify"])
    if o.get("trust_env"):     # aiohttp reads HTTP(S)_PROXY / NO_PROXY only with trust_env (python-engineio's
        import aiohttp         # own session has it off): python-socketio's documented way, an http_session
        ckw["http_session"] = aiohttp.ClientSession(trust_env=True)
    client = _Client(**ckw)
    url, ns = _split(cmd["url"])
    state.update(client=client, ns=ns)

    async def on_connect():
        out("connect", id=client_sid(client, ns), transport=client.transport())
        if client.transport() == "websocket" and "polling" in (client.eio.transports or []):
            out("upgrade", transport="websocket")  # python-engineio upgrades inside connect()

    async def on_connect_error(data=None):
        if state["connecting"]:  # connect() is about to raise: report once, with its message
            state["stash"] = data
            return
        msg = data.get("message") if isinstance(data, dict) else data
        out("connect_error", message=None if msg is None else str(msg), data=data)

    async def on_disconnect(reason=None):
        out("disconnect", reason=reason)

    async def on_any_event(event, *args):
        size = size_of(args)
        out("event", name=event, size=size, args=jsonable(list(args)) if size <= 1024 else None)
        return {"name": event, "size": size}

    client.on("connect", on_connect, namespace=ns)
    client.on("connect_error", on_connect_error, namespace=ns)
    client.on("disconnect", on_disconnect, namespace=ns)
    on_any(client, ns, on_any_event)
    kw = {"namespaces": [ns]}
    if "transports" in o:
        kw["transports"] = o["transports"]
    if "path" in o:
        kw["socketio_path"] = o["path"].strip("/")
    if "auth" in o:
        kw["auth"] = o["auth"]
    if "extraHeaders" in o:
        kw["headers"] = o["extraHeaders"]
    if "timeout" in o:
        kw["wait_timeout"] = _ms(o["timeout"])
    kw, unsupported = connect_kwargs(kw)
    if unsupported:
        out("log", message=f"python-socketio {MAJOR}.x: connect() takes no {', '.join(unsupported)}: ignored")
    state.update(connecting=True, stash=None)
    try:
        await client.connect(url, **kw)
    except socketio.exceptions.ConnectionError as exc:
        stash = state["stash"]
        out("connect_error", message=str(exc), data=None if stash == str(exc) else stash)
    except Exception as exc:  # python-socketio lets some parse errors escape connect()
        out("connect_error", message=f"{type(exc).__name__}: {exc}", type=type(exc).__name__)
    finally:
        state["connecting"] = False


def _expand(v):
    if isinstance(v, dict) and list(v) == ["$bytes"]:
        return "x" * int(v["$bytes"])
    if isinstance(v, dict) and list(v) == ["$binary"]:
        return b"\xab" * int(v["$binary"])
    return v


async def emit(cmd):
    client = state["client"]
    if client is None:
        raise RuntimeError("not connected")
    args = [_expand(a) for a in cmd.get("args") or []]
    ack = cmd.get("ack")
    callback = None
    if ack is not None:
        def callback(*res):
            out("ack", ack=ack, args=list(res))
    data = None if not args else (args[0] if len(args) == 1 else tuple(args))
    await client.emit(cmd["event"], data, namespace=state["ns"], callback=callback)
    out("emitted", ack=ack, name=cmd["event"], size=size_of(args))


async def disconnect(cmd):
    if state["client"] is not None:
        await state["client"].disconnect()


async def stop():
    if state["client"] is not None:
        await state["client"].disconnect()


if __name__ == "__main__":
    run({"connect": connect, "emit": emit, "disconnect": disconnect}, stop)
