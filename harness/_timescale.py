"""Compressed time: the same scenario with every heartbeat default scaled down.

Faithful runs keep each version's real defaults (a 'ping timeout' takes 30 s or 45 s);
compressed runs hand the server pingInterval/pingTimeout scaled by SCALE unless the scenario
set them, and turn any `{"$scaled": ms}` option into ms*SCALE. Symptoms never assume either:
they read what the server advertised.

A `command:` server has no family table of its own: its hello's impl + version pick one
(`hello_family`). When neither does, `uncompressed_reason` says why, and the runner records
it on the timeline, since that server keeps its real 25 s / 20 s heartbeat.
"""

from __future__ import annotations

from typing import Any

from ._placeholders import replace_placeholder

__all__ = ["SCALE", "MIN_PING_TIMEOUT_MS", "heartbeat_defaults", "hello_family", "server_options", "scaled_options", "uncompressed_reason"]

SCALE = 1 / 40
# 2.1-2.4 and 3.x default to a 5 s pingTimeout: scaled, 125 ms, shorter than one poll through a proxy on a
# loaded 2-core machine (wrong "transport close" verdicts seen at -j 2). Symptoms read the advertised value.
MIN_PING_TIMEOUT_MS = 500

# (family, version prefix) -> (pingInterval, pingTimeout) in ms, from wire-facts.md
_DEFAULTS = [
    (("node", "1."), (25000, 60000)),
    (("node", "2.0."), (25000, 60000)),
    (("node", "2.5."), (25000, 20000)),
    (("node", "2."), (25000, 5000)),
    (("node", "3."), (25000, 5000)),
    (("node", "4."), (25000, 20000)),
    (("python", ""), (25000, 20000)),
]


# what a peer's hello says it is (docs/peer-protocol.md `impl`) -> the family whose table applies
_IMPL_FAMILY = {"socket.io": "node", "python-socketio": "python"}
# servers that are not Socket.IO: no heartbeat, so nothing for compressed time to reach
_NO_HEARTBEAT = ("websockets", "aiohttp")


def heartbeat_defaults(family: str, version: str) -> tuple[int, int] | None:
    for (fam, prefix), values in _DEFAULTS:
        if fam == family and version.startswith(prefix):
            return values
    return None


def hello_family(hello: dict | None) -> tuple[str, str] | None:
    """(family, version) whose defaults a server's hello names, e.g. socket.io 4.8.1 -> ("node", "4.8.1")."""
    hello = hello or {}
    family = _IMPL_FAMILY.get(str(hello.get("impl", "")).strip().lower())
    version = str(hello.get("version", "")).strip().lstrip("v")
    if family and heartbeat_defaults(family, version):
        return family, version
    return None


def _table(family: str, version: str, hello: dict | None) -> tuple[str, str] | None:
    if heartbeat_defaults(family, version):
        return family, version
    return hello_family(hello)


def scaled_options(options: Any, compressed: bool) -> Any:
    """Replace {"$scaled": ms} anywhere in an options tree."""
    return replace_placeholder(options, "$scaled", lambda ms: max(1, round(ms * SCALE)) if compressed else ms)


def server_options(family: str, version: str, options: dict, compressed: bool, hello: dict | None = None) -> dict:
    """The options a server starts with; `hello` (its hello event) stands in for a family with no table."""
    out = scaled_options(dict(options), compressed)
    table = _table(family, version, hello)
    if compressed and table:
        defaults = heartbeat_defaults(*table)
        out.setdefault("pingInterval", _scaled(defaults[0], table[0]))
        out.setdefault("pingTimeout", max(MIN_PING_TIMEOUT_MS, _scaled(defaults[1], table[0])))
    return out


def uncompressed_reason(family: str, version: str, options: dict, compressed: bool,
                        hello: dict | None = None) -> str | None:
    """Why compressed time does not reach this server (it keeps its real heartbeat), or None."""
    if not compressed or _table(family, version, hello) or family in ("plain-ws", "plain-http"):
        return None
    if "pingInterval" in options and "pingTimeout" in options:
        return None  # the scenario set both: nothing left to compress
    impl, reported = (hello or {}).get("impl"), (hello or {}).get("version")
    if impl in _NO_HEARTBEAT:
        return None
    said = f"its hello says impl {impl!r} version {reported!r}" if impl else "its hello names no impl"
    return (f"no heartbeat defaults known for a {family} server ({said}; known: socket.io 1.x-4.x, "
            "python-socketio): it keeps its own pingInterval/pingTimeout; set both in the server's "
            "options to compress it")


def _scaled(ms: int, family: str) -> int:
    # python-engineio advertises whole seconds (500 ms goes out as 0): keep it whole there
    if family == "python":
        return max(1000, round(ms * SCALE / 1000) * 1000)
    return round(ms * SCALE)
