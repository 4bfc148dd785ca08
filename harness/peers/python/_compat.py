"""python-socketio 4.x (Engine.IO 3: the python@4.6.1 peers, in .venv-sio4) beside 5.x: the few API
differences the runners meet, in one place."""
from importlib.metadata import version

MAJOR = int(version("python-socketio").split(".")[0])
ENGINEIO_MAJOR = int(version("python-engineio").split(".")[0])
CONNECT_KEYWORDS = ("headers", "transports", "namespaces", "socketio_path") + (("auth", "wait_timeout") if MAJOR >= 5 else ())


def on_any(obj, namespace, handler):
    """handler(event, *args) for every event that has no handler of its own: "*" on 5.x; 4.x has no
    catch-all, so its dispatcher is wrapped."""
    if MAJOR >= 5:
        obj.on("*", handler, namespace=namespace)
        return
    original = obj._trigger_event

    async def trigger(event, namespace_=None, *args, **kw):
        ns = kw.pop("namespace", namespace_)
        if ns == namespace and event not in obj.handlers.get(ns, {}):
            return await handler(event, *args)
        return await original(event, ns, *args)
    obj._trigger_event = trigger


def client_sid(client, namespace):
    return client.get_sid(namespace) if hasattr(client, "get_sid") else client.sid


def server_transport(sio, sid, namespace):
    try:
        return sio.transport(sid, namespace)
    except TypeError:          # 4.x: transport(sid)
        return sio.transport(sid)


def connect_kwargs(kw: dict) -> tuple[dict, list[str]]:
    """The keywords this version's connect() takes, and the names of those it does not."""
    return {k: v for k, v in kw.items() if k in CONNECT_KEYWORDS}, [k for k in kw if k not in CONNECT_KEYWORDS]


async def emit_to(sio, event, data, sid, namespace):
    """sio.emit(..., to=sid). python-socketio 4.6.1's emit hands coroutines to asyncio.wait(), which
    Python 3.11 refuses (TypeError): a 4.x server on 3.11 cannot emit at all. The peer sends to the one
    sid through the internal call underneath, so the protocol can still be measured."""
    if MAJOR >= 5:
        await sio.emit(event, data, to=sid, namespace=namespace)
    else:
        await sio._emit_internal(sid, event, data, namespace)


async def shutdown(sio):
    if hasattr(sio, "shutdown"):       # 5.x; 4.x has none (the aiohttp runner's cleanup closes it)
        await sio.shutdown()


def advertised_ping_interval_ms(eio) -> int:
    """What the open packet says: python-engineio 4.x adds its grace period (whole seconds), 3.x does not."""
    grace = getattr(eio, "ping_interval_grace_period", 0) if ENGINEIO_MAJOR >= 4 else 0
    return int(eio.ping_interval + grace) * 1000
