"""Where a socket.io-client alias's browser bundle lives, and which version it really is."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Bundle", "find_bundle"]

NODE_MODULES = Path(__file__).resolve().parent.parent / "node" / "node_modules"


@dataclass(frozen=True)
class Bundle:
    alias: str      # "sioc-4.8.1"
    version: str    # from the package's package.json
    path: Path      # dist/socket.io.js (the same name for 1.x to 4.x)


def find_bundle(alias: str) -> Bundle:
    package = NODE_MODULES / alias / "package.json"
    if not package.exists():
        raise FileNotFoundError(f"{alias} is not installed under {NODE_MODULES} (make setup)")
    path = NODE_MODULES / alias / "dist" / "socket.io.js"
    if not path.exists():
        raise FileNotFoundError(f"{alias} has no browser bundle at {path}")
    return Bundle(alias, json.loads(package.read_text())["version"], path)
