"""The page's "Delayed event handler registration" in python-socketio (aiohttp).

python-socketio has no per-socket `socket.on`: handlers belong to the server. This app keeps
the page's shape with a per-connection handler table (what `socket.on` holds in Node): the
`connect` handler awaits a timer (a database call, `?delay=<ms>` from the client's query) and
registers `hello` for that sid after it (ORDER=bad) or before it (ORDER=good). A `hello` with
no handler for its sid goes nowhere, as in Node. `hello` acknowledges (its return value).
"""
import asyncio
import os
from urllib.parse import parse_qs

import socketio
from aiohttp import web

ORDER = os.environ.get("ORDER", "bad")
sio = socketio.AsyncServer(async_mode="aiohttp")
app = web.Application()
sio.attach(app)
handlers: dict[str, dict] = {}      # sid -> event -> handler, as socket.on would hold them


async def hello(sid, n=None):
    print(f"hello {n} handled ({sid})", flush=True)
    return {"handled": n}


@sio.event
async def connect(sid, environ, auth=None):
    delay = int(parse_qs(environ.get("QUERY_STRING", "")).get("delay", ["0"])[0])
    if ORDER == "good":
        handlers.setdefault(sid, {})["hello"] = hello
    await asyncio.sleep(delay / 1000)        # the database call
    if ORDER != "good":
        handlers.setdefault(sid, {})["hello"] = hello


@sio.event
async def disconnect(sid, reason=None):
    handlers.pop(sid, None)


@sio.on("*")
async def dispatch(event, sid, *args):
    handler = handlers.get(sid, {}).get(event)
    return await handler(sid, *args) if handler else None


if __name__ == "__main__":
    web.run_app(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8080")), print=None)
