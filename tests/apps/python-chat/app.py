"""An ordinary chat app: aiohttp serves the page, python-socketio relays messages.

It knows nothing of sockfault (run it with `python app.py`; PORT defaults to 8080).
"""
import os
from pathlib import Path

import socketio
from aiohttp import web

STATIC = Path(__file__).parent / "static"

sio = socketio.AsyncServer(async_mode="aiohttp", ping_interval=10, ping_timeout=5)
app = web.Application()
sio.attach(app)
users = 0


async def index(request):
    return web.FileResponse(STATIC / "index.html")


async def client_bundle(request):
    return web.FileResponse(STATIC / "socket.io.min.js")


async def health(request):
    return web.json_response({"ok": True})


app.router.add_get("/", index)
app.router.add_get("/socket.io.min.js", client_bundle)
app.router.add_get("/health", health)


@sio.event
async def connect(sid, environ, auth=None):
    global users
    users += 1
    print(f"user connected ({users} online)", flush=True)


@sio.on("chat message")
async def chat_message(sid, msg):
    await sio.emit("chat message", msg)
    return {"ok": True}


@sio.event
async def disconnect(sid, reason=None):
    global users
    users -= 1
    print(f"user disconnected: {reason}", flush=True)


if __name__ == "__main__":
    web.run_app(app, host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8080")),
                print=lambda *a: print(*a, flush=True))
