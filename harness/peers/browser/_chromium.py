"""Launching Debian's Chromium headless through Playwright (no downloaded browser here)."""

from __future__ import annotations

import os

__all__ = ["CHROMIUM", "FLAGS", "launch", "missing_reason"]

CHROMIUM = os.environ.get("SOCKFAULT_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
# host names for pages and servers that are not 127.0.0.1/localhost, which Chromium treats as potentially
# trustworthy (no mixed-content blocking): https://page.test:P, http://sio.test:P (.test is reserved, RFC 2606)
FLAGS.append("--host-resolver-rules=MAP *.test 127.0.0.1")


def missing_reason() -> str | None:
    """Why the browser peer cannot run on this machine, or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found (install Debian's chromium or set SOCKFAULT_CHROMIUM)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright)"
    return None


async def launch(playwright):
    """One headless browser for the peer's whole life."""
    return await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
