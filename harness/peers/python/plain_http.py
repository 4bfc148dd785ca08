"""A plain aiohttp HTTP server, not Socket.IO: answers every path and method (including a
websocket GET) with the configured `status` / `body` / `headers` (start options)."""
from importlib.metadata import version
import os

from aiohttp import web

from ._jsonlines import out, run

out("hello", role="server", impl="aiohttp", version=version("aiohttp"), pid=os.getpid())

state = {"runner": None}


async def start(cmd):
    opts = cmd.get("options") or {}
    status, body = int(opts.get("status", 200)), opts.get("body", "")
    headers = dict(opts.get("headers") or {})

    async def answer(request):
        out("request", method=request.method, path=request.path_qs,
            upgrade=request.headers.get("Upgrade"))
        return web.Response(status=status, text=body, headers=headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, cmd.get("host", "127.0.0.1"), cmd.get("port", 0)).start()
    state["runner"] = runner
    out("listening", port=runner.addresses[0][1], options={"status": status, "body": body})


async def stop():
    if state["runner"] is not None:
        await state["runner"].cleanup()


if __name__ == "__main__":
    run({"start": start}, stop)
