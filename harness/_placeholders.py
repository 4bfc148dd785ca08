"""Option placeholders: a one-key mapping `{"$name": value}` anywhere in a peer's options tree,
replaced by what the run knows (`$scaled` ms, `$tls_ca` the run's certificate, `$url_origin`)."""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["replace_placeholder"]


def replace_placeholder(options: Any, key: str, value_for: Callable[[Any], Any]) -> Any:
    """A copy of `options` with every {key: v} replaced by value_for(v)."""
    if isinstance(options, dict):
        if set(options) == {key}:
            return value_for(options[key])
        return {k: replace_placeholder(v, key, value_for) for k, v in options.items()}
    if isinstance(options, list):
        return [replace_placeholder(v, key, value_for) for v in options]
    return options
