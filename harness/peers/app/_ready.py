"""When is an app ready: it accepts TCP and answers the Engine.IO handshake at its path.

Either revision counts (a v2 app answers EIO=4 with a v3 open packet; a v4 app without
allowEIO3 refuses EIO=3 with code 5): the point is that Socket.IO, not a 404 page, answers.
The handshake's session is closed right after, so it does not linger as a ghost client.
"""

from __future__ import annotations

import asyncio
import time
from typing import Callable

from ...probe import handshake, request

__all__ = ["wait_ready", "NotReady"]


class NotReady(Exception):
    pass


async def wait_ready(base_url: str, path: str, timeout: float, gone: Callable[[], str | None]) -> dict:
    """Poll until the handshake answers; return the open packet's fields (+ sid, eio). `gone()`: why to stop early."""
    deadline = time.monotonic() + timeout
    last = "nothing answered yet"
    while True:
        reason = gone()
        if reason:
            raise NotReady(reason)
        result = await handshake(base_url, eio=4, path=path, timeout=2.0)
        if result.open is not None:
            await _close(base_url, path, result)
            return {"sid": result.open.sid, "eio": result.server_eio or 4, "pingInterval": result.open.ping_interval,
                    "pingTimeout": result.open.ping_timeout, "maxPayload": result.open.max_payload,
                    "upgrades": list(result.open.upgrades)}
        if result.status is not None:
            last = f"HTTP {result.status} at {result.url}" + (f" ({result.error.message})" if result.error else "")
            if result.error is not None and result.error.code <= 5:  # an Engine.IO refusal is an answer too
                return {"sid": None, "eio": 4, "refused": str(result.error)}
        elif result.error is not None:
            last = result.error.message
        if time.monotonic() >= deadline:
            raise NotReady(f"no Engine.IO handshake at {base_url.rstrip('/')}{path} within {timeout:.1f} s "
                           f"(last: {last})")
        await asyncio.sleep(0.05)


async def _close(base_url: str, path: str, result) -> None:
    eio = result.server_eio or 4
    body = "1:1" if eio == 3 else "1"
    try:
        await request(base_url, method="POST", eio=eio, path=path, sid=result.open.sid, body=body, timeout=2.0)
    except Exception:  # closing the ready check's session is a courtesy
        pass
