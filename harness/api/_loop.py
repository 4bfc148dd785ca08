"""The one background event loop behind the sync faces (proxy_sync, app_sync, the fixtures).

mitmproxy keeps module-global state (ctx.master / ctx.options) that each ProxyMaster points at
itself while it starts or stops, so every sync proxy of a process lives on ONE loop thread, as
the runner's scenarios share one loop. A sync caller blocks on a future of that loop; an async
caller on another loop awaits it without blocking its own.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import threading
import weakref
from typing import Any, Awaitable

__all__ = ["background_loop", "run", "run_async", "close_at_exit", "forget"]

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None
_open: "weakref.WeakSet[Any]" = weakref.WeakSet()    # sync objects still running, closed at exit


def background_loop() -> asyncio.AbstractEventLoop:
    global _loop, _thread
    with _lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def main() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()

            thread = threading.Thread(target=main, name="sockfault-loop", daemon=True)
            thread.start()
            ready.wait()
            _loop, _thread = loop, thread
            atexit.register(_close_all)
        return _loop


def run(coro: Awaitable, timeout: float | None) -> Any:
    """Run coro on the background loop and wait for its result (from any other thread)."""
    loop = background_loop()
    if threading.current_thread() is _thread:
        getattr(coro, "close", lambda: None)()
        raise RuntimeError("a sockfault sync call from the sockfault loop itself would deadlock: "
                           "use the async API (sockfault.proxy / sockfault.app) there")
    future = asyncio.run_coroutine_threadsafe(coro, loop)
    try:
        return future.result(timeout)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise TimeoutError(f"sockfault: no answer from the background loop within {timeout} s") from None


async def run_async(coro: Awaitable) -> Any:
    """Await coro, run on the background loop, from a coroutine of another loop."""
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, background_loop()))


def close_at_exit(obj: Any) -> None:
    """obj.close() at interpreter exit if nobody closed it (a sync proxy left open)."""
    _open.add(obj)


def forget(obj: Any) -> None:
    _open.discard(obj)


def _close_all() -> None:
    for obj in list(_open):
        try:
            obj.close(timeout=5.0)
        except Exception:
            pass
