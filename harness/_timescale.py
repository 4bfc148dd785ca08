"""Compressed time: the same scenario with every heartbeat default scaled down.

Faithful runs keep each version's real defaults (a 'ping timeout' takes 30 s or 45 s);
compressed runs hand the server pingInterval/pingTimeout scaled by SCALE unless the scenario
set them, and turn any `{"$scaled": ms}` option into ms*SCALE. Symptoms never assume either:
they read what the server advertised.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SCALE", "heartbeat_defaults", "server_options", "scaled_options"]

SCALE = 1 / 40

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


def heartbeat_defaults(family: str, version: str) -> tuple[int, int] | None:
    for (fam, prefix), values in _DEFAULTS:
        if fam == family and version.startswith(prefix):
            return values
    return None


def scaled_options(options: Any, compressed: bool) -> Any:
    """Replace {"$scaled": ms} anywhere in an options tree."""
    if isinstance(options, dict):
        if set(options) == {"$scaled"}:
            value = options["$scaled"]
            return max(1, round(value * SCALE)) if compressed else value
        return {k: scaled_options(v, compressed) for k, v in options.items()}
    if isinstance(options, list):
        return [scaled_options(v, compressed) for v in options]
    return options


def server_options(family: str, version: str, options: dict, compressed: bool) -> dict:
    out = scaled_options(dict(options), compressed)
    defaults = heartbeat_defaults(family, version)
    if compressed and defaults:
        out.setdefault("pingInterval", _scaled(defaults[0], family))
        out.setdefault("pingTimeout", _scaled(defaults[1], family))
    return out


def _scaled(ms: int, family: str) -> int:
    # python-engineio advertises whole seconds (500 ms goes out as 0): keep it whole there
    if family == "python":
        return max(1000, round(ms * SCALE / 1000) * 1000)
    return round(ms * SCALE)
