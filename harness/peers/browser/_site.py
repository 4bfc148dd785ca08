"""The tiny HTTP site the page comes from: http://localhost:<port>/ (page, runner, client core, bundle).

The page's origin, http://localhost:<port>, is cross-origin to any server at 127.0.0.1:<other>,
which is what makes CORS apply. A data: page could not reach 127.0.0.1 at all.
"""

from __future__ import annotations

import socket
from pathlib import Path

from aiohttp import web

__all__ = ["serve_page"]

HERE = Path(__file__).resolve().parent
CLIENT_CORE = HERE.parent / "node" / "_client_core.js"   # shared with the Node client runner
_NO_CACHE = {"Cache-Control": "no-store"}


async def serve_page(bundle: Path) -> tuple[web.AppRunner, str]:
    """Start the site on 127.0.0.1, port 0; return its runner and the page URL (host localhost)."""
    files = {"/": (HERE / "page.html", "text/html"), "/page.js": (HERE / "page.js", "text/javascript"),
             "/client_core.js": (CLIENT_CORE, "text/javascript"), "/socket.io.js": (bundle, "text/javascript")}

    async def handle(request: web.Request) -> web.Response:
        path, ctype = files[request.path]
        return web.Response(body=path.read_bytes(), content_type=ctype, charset="utf-8", headers=_NO_CACHE)

    app = web.Application()
    for route in files:
        app.router.add_get(route, handle)
    app.router.add_get("/favicon.ico", lambda request: web.Response(status=204))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    port = sock.getsockname()[1]
    return runner, f"http://localhost:{port}/"
