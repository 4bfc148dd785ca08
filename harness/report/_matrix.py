"""Version matrices: the cases of one matrix scenario laid out server x client."""

from __future__ import annotations

import re

__all__ = ["matrix_tables"]

_CELL = re.compile(r"^(?P<name>[^\[]+)\[(?P<labels>.*)\]$")


def matrix_tables(scenarios: list[dict]) -> dict[str, dict]:
    """name -> {"servers": [...], "clients": [...], "cells": {(server, client): verdict}, "ids": {...: case id}}."""
    tables: dict[str, dict] = {}
    for entry in scenarios:
        match = _CELL.match(entry["scenario"])
        if not match:
            continue
        labels = dict(part.split("=", 1) for part in match.group("labels").split(",") if "=" in part)
        server = labels.get("server") or entry["peers"].get("server:0", {}).get("peer", "?")
        client = labels.get("client") or entry["peers"].get("client:0", {}).get("peer", "?")
        table = tables.setdefault(match.group("name"), {"servers": [], "clients": [], "cells": {}, "ids": {}})
        if server not in table["servers"]:
            table["servers"].append(server)
        if client not in table["clients"]:
            table["clients"].append(client)
        table["cells"][(server, client)] = entry["verdict"]
        table["ids"][(server, client)] = entry["scenario"]       # the case's anchor in the report
    return tables
