"""A proxy out of file descriptors says so once, not as a traceback per retried accept.

asyncio retries a failed accept() every second and hands each EMFILE/ENFILE to the loop's
exception handler, which logs a traceback: 10,000 clients through one in-process proxy (two fds
per connection against `ulimit -n` 20,000) printed 188,499 lines and cost the harness most of its
CPU. This handler logs the limit once per loop and counts the rest; other errors go on as before.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import resource

__all__ = ["install", "refused_accepts"]

_LOG = logging.getLogger("sockfault.proxy")
_MARK = "_sockfault_out_of_fds"


def install(loop: asyncio.AbstractEventLoop) -> None:
    if getattr(loop, _MARK, None) is not None:
        return
    previous = loop.get_exception_handler()
    counter = [0]
    setattr(loop, _MARK, counter)

    def handler(loop: asyncio.AbstractEventLoop, context: dict) -> None:
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno in (errno.EMFILE, errno.ENFILE):
            counter[0] += 1
            if counter[0] == 1:
                soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
                _LOG.error("proxy out of file descriptors (ulimit -n %s; each proxied connection holds two): "
                           "new connections wait in the listen backlog until some close", soft)
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


def refused_accepts(loop: asyncio.AbstractEventLoop) -> int:
    """How many accepts failed for lack of descriptors on this loop (0 before install)."""
    counter = getattr(loop, _MARK, None)
    return counter[0] if counter else 0
