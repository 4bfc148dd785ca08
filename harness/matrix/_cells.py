"""The cells of `sockfault matrix`: client x server x transport (x allowEIO3 where the page's table
depends on it), each run as a real case from cell.yaml and measured from its timeline: connect, an
event each way and an ack per payload kind, the upgrade where the transport allows it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..scenario import load_cases
from ._page import family_major, page_says

__all__ = ["Cell", "PAYLOADS", "TRANSPORTS", "cells", "measure", "case_of"]

TEMPLATE = Path(__file__).with_name("cell.yaml")
TRANSPORTS = {"default": None, "polling": ["polling"], "websocket": ["websocket"]}
PAYLOADS = {
    "ascii": "hello, world",
    "utf8": "h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c\u8a9e",        # two- and three-byte characters
    "binary": {"$binary": 64},                                     # 64 bytes: a Buffer / bytes / Uint8Array
}
RECEIVED = {"binary": {"$buffer": 64}}        # how the runners report bytes they received


@dataclass(frozen=True)
class Cell:
    client: str
    server: str
    transport: str
    allow_eio3: bool = False

    @property
    def id(self) -> str:
        return (f"{self.client} -> {self.server}{' +allowEIO3' if self.allow_eio3 else ''} "
                f"[{self.transport}]")

    @property
    def page(self) -> str:
        return page_says(self.client, self.server, self.allow_eio3)


def _eio3_matters(client: str) -> bool:
    family, major = family_major(client)
    return (family in ("node", "browser") and major in (1, 2)) or (family == "java" and major == 1) \
        or (family == "python" and major == 4)       # python-socketio 4.x speaks Engine.IO 3


def cells(clients: list[str], servers: list[str], transports: list[str]) -> list[Cell]:
    """Every combination, plus the allowEIO3 variant of 3.x/4.x servers for EIO 3 clients."""
    out = []
    for server in servers:
        s_family, s_major = family_major(server)
        for client in clients:
            for transport in transports:
                out.append(Cell(client, server, transport))
                if s_family == "node" and s_major in (3, 4) and _eio3_matters(client):
                    out.append(Cell(client, server, transport, allow_eio3=True))
    return out


def _steps(payloads: list[str]) -> list:
    steps: list = ["connect", {"wait_for": {"event": ["connect", "connect_error"], "timeout": "3s"}}]
    for kind in payloads:
        steps.append({"emit": {"event": "echo", "args": [kind, PAYLOADS[kind]], "ack": kind}})
    steps += [{"wait_for": {"event": "ack", "match": {"ack": payloads[-1]}, "timeout": "2s"}}, {"wait": "300ms"}]
    return steps


def case_of(cell: Cell, payloads: list[str]):
    options: dict = {"reconnection": False}
    if TRANSPORTS[cell.transport]:
        options["transports"] = TRANSPORTS[cell.transport]
    case, = load_cases(TEMPLATE, substitute={
        "$name": re.sub(r"[^a-z0-9._-]+", "-", f"matrix-{cell.client}-to-{cell.server}"
                        f"{'-alloweio3' if cell.allow_eio3 else ''}-{cell.transport}".lower()), "$server": cell.server, "$client": cell.client,
        "$server_options": {"allowEIO3": True} if cell.allow_eio3 else {},
        "$client_options": options, "$steps": _steps(payloads)})
    return case


@dataclass
class Measured:
    cell: Cell
    works: bool
    symptom: str
    transport: str | None
    upgraded: bool | None
    payloads: dict = field(default_factory=dict)      # kind -> {to_server, to_client, ack}
    duration_s: float = 0.0
    error: str | None = None

    @property
    def result(self) -> str:
        if self.error:
            return "error"
        return "works" if self.works else "fails"

    @property
    def agrees(self) -> bool | None:
        page = self.cell.page
        if page not in ("yes", "no") or self.error:
            return None
        return (page == "yes") == self.works

    def to_dict(self) -> dict:
        c = self.cell
        return {"cell": c.id, "client": c.client, "server": c.server, "transport": c.transport,
                "allow_eio3": c.allow_eio3, "result": self.result, "symptom": self.symptom,
                "transport_at_end": self.transport, "upgraded": self.upgraded, "payloads": self.payloads,
                "page": c.page, "agrees": self.agrees, "duration_s": round(self.duration_s, 3),
                "error": self.error}


def _first(events, kind):
    return next((e for e in events if e.kind == kind), None)


def measure(cell: Cell, result, payloads: list[str]) -> Measured:
    """What the cell's run showed, from its timeline only."""
    tl = result.main.timeline
    client, server = tl.events(source="client:0"), tl.events(source="server:0")
    connect = _first(client, "connect")
    upgrade = _first(client, "upgrade")
    measured = Measured(cell, False, "", None, None, duration_s=result.duration_s)
    if result.verdict == "error" or result.main.skipped:
        measured.error = result.main.skipped or result.reason[:300]
        measured.symptom = measured.error
        return measured
    if connect is None:
        err = _first(client, "connect_error") or _first(client, "disconnect") or _first(client, "error")
        measured.symptom = (f"{err.kind} {json.dumps(err.data, default=str)[:200]}" if err else "no connect, no error")
        return measured
    measured.transport = (upgrade.data.get("transport") if upgrade else connect.data.get("transport"))
    measured.upgraded = upgrade is not None if cell.transport == "default" else None
    broken = []
    for kind in payloads:
        sent = [kind, RECEIVED.get(kind, PAYLOADS[kind])]
        got = [e for e in server if e.kind == "message" and e.data.get("name") == "echo"
               and (e.data.get("args") or [None])[0] == kind]
        back = [e for e in client if e.kind == "event" and e.data.get("name") == "echo"
                and (e.data.get("args") or [None])[0] == kind]
        ack = [e for e in client if e.kind == "ack" and e.data.get("ack") == kind]
        row = {"to_server": "intact" if got and got[0].data.get("args") == sent else ("corrupted" if got else "missing"),
               "to_client": "intact" if back and back[0].data.get("args") == sent else ("corrupted" if back else "missing"),
               "ack": "yes" if ack else "no"}
        if got and row["to_server"] == "corrupted":
            row["server_saw"] = got[0].data.get("args")
        measured.payloads[kind] = row
        if row["to_server"] != "intact" or row["to_client"] != "intact" or row["ack"] != "yes":
            broken.append(f"{kind}: {row['to_server']} to the server, {row['to_client']} back, ack {row['ack']}")
    later = next((e for e in client if e.kind == "disconnect" and "client disconnect" not in str(e.data.get("reason"))), None)   # ours, at the end
    if later is not None and not broken:
        broken.append(f"disconnect {later.data.get('reason')!r} after connecting")
    measured.works = not broken
    measured.symptom = "; ".join(broken) if broken else ""
    return measured
