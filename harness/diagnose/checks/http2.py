"""HTTP/2: for an https URL, the protocol ALPN chose when offered ["h2", "http/1.1"] (what a browser
offers). socket.io's WebSocket upgrade is an HTTP/1.1 request (and browsers open their WebSockets over
HTTP/1.1): a server that speaks h2 and refuses HTTP/1.1 (Node http2.createSecureServer without
allowHTTP1) cannot be reached by it; h2 with the HTTP/1.1 fallback works."""

from __future__ import annotations

from .._model import FAIL, NA, PASS, Check, Evidence
from .._target import Target
from .._tls import look

TITLE = "HTTP/2 and HTTP/1.1"
SECTION = "beyond-http2"
ADVICE = ("Let HTTP/1.1 in next to h2: Node http2.createSecureServer({allowHTTP1: true, ...}) (socket.io's "
          "documented set-up); a proxy: keep http/1.1 in its ALPN list for the WebSocket upgrade.")


async def run(t: Target) -> Check:
    check = Check("http2", TITLE, SECTION)
    if not t.base.startswith("https://"):
        return check.set(NA, "http:// URL: no ALPN (HTTP/2 without TLS, h2c, is not what browsers speak)")
    view = t.tls if t.tls is not None else await look(t, verify=False)
    if not view.done:
        return check.set(NA, f"no TLS session (see the certificate check): {view.error or view.verify_message}"[:300])
    check.facts.update(alpn=view.alpn, offered=["h2", "http/1.1"])
    if view.alpn != "h2":
        return check.set(PASS, f"ALPN h2, http/1.1 offered: the server chose {view.alpn or 'none (HTTP/1.1)'}; "
                               "the WebSocket upgrade is HTTP/1.1")
    if t.hello is not None:                     # HTTP/1.1 requests were answered: the Engine.IO handshake
        check.facts["http1"] = True
        return check.set(PASS, "the server speaks h2 to clients that offer it (browsers' polling requests) and "
                               "answered this diagnosis's HTTP/1.1 requests: the WebSocket upgrade can work")
    http1 = await look(t, alpn=["http/1.1"], verify=False)
    check.evidence.append(Evidence(f"TLS handshake with {t.base.split('://', 1)[1]} (ALPN h2, http/1.1)",
                                   f"{view.version}; ALPN h2"))
    check.evidence.append(Evidence(f"TLS handshake with {t.base.split('://', 1)[1]} (ALPN http/1.1 only)",
                                   f"{http1.version}; ALPN {http1.alpn}" if http1.done else f"refused: {http1.error}"))
    check.facts["http1"] = http1.done and http1.alpn in ("http/1.1", None)
    if check.facts["http1"]:
        return check.set(PASS, "h2 for clients that offer it, HTTP/1.1 for the others (ALPN http/1.1 accepted)")
    return check.set(FAIL, "the server speaks HTTP/2 only: an HTTP/1.1 client is refused (" + (
                     "TLS alert: no application protocol" if "no application protocol" in http1.error.lower() else
                     (http1.error or f"ALPN {http1.alpn}")) + "): socket.io's WebSocket upgrade (and every Node / "
                     "Python client, and browsers' WebSockets) cannot work", ADVICE)
