"""Run the CLI's coroutine so that Ctrl-C always ends it, and ends it cleanly when it can.

asyncio.run() turns SIGINT into a KeyboardInterrupt wherever the loop happens to be and then
cancels every task; a task that does not finish its cancellation hangs the CLI with peers still
running (seen with py-spy in `_cancel_all_tasks`). Here SIGINT cancels the main task, whose
`finally` blocks stop the peers and proxies; if that has not finished in GRACE seconds (or on a
second Ctrl-C), every peer group is killed and the process exits 130 at once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any, Coroutine

from .peers._reaper import reap_all

__all__ = ["run_interruptibly", "GRACE"]

GRACE = 5.0


def _hard_exit(message: str) -> None:
    reap_all()
    print(f"\n{message}", file=sys.stderr, flush=True)
    os._exit(130)


def run_interruptibly(coro: Coroutine[Any, Any, int], what: str = "every peer and proxy was stopped") -> int:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    main = loop.create_task(coro)
    interrupted = []

    def on_sigint() -> None:
        if interrupted:
            _hard_exit("interrupted twice: every peer process was killed")
        interrupted.append(True)
        main.cancel()
        loop.call_later(GRACE, _hard_exit, f"interrupted: clean-up took over {GRACE:.0f} s, every peer process was killed")

    loop.add_signal_handler(signal.SIGINT, on_sigint)
    try:
        return loop.run_until_complete(main)
    except asyncio.CancelledError:
        if not interrupted:
            raise
        print(f"\ninterrupted: {what}", file=sys.stderr)
        return 130
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        rest = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in rest:
            task.cancel()
        if rest:
            loop.run_until_complete(asyncio.wait(rest, timeout=2.0))
        reap_all()
        loop.close()
