"""The checks `sockfault diagnose` runs, in the order it reports them: one module each, one line here.

Each module has TITLE and `async def run(target) -> Check`; `reachable` runs first and teaches the
others where the server answers. `heartbeat` waits (one ping interval, bounded by what is left of
--timeout), so the runner runs it last: the quick checks are never starved by its wait."""

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
LAST = ("heartbeat",)            # run after the others, with what is left of --timeout

__all__ = ["CHECKS", "LAST"]
