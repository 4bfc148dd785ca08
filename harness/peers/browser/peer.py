"""The browser@ and page: peers' entry point: a pipe to the run's shared Chromium (host.py) when the
runner started one (SOCKFAULT_BROWSER_HOST names its socket), else a Chromium of its own (client.py,
page_client.py). The pipe imports no Playwright, so it starts in ~0.1 s of CPU.

usage: python -m harness.peers.browser.peer sioc-4.8.1 | --page
"""
import asyncio
import os
import sys

HOST_ENV = "SOCKFAULT_BROWSER_HOST"

if __name__ == "__main__":
    alias = sys.argv[1] if len(sys.argv) > 1 else "sioc-4.8.1"
    page = alias == "--page"
    if os.environ.get(HOST_ENV):
        from ._host_pipe import main as pipe
        sys.exit(asyncio.run(pipe(os.environ[HOST_ENV], "" if page else alias, kind="page" if page else "browser")))
    if page:
        from .page_client import main as page_main
        asyncio.run(page_main())
    else:
        from .client import main
        asyncio.run(main(alias))
