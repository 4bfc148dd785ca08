"""Run the CLI's coroutine so that Ctrl-C always ends it, and ends it cleanly when it can.

asyncio.run() turns SIGINT into a KeyboardInterrupt wherever the loop happens to be and then
cancels every task; a task that does not finish its cancellation hangs the CLI with peers still
running (seen with py-spy in `_cancel_all_tasks`). Here SIGINT cancels the main task, whose
`finally` blocks stop the peers and proxies; if that has not finished in GRACE seconds (or on a
second Ctrl-C), every peer group is killed, the peers' temp dirs removed, and the process exits
130 at once. Either way `report` (what ran) is printed first, so the user sees it within 3 s.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any, Callable, Coroutine

from .peers._reaper import reap_all

__all__ = ["run_interruptibly", "GRACE"]

GRACE = 2.0   # Ctrl-C to exit stays under 3 s: the clean-up's share, then the hard way


def run_interruptibly(coro: Coroutine[Any, Any, int], what: str = "every peer and proxy was stopped",
                      report: Callable[[], None] | None = None) -> int:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    main = loop.create_task(coro)
    interrupted = []
    reported = []

    def report_once() -> None:
        if report is not None and not reported:
            reported.append(True)
            try:
                report()
            except Exception as exc:   # never let the summary stand between Ctrl-C and the exit
                print(f"(could not print what ran: {exc!r})", file=sys.stderr)
            sys.stdout.flush()

    def hard_exit(message: str) -> None:
        reap_all()
        report_once()
        print(f"\n{message}", file=sys.stderr, flush=True)
        os._exit(130)

    def on_sigint() -> None:
        if interrupted:
            hard_exit("interrupted twice: every peer process was killed")
        interrupted.append(True)
        main.cancel()
        loop.call_later(GRACE, hard_exit, f"interrupted: clean-up took over {GRACE:.0f} s, every peer process was killed")

    loop.add_signal_handler(signal.SIGINT, on_sigint)
    try:
        code = loop.run_until_complete(main)
    except asyncio.CancelledError:
        if not interrupted:
            raise
        report_once()
        print(f"\ninterrupted: {what}", file=sys.stderr)
        code = 130
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        rest = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in rest:
            task.cancel()
        if rest:
            loop.run_until_complete(asyncio.wait(rest, timeout=2.0 if not interrupted else 0.5))
        reap_all()
        loop.close()
    if code == 130 and interrupted:
        # everything is stopped: skip the interpreter's finalization (0.6-1 s of a big heap under load)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(130)
    return code
