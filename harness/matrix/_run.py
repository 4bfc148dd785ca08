"""Run the cells (concurrently, -j), each a real case, and gather the matrix document."""

from __future__ import annotations

import asyncio
import platform
import time

from .. import __version__
from ._cells import Cell, Measured, case_of, measure
from ._page import SWIFT_REASON, SWIFT_ROWS

__all__ = ["run_matrix", "SCHEMA_VERSION", "document"]

SCHEMA_VERSION = "sockfault-matrix/1"


async def run_matrix(selected: list[Cell], payloads: list[str], jobs: int = 2, progress=None) -> list[Measured]:
    from ..runner import Session

    gate = asyncio.Semaphore(max(1, jobs))
    out: list[Measured] = []

    async with Session(spares=min(2, jobs)) as session:
        async def one(cell: Cell) -> None:
            async with gate:
                started = time.monotonic()
                try:
                    result = await session.run(case_of(cell, payloads))
                    m = measure(cell, result, payloads)
                except Exception as exc:   # one broken cell is a result, not the end of the matrix
                    m = Measured(cell, False, f"{type(exc).__name__}: {exc}"[:300], None, None,
                                 duration_s=time.monotonic() - started, error=f"{type(exc).__name__}: {exc}"[:300])
            out.append(m)
            if progress:
                progress(len(out), len(selected), m)

        await asyncio.gather(*(one(c) for c in selected))
    order = {c: i for i, c in enumerate(selected)}
    return sorted(out, key=lambda m: order[m.cell])


def document(measured: list[Measured], options: dict) -> dict:
    results = [m.to_dict() for m in measured]
    return {"schema": SCHEMA_VERSION, "tool": "sockfault", "version": __version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "python": platform.python_version(),
            "options": options,
            "summary": {"cells": len(results), "works": sum(r["result"] == "works" for r in results),
                        "fails": sum(r["result"] == "fails" for r in results),
                        "error": sum(r["result"] == "error" for r in results),
                        "disagree_with_page": sum(r["agrees"] is False for r in results)},
            "cells": results,
            "not_measured": [{"table": "Swift client", "rows": SWIFT_ROWS, "reason": SWIFT_REASON}]}
