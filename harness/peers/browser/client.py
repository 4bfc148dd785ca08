"""socket.io-client in headless Chromium as a JSON-lines client peer (docs/peer-protocol.md).

usage: python -m harness.peers.browser.client sioc-4.8.1   (a Chromium of its own)

In a run, the browser host (host.py) runs one BrowserClient per peer in a shared Chromium instead.
One context and one page for the peer's whole life: hello is written only once Chromium runs
and the page has loaded the bundle, so a warm spare is really warm. Commands go into the page
with page.evaluate (page.js); the page's events come back through an exposed function.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Callable

from playwright.async_api import Error as PlaywrightError, async_playwright

from ..python._jsonlines import _loop, out
from ._bundle import find_bundle
from ._chromium import launch, missing_reason
from ._site import serve_page

_TIMERS = Path(__file__).resolve().parent / "timers.js"
_COMMANDS = ("connect", "emit", "disconnect", "throttle", "emit_every", "timers")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0].removeprefix("Error: ") if str(exc).strip() else repr(exc)


class BrowserClient:
    """emit(event, **fields) sends one event line (stdout here, the pipe's connection in the host);
    log(text) one stderr line. `shared`: the host's browser, where this client opens a context of its own."""

    def __init__(self, alias: str, emit: Callable[..., None] = out, log: Callable[[str], None] | None = None,
                 shared=None, pid: int | None = None):
        self.bundle = find_bundle(alias)
        self.emit, self.log = emit, log or (lambda text: print(text, file=sys.stderr, flush=True))
        self.shared, self.pid = shared, pid or os.getpid()
        self.site = self.playwright = self.browser = self.context = self.page = None
        self.url = None
        self.real = None          # the RealPage once `throttle {mode: real}` moved the peer there
        self.connected = False
        self.stopping = False

    async def start(self) -> None:
        t0 = time.monotonic()
        self.site, url = await serve_page(self.bundle.path)
        self.url = url
        if self.shared is not None:
            browser = self.shared
            self.context = await browser.new_context()   # cookies, cache and sockets of its own
        else:
            self.playwright = await async_playwright().start()
            browser = self.browser = await launch(self.playwright)
            self.browser.on("disconnected", self._on_browser_gone)
            self.context = await browser.new_context()
        launched = time.monotonic()
        self.page = await self.context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda e: self.emit("error", cmd=None, message=f"page error: {e}"))
        self.page.on("crash", lambda _: self.emit("error", cmd=None, message="the page crashed"))
        # a request Chromium failed (net::ERR_CERT_AUTHORITY_INVALID, a blocked mixed-content request, ...):
        # an `http` event with no status and the error as its body, as a proxy records a failed exchange
        self.page.on("requestfailed", lambda r: self.emit("http", method=r.method, url=r.url, status=None,
                                                    error=r.failure, body=r.failure, failed=True))
        await self.page.expose_function("sockfaultOut", self._relay)
        await self.page.add_init_script(path=str(_TIMERS))  # before the bundle captures setTimeout
        await self.page.add_init_script(f"window.SOCKFAULT_VERSION = {json.dumps(self.bundle.version)};")
        await self.page.goto(url)
        await self.page.wait_for_function("window.sockfault && window.sockfault.ready", timeout=10_000)
        self.emit("hello", role="client", impl="socket.io-client (chromium)", version=self.bundle.version,
                  chromium=browser.version, alias=self.bundle.alias, page=url, pid=self.pid,
                  shared_chromium=self.shared is not None,
                  launch_ms=round((launched - t0) * 1000), ready_ms=round((time.monotonic() - t0) * 1000))

    def _relay(self, event: dict) -> None:
        event = dict(event)
        self.emit(str(event.pop("event", "stdout")), **event)

    def _on_console(self, message) -> None:
        """Every console line to stderr; Chromium's errors and warnings (CORS, Mixed Content, a failed
        WebSocket) also onto the timeline as `console` events (the `console` symptom reads them)."""
        self.log(f"[console.{message.type}] {message.text}")
        if message.type in ("error", "warning"):
            self.emit("console", type=message.type, text=message.text)

    def _on_browser_gone(self, _browser) -> None:
        if not self.stopping:  # Chromium died under us: this peer cannot do anything more
            self.emit("error", cmd=None, message="chromium exited")
            os._exit(1)

    def command(self, name: str):
        async def run(cmd: dict) -> None:
            if name == "throttle" and (cmd.get("mode") == "real" or (self.real is not None and cmd.get("off"))):
                return await self._real_throttle(cmd)
            self.connected = self.connected or name == "connect"
            if name == "connect":
                cmd = await self._page_options(cmd)
            if self.real is not None:
                return await self.real.command(name, cmd)
            try:
                await self.page.evaluate("([name, cmd]) => { window.sockfault[name](cmd); }", [name, cmd])
            except PlaywrightError as exc:
                raise RuntimeError(_first_line(exc)) from None
        return run

    async def _page_options(self, cmd: dict) -> dict:
        """Connect options for the browser itself, removed before io(): `$ignore_certificate_errors: true`
        (Chromium accepts any certificate from now on: CDP Security.setIgnoreCertificateErrors)."""
        options = dict(cmd.get("options") or {})
        origin = options.pop("$page_origin", None)
        if options.pop("$ignore_certificate_errors", False) or str(origin or "").startswith("https:"):
            session = await self.page.context.new_cdp_session(self.page)
            await session.send("Security.setIgnoreCertificateErrors", {"ignore": True})
            self.emit("log", message="certificate errors ignored (CDP Security.setIgnoreCertificateErrors)")
        if origin is not None:
            await self._move_page(origin)
        return dict(cmd, options=options)

    async def _move_page(self, origin: str) -> None:
        """`$page_origin: https://page.test`: serve the page from that scheme and host (a name under
        .test, which Chromium maps to 127.0.0.1) and reload it there, before io() runs."""
        scheme, sep, host = str(origin).partition("://")
        if scheme not in ("http", "https") or not sep or not host.endswith(".test") or "/" in host or ":" in host:
            raise ValueError(f"$page_origin is http(s)://<name>.test (Chromium maps *.test to 127.0.0.1; "
                             f"the port is the page's own), not {origin!r}")
        old = self.site
        self.site, self.url = await serve_page(self.bundle.path, scheme, host)
        await old.cleanup()
        await self.page.goto(self.url)
        await self.page.wait_for_function("window.sockfault && window.sockfault.ready", timeout=10_000)
        self.emit("log", message=f"page moved to {self.url}", page=self.url)

    async def _real_throttle(self, cmd: dict) -> None:
        """mode: real (docs/browser-peer.md): move to a directly launched Chromium, hide the page."""
        from ._real_throttle import HIDE_MODES, RealPage

        if cmd.get("off"):
            self.emit("throttle", on=False, mode="real", **await self.real.show())
            return
        hide = cmd.get("hide", "new-tab")
        if hide not in HIDE_MODES:
            raise ValueError(f"hide must be one of {', '.join(HIDE_MODES)}, not {hide!r}")
        if self.real is None:
            if self.connected:
                raise RuntimeError("throttle mode real moves the page to another Chromium: apply it before "
                                   "connect (a fault without `at`)")
            real = RealPage(self._relay, grace_s=float(cmd.get("grace_s", 10)), wake_period_ms=int(cmd.get("wake_period_ms", 1000)))
            try:
                await real.start(self.url, self.bundle.version)
            except BaseException:
                await real.close()
                raise
            self.real, self.stopping = real, True   # the Playwright browser goes: its exit is expected
            await self._close_browser()
        shown = await self.real.hide(hide)
        self.emit("throttle", on=True, mode="real", hide=hide, grace_s=self.real.grace_s, chromium=self.real.version,
            flags="no anti-throttling flags", chromium_pid=self.real.pipe.proc.pid, **shown)

    async def stop(self) -> None:
        self.stopping = True
        if self.real is not None:
            await self.real.stop()
            return await self.close()
        try:
            if self.page is not None and not self.page.is_closed():
                await self.page.evaluate("window.sockfault && window.sockfault.stop()")
                await asyncio.sleep(0.05)  # let the close packet leave the page
        except PlaywrightError:
            pass
        finally:
            await self.close()

    async def _close_browser(self) -> None:
        """The context always (a shared browser goes on serving others); our own browser too."""
        context, browser, self.context, self.browser = self.context, self.browser, None, None
        try:
            if context is not None:
                await context.close()
        except PlaywrightError:
            pass                      # the browser is gone already
        if browser is not None:
            await browser.close()

    async def close(self) -> None:
        self.stopping = True
        if self.real is not None:
            await self.real.close()
        await self._close_browser()
        if self.playwright is not None:
            await self.playwright.stop()
        if self.site is not None:
            await self.site.cleanup()


async def main(alias: str) -> None:
    reason = missing_reason()
    if reason:
        sys.exit(f"browser peer unavailable: {reason}")
    client = BrowserClient(alias)
    try:
        await client.start()
    except BaseException:
        await client.close()
        raise
    await _loop({name: client.command(name) for name in _COMMANDS}, client.stop)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "sioc-4.8.1"))
