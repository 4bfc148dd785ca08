"""The user's own web page as a JSON-lines client peer (`client: {page: "/", actions: [...]}`).

usage: python -u -m harness.peers.browser.page_client   (a Chromium of its own; a run starts it as
`python -m harness.peers.browser.peer --page`, a pipe to the shared Chromium when there is one)

One Chromium for the peer's life (the run's shared one, host.py, when the runner started it; else
its own): hello once it runs (no page yet). Each `connect` opens a fresh
context and page on the app's URL with page_hook.js installed before the page's scripts, then
runs the scenario's actions (Playwright locators). The page's own socket.io-client, whatever
version it loads, reports the client events of docs/peer-protocol.md through the hook;
Chromium's network events (WebSockets, failed requests, HTTP errors on the Engine.IO path,
console errors) are reported whether or not the hook found a client (docs/browser-peer.md).
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Callable

from playwright.async_api import Error as PlaywrightError, async_playwright

from ..python._jsonlines import _loop, out
from ._chromium import launch, missing_reason

__all__ = ["ACTIONS", "PageClient", "main"]

_HERE = Path(__file__).resolve().parent
# One init script (Playwright does not order several): the shared helpers, then the hook.
_INIT = ";\n".join(p.read_text() for p in (_HERE.parent / "node" / "_client_core.js", _HERE / "page_hook.js"))
ACTIONS = ("click", "fill", "press", "wait", "wait_for", "reload", "emit", "evaluate")
_COMMANDS = ("connect", "actions", "emit", "disconnect")
_ACTION_TIMEOUT_MS = 10_000
_NAVIGATION_TIMEOUT_MS = 20_000
_ESM = re.compile(r"/socket\.io(\.msgpack)?\.esm(\.min)?\.js(\?|$)")
_ESM_ORIGINAL = "sockfault-original=1"
_EXPORTS = re.compile(r"export\s*\{([^}]*)\}\s*;?\s*(?://[^\n]*\s*)*$")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].removeprefix("Error: ") if text else repr(exc)


class CommandError(Exception):
    """A command failed for a reason its message says in full (reported without the type's name)."""


class ActionError(CommandError):
    """An action failed: the message names its index, kind and target."""


def _selector(arg) -> tuple[str, dict]:
    """`"#id"` or `{selector: "#id", timeout: ms, ...}`."""
    if isinstance(arg, str):
        return arg, {}
    if isinstance(arg, dict) and isinstance(arg.get("selector"), str):
        return arg["selector"], {k: v for k, v in arg.items() if k != "selector"}
    raise ValueError(f"needs a selector (a string or {{selector: ...}}), got {arg!r}")


def _pair(arg, second: str) -> tuple[str, str, dict]:
    """`{selector: s, <second>: v}` or `[s, v]`."""
    if isinstance(arg, (list, tuple)) and len(arg) == 2:
        return str(arg[0]), str(arg[1]), {}
    if isinstance(arg, dict) and isinstance(arg.get("selector"), str) and second in arg:
        return arg["selector"], str(arg[second]), {k: v for k, v in arg.items() if k not in ("selector", second)}
    raise ValueError(f"needs {{selector: ..., {second}: ...}} or [selector, {second}], got {arg!r}")


def _describe(index: int, name: str, arg) -> str:
    target = ""
    try:
        if name in ("click", "wait_for"):
            target = f" {_selector(arg)[0]!r}"
        elif name in ("fill", "press"):
            target = f" {_pair(arg, 'text' if name == 'fill' else 'key')[0]!r}"
        elif name == "emit":
            target = f" {arg.get('event')!r}"
        elif name == "evaluate":
            target = f" {str(arg)[:60]!r}"
        elif name == "wait":
            target = f" {arg}"
    except (ValueError, AttributeError, TypeError):
        pass
    return f"action {index} {name}{target}"


class PageClient:
    """emit(event, **fields) (kept as self.out: `emit` is a command) sends one event line (stdout here,
    the pipe's connection in the browser host); log(text) one stderr line. `shared`: the host's
    Chromium, where each page gets a context."""

    def __init__(self, emit: Callable[..., None] = out, log: Callable[[str], None] | None = None,
                 shared=None, pid: int | None = None) -> None:
        self.out, self.log = emit, log or (lambda text: print(text, file=sys.stderr, flush=True))
        self.shared, self.pid = shared, pid or os.getpid()
        self.playwright = self.browser = self.context = self.page = None
        self.stopping = False
        self._spare: asyncio.Task | None = None
        self.timeout_ms = _ACTION_TIMEOUT_MS
        self.queue: asyncio.Queue = asyncio.Queue()
        self.worker: asyncio.Task | None = None
        self._esm: dict[str, tuple] = {}   # original ESM url -> (status, headers, body)

    # -- life cycle -------------------------------------------------------------------------
    async def start(self) -> None:
        t0 = time.monotonic()
        if self.shared is not None:
            self.browser = self.shared
        else:
            self.playwright = await async_playwright().start()
            self.browser = await launch(self.playwright)
            self.browser.on("disconnected", self._on_browser_gone)
        self.out("hello", role="client", impl="page (chromium)", version="", chromium=self.browser.version,
                  pid=self.pid, shared_chromium=self.shared is not None, launch_ms=round((time.monotonic() - t0) * 1000))
        self.worker = asyncio.ensure_future(self._work())
        self._spare = asyncio.ensure_future(self._fresh())   # the first connect's context, made while idle

    def _on_browser_gone(self, _browser) -> None:
        if not self.stopping:  # Chromium died under us: this peer cannot do anything more
            self.out("error", cmd=None, message="chromium exited")
            os._exit(1)

    async def stop(self) -> None:
        self.stopping = True
        if self.worker is not None:   # a long action (wait, wait_for) must not hold up stop
            self.worker.cancel()
            try:
                await self.worker
            except (asyncio.CancelledError, Exception):
                pass
        await self._close_page()
        await self.close()

    async def close(self) -> None:
        self.stopping = True
        spare, self._spare = self._spare, None
        if self.shared is not None:    # the host's Chromium stays: this peer's contexts, the spare's too, go
            await self._close_page()
            if spare is not None:
                try:                   # not cancelled: a context half made would stay in the shared Chromium
                    context, _page = await asyncio.wait_for(spare, 10)
                    await context.close()
                except (asyncio.CancelledError, asyncio.TimeoutError, Exception):
                    pass
            return
        if spare is not None:
            spare.cancel()
            try:
                await spare
            except (asyncio.CancelledError, Exception):
                pass
        if self.browser is not None:
            await self.browser.close()
        if self.playwright is not None:
            await self.playwright.stop()

    async def _close_page(self) -> None:
        page, context = self.page, self.context
        self.page = self.context = None
        if page is not None and not page.is_closed():
            try:  # socket.disconnect() first, so the server sees the client leave, not a dropped transport
                await asyncio.wait_for(page.evaluate("window.__sockfaultPage && window.__sockfaultPage.status()"
                                                     ".sockets.length && window.__sockfaultPage.disconnect()"), 2)
                await asyncio.sleep(0.05)   # let the close packet leave the page
            except (PlaywrightError, asyncio.TimeoutError):
                pass
        if context is not None:
            try:
                await context.close()
            except PlaywrightError:
                pass

    # -- commands: queued, run one at a time, in order; `stop` is not queued ------------------
    def command(self, name: str):
        async def enqueue(cmd: dict) -> None:
            self.queue.put_nowait((name, cmd))
        return enqueue

    async def _work(self) -> None:
        handlers = {"connect": self.connect, "actions": self.actions, "emit": self.emit, "disconnect": self.disconnect}
        while True:
            name, cmd = await self.queue.get()
            try:
                await handlers[name](cmd)
            except CommandError as exc:
                self.out("error", cmd=name, message=str(exc))
            except PlaywrightError as exc:
                self.out("error", cmd=name, message=_first_line(exc))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a failing command never kills the peer
                self.out("error", cmd=name, message=f"{type(exc).__name__}: {exc}")

    async def connect(self, cmd: dict) -> None:
        url = cmd.get("url")
        if not isinstance(url, str) or not url:
            raise ValueError("connect needs the page's url")
        if cmd.get("timeout_ms") is not None:
            self.timeout_ms = int(cmd["timeout_ms"])
        await self._close_page()   # a second connect: the old page goes first
        t0 = time.monotonic()
        spare, self._spare = self._spare, None
        try:
            self.context, self.page = await spare if spare is not None else await self._fresh()
        except PlaywrightError:   # the spare went wrong: one more try, for real this time
            self.context, self.page = await self._fresh()
        self.context.set_default_timeout(self.timeout_ms)
        self.context.set_default_navigation_timeout(max(self.timeout_ms, _NAVIGATION_TIMEOUT_MS))
        self._watch(self.page)
        t1 = time.monotonic()
        try:
            response = await self.page.goto(url)
        except PlaywrightError as exc:
            reason = _first_line(exc).removeprefix("Page.goto: ")
            self.out("error", cmd="connect", message=f"cannot load the page {url}: {reason}")
            return
        status = response.status if response is not None else None
        self.out("page_loaded", url=self.page.url, status=status, context_ms=round((t1 - t0) * 1000),
            ms=round((time.monotonic() - t1) * 1000))
        if status is not None and status >= 400:
            self.out("error", cmd="connect", message=f"the page {url} answered HTTP {status}")
            return
        await self._run(cmd.get("actions") or [])

    async def _fresh(self):
        """A new context and a blank page in it, the hook installed for whatever it navigates to."""
        context = await self.browser.new_context()
        await context.expose_function("sockfaultOut", self._relay)
        await context.add_init_script(_INIT)
        await context.route(_ESM, self._route_esm)
        return context, await context.new_page()

    def _relay(self, event: dict) -> None:
        """An event from the page's hook."""
        event = dict(event) if isinstance(event, dict) else {"event": "hook_error", "message": repr(event)}
        self.out(str(event.pop("event", "stdout")), **event)

    async def actions(self, cmd: dict) -> None:
        if self.page is None:
            raise CommandError("no page: send connect first")
        await self._run(cmd.get("actions") or [])

    async def emit(self, cmd: dict) -> None:
        await self._hook("emit", {k: cmd.get(k) for k in ("event", "args", "ack", "nsp")})

    async def disconnect(self, _cmd: dict) -> None:
        await self._hook("disconnect", {})

    async def _hook(self, name: str, arg: dict):
        if self.page is None:
            raise CommandError("no page: send connect first")
        try:
            return await self.page.evaluate(
                "([name, arg]) => { if (!window.__sockfaultPage) throw new Error('the page hook is not installed');"
                " return window.__sockfaultPage[name](arg); }", [name, arg])
        except PlaywrightError as exc:
            raise CommandError(_first_line(exc).removeprefix("Page.evaluate: ").removeprefix("Error: ")) from None

    # -- actions ----------------------------------------------------------------------------
    async def _run(self, actions: list) -> None:
        for index, action in enumerate(actions):
            if not isinstance(action, dict) or len(action) != 1 or next(iter(action)) not in ACTIONS:
                raise ActionError(f"action {index} must be one of {', '.join(ACTIONS)} (a one-key mapping), "
                                  f"got {action!r}")
            (name, arg), = action.items()
            t0 = time.monotonic()
            try:
                result = await self._action(name, arg)
            except PlaywrightError as exc:
                raise ActionError(f"{_describe(index, name, arg)}: {_first_line(exc)}") from None
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise ActionError(f"{_describe(index, name, arg)}: {exc}") from None
            event = {"index": index, "action": name, "ok": True, "ms": round((time.monotonic() - t0) * 1000)}
            if name == "evaluate" and result is not None:
                text = json.dumps(result, default=repr)
                event["result" if len(text) <= 1024 else "result_size"] = result if len(text) <= 1024 else len(text)
            self.out("action", **event)

    async def _action(self, name: str, arg):
        page = self.page
        if name == "click":
            selector, opts = _selector(arg)
            await page.locator(selector).click(**_timeout(opts))
        elif name == "fill":
            selector, text, opts = _pair(arg, "text")
            await page.locator(selector).fill(text, **_timeout(opts))
        elif name == "press":
            selector, key, opts = _pair(arg, "key")
            await page.locator(selector).press(key, **_timeout(opts))
        elif name == "wait":
            await asyncio.sleep(float(arg) / 1000)
        elif name == "wait_for":   # at least one match (a list that fills up), visible unless `state` says otherwise
            selector, opts = _selector(arg)
            await page.locator(selector).first.wait_for(state=opts.get("state", "visible"), **_timeout(opts))
        elif name == "reload":
            await page.reload()
        elif name == "emit":
            if not isinstance(arg, dict) or not isinstance(arg.get("event"), str):
                raise ValueError(f"needs {{event: name, args: [...]}}, got {arg!r}")
            await self._hook("emit", {k: arg.get(k) for k in ("event", "args", "ack", "nsp")})
        elif name == "evaluate":
            return await page.evaluate(str(arg))
        return None

    # -- what Chromium sees, hook or not --------------------------------------------------------
    def _watch(self, page) -> None:
        sockets: dict = {}   # the page's open WebSockets -> their frame counts
        documents = [0]

        def navigated(frame) -> None:
            if frame != page.main_frame:
                return
            documents[0] += 1
            if documents[0] > 1:   # a reload or the page's own navigation: its sockets died without a word
                self.out("page_navigated", url=frame.url, open_websockets=len(sockets))
            for ws in list(sockets):   # Chromium says nothing more about a left document's WebSockets
                self._ws_closed(sockets, ws, reason="navigation")
        page.on("websocket", lambda ws: self._on_websocket(sockets, ws))
        page.on("framenavigated", navigated)
        page.on("requestfailed", lambda r: self.out("request_failed", url=r.url, method=r.method, failure=r.failure))
        page.on("response", self._on_response)
        page.on("console", self._on_console)
        page.on("pageerror", lambda e: self.out("page_error", message=_first_line(e)))
        page.on("crash", lambda _: self.out("error", cmd=None, message="the page crashed"))

    def _on_websocket(self, sockets: dict, ws) -> None:
        counts = sockets[ws] = {"sent": 0, "received": 0}
        self.out("ws_open", url=ws.url)

        def count(key):
            def inc(_payload):
                counts[key] += 1
            return inc
        ws.on("framesent", count("sent"))
        ws.on("framereceived", count("received"))
        ws.on("socketerror", lambda message: self.out("ws_error", url=ws.url, message=message))
        ws.on("close", lambda _ws: self._ws_closed(sockets, ws))

    def _ws_closed(self, sockets: dict, ws, reason: str | None = None) -> None:
        counts = sockets.pop(ws, None)
        if counts is not None:
            self.out("ws_close", url=ws.url, frames_sent=counts["sent"], frames_received=counts["received"], reason=reason)

    def _on_response(self, response) -> None:
        url = response.url
        if response.status >= 400 and ("/socket.io/" in url or "EIO=" in url):
            self.out("http_response", url=url, status=response.status)

    def _on_console(self, message) -> None:
        self.log(f"[console.{message.type}] {message.text}")
        if message.type in ("error", "warning"):
            self.out("console", type=message.type, text=message.text)

    # -- the ESM build: `import { io } from "/socket.io/socket.io.esm.min.js"` -----------------
    async def _route_esm(self, route) -> None:
        """Serve a module that re-exports the original with io/connect/default/Manager wrapped."""
        url = route.request.url
        try:
            if _ESM_ORIGINAL in url:
                kept = self._esm.get(url)
                if kept is None:
                    await route.continue_()
                else:
                    await route.fulfill(status=kept[0], headers=kept[1], body=kept[2])
                return
            response = await route.fetch()
            body = await response.text()
            found = _EXPORTS.search(body)
            if response.status != 200 or found is None:
                await route.fulfill(response=response)
                return
            original = url + ("&" if "?" in url else "?") + _ESM_ORIGINAL
            self._esm[original] = (200, dict(response.headers), body)
            await route.fulfill(status=200, body=_esm_wrapper(original, found.group(1)),
                                headers={"content-type": "text/javascript; charset=utf-8",
                                         "access-control-allow-origin": "*", "cache-control": "no-store"})
        except PlaywrightError:
            try:
                await route.continue_()
            except PlaywrightError:
                pass


def _timeout(opts: dict) -> dict:
    return {"timeout": float(opts["timeout"])} if opts.get("timeout") is not None else {}


def _esm_wrapper(original: str, export_list: str) -> str:
    names = [part.strip().split(" as ")[-1].strip() for part in export_list.split(",") if part.strip()]
    lines = [f"import * as m from {json.dumps(original)};",
             "const orig = m.io || m.default || m.connect;",
             "const io = window.__sockfaultPage ? window.__sockfaultPage.wrapLookup(orig, 'esm') : orig;"]
    exports = []
    for i, name in enumerate(names):
        if name in ("io", "connect", "default"):
            exports.append(f"io as {name}")
        elif name == "Manager":
            lines.append("const sfManager = io.Manager || m.Manager;")
            exports.append("sfManager as Manager")
        else:
            lines.append(f"const sf{i} = m[{json.dumps(name)}];")
            exports.append(f"sf{i} as {name}")
    lines.append("export { " + ", ".join(exports) + " };")
    return "\n".join(lines) + "\n"


async def main() -> None:
    reason = missing_reason()
    if reason:
        sys.exit(f"page client unavailable: {reason}")
    client = PageClient()
    try:
        await client.start()
    except BaseException:
        await client.close()
        raise
    await _loop({name: client.command(name) for name in _COMMANDS}, client.stop)


if __name__ == "__main__":
    asyncio.run(main())
