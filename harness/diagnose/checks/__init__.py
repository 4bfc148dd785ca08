"""The checks `sockfault diagnose` runs, in the order it reports them: one module each, one line here.

Each module has TITLE and `async def run(target) -> Check`; `reachable` runs first and teaches the
others where the server answers. `heartbeat` waits (one ping interval, bounded by what is left of
--timeout), so the runner runs it last: the quick checks are never starved by its wait. A module whose
failures the page does not name sets SECTION (a "beyond-..." key of _model.SECTIONS); those in ALWAYS
(certificate, http2: they look at TLS, not Engine.IO) run first, and even when reachable got no handshake."""

from . import certificate, compression, cors, heartbeat, http2, origin, path, payload, reachable, sticky, versions, websocket

CHECKS = {
    "reachable": reachable,
    "versions": versions,
    "path": path,
    "cors": cors,
    "websocket": websocket,
    "sticky": sticky,
    "heartbeat": heartbeat,
    "payload": payload,
    # beyond the page
    "certificate": certificate,
    "http2": http2,
    "compression": compression,
    "origin": origin,
}
LAST = ("heartbeat",)            # run after the others, with what is left of --timeout
ALWAYS = ("certificate", "http2")   # run even when reachable found no handshake (they look at TLS, not Engine.IO)

__all__ = ["CHECKS", "LAST", "ALWAYS"]
