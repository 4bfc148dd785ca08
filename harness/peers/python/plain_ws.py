"""A plain WebSocket server (the `websockets` library), not Socket.IO: the wrong-server fault.

start options: `greet` (text sent on connect; null/absent = stay silent), `path` (only this
path upgrades, others get 404; absent = every path). A GET without Upgrade gets the library's
own 426 Upgrade Required.
"""
from importlib.metadata import version
import os

from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Response

from ._jsonlines import out, run

out("hello", role="server", impl="websockets", version=version("websockets"), pid=os.getpid())

state = {"server": None, "conns": set()}


async def start(cmd):
    opts = cmd.get("options") or {}
    greet, only = opts.get("greet"), opts.get("path")

    def process_request(conn, request):
        out("request", path=request.path, upgrade=request.headers.get("Upgrade"))
        if only is not None and request.path.split("?")[0] != only:
            return Response(404, "Not Found", Headers([("Content-Length", "0")]), b"")
        return None

    async def handler(ws):
        state["conns"].add(ws)
        out("connection", id=str(ws.id), path=ws.request.path)
        try:
            if greet is not None:
                await ws.send(greet)
            async for msg in ws:
                out("message", id=str(ws.id), size=len(msg),
                    data=msg if isinstance(msg, str) and len(msg) <= 1024 else None)
        except ConnectionClosed:
            pass
        finally:
            state["conns"].discard(ws)
            out("disconnect", id=str(ws.id), code=ws.close_code, reason=ws.close_reason)

    server = await serve(handler, cmd.get("host", "127.0.0.1"), cmd.get("port", 0),
                         process_request=process_request)
    state["server"] = server
    port = next(iter(server.sockets)).getsockname()[1]
    out("listening", port=port, path=only, options={"greet": greet})


async def emit(cmd):
    for ws in list(state["conns"]):
        for a in cmd.get("args") or []:
            await ws.send(a if isinstance(a, str) else str(a))


async def disconnect(cmd):
    for ws in list(state["conns"]):
        await ws.close()


async def stop():
    if state["server"] is not None:
        state["server"].close()
        await state["server"].wait_closed()


if __name__ == "__main__":
    run({"start": start, "emit": emit, "disconnect": disconnect}, stop)
