"""The browser@ peer's entry point: a pipe to the run's shared Chromium (host.py) when the runner
started one (SOCKFAULT_BROWSER_HOST names its socket), else a Chromium of its own (client.py).

usage: python -m harness.peers.browser.peer sioc-4.8.1
"""
import asyncio
import os
import sys

HOST_ENV = "SOCKFAULT_BROWSER_HOST"

if __name__ == "__main__":
    alias = sys.argv[1] if len(sys.argv) > 1 else "sioc-4.8.1"
    if os.environ.get(HOST_ENV):
        from ._host_pipe import main as pipe
        sys.exit(asyncio.run(pipe(os.environ[HOST_ENV], alias)))
    from .client import main
    asyncio.run(main(alias))
