"""The tiny HTTP site the page comes from: http://localhost:<port>/ (page, runner, client core, bundle).

The page's origin, http://localhost:<port>, is cross-origin to any server at 127.0.0.1:<other>,
which is what makes CORS apply. A data: page could not reach 127.0.0.1 at all. A connect option
`$page_origin: https://page.test` serves the same files over https (a fresh self-signed
certificate) under that host name, which Chromium resolves to 127.0.0.1 (_chromium.FLAGS).
"""

from __future__ import annotations

import socket
import ssl
import tempfile
from pathlib import Path

from aiohttp import web

__all__ = ["serve_page"]

HERE = Path(__file__).resolve().parent
CLIENT_CORE = HERE.parent / "node" / "_client_core.js"   # shared with the Node client runner
_NO_CACHE = {"Cache-Control": "no-store"}


def _tls_context() -> ssl.SSLContext:
    from ..._tls import self_signed   # cryptography: only when a page is served over https
    cert = self_signed()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory(prefix="sockfault-page-tls-") as tmp:   # load_cert_chain reads files
        (Path(tmp) / "cert.pem").write_text(cert.cert_pem)
        (Path(tmp) / "key.pem").write_text(cert.key_pem)
        context.load_cert_chain(Path(tmp) / "cert.pem", Path(tmp) / "key.pem")
    return context


async def serve_page(bundle: Path, scheme: str = "http", host: str = "localhost") -> tuple[web.AppRunner, str]:
    """Start the site on 127.0.0.1, port 0; return its runner and the page URL (host localhost, or
    `host`: a name Chromium maps to 127.0.0.1). https: a fresh self-signed certificate the browser
    must be told to accept (Security.setIgnoreCertificateErrors)."""
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
    await web.SockSite(runner, sock, ssl_context=_tls_context() if scheme == "https" else None).start()
    port = sock.getsockname()[1]
    return runner, f"{scheme}://{host}:{port}/"
