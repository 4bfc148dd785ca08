"""Lazy registries: a name maps to "module:Class", imported only when a scenario uses it
(importing mitmproxy alone costs a second)."""

from __future__ import annotations

import importlib
from typing import Any

from .errors import ScenarioError

__all__ = ["load_registered"]


def load_registered(registry: dict[str, str], name: str, what: str) -> Any:
    """The object registered under name, or a ScenarioError listing the valid names."""
    if name not in registry:
        raise ScenarioError(f"unknown {what} {name!r}", choices=sorted(registry))
    module, _, attribute = registry[name].partition(":")
    return getattr(importlib.import_module(module), attribute)
