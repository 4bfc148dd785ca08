"""The checks `sockfault diagnose` runs, in the order it reports them: one module each, one line here.

Each module has TITLE and `async def run(target) -> Check`; `reachable` runs first and teaches the
others where the server answers. `heartbeat` waits (one ping interval, bounded by --timeout), so the
runner starts it beside the rest."""

from . import cors, heartbeat, path, payload, reachable, sticky, versions, websocket

CHECKS = {
    "reachable": reachable,
    "versions": versions,
    "path": path,
    "cors": cors,
    "websocket": websocket,
    "sticky": sticky,
    "heartbeat": heartbeat,
    "payload": payload,
}
BACKGROUND = ("heartbeat",)      # run concurrently with the others: it only waits

__all__ = ["CHECKS", "BACKGROUND"]
