"""Real background-tab throttling: the page in a Chromium of its own, really hidden, over raw CDP.

Why not Playwright: measured here (Chromium 156, new headless), a page Playwright is attached
to stays `visible` whatever is done to it (a new foreground target, a minimised window,
frozen->active), because Playwright's session keeps focus emulation on (a capturer that keeps the
page shown), and its launch adds the anti-throttling flags. So `throttle_timers: {mode: real}`
moves the browser peer to this page: Chromium launched directly, headless, WITHOUT
--disable-background-timer-throttling / -backgrounding-occluded-windows / -renderer-backgrounding,
with IntensiveWakeUpThrottling's grace period set, driven over --remote-debugging-pipe (Chromium
exits when the pipe closes, so it cannot outlive this process). The page is the same site
(page.html + the bundle + page.js) WITHOUT the timer shim (timers.js would own every timer and
hide the nesting levels Chromium throttles by). It is hidden by a new foreground target (a tab
over it) or by minimising its window, and a 1 s setInterval in the page timestamps its wake-ups
(`wakeup` events: the gaps the page really saw).
"""

from __future__ import annotations

import asyncio
import fcntl
import itertools
import json
import os
import shutil
import signal
import sys
import tempfile
from typing import Any, Callable

from ._chromium import CHROMIUM

__all__ = ["HIDE_MODES", "INTENSIVE_GAP_MS", "RealPage", "chromium_args", "summarize_gaps"]

HIDE_MODES = ("new-tab", "minimize")
INTENSIVE_GAP_MS = 30_000   # a wake-up gap this long can only be intensive throttling (Chrome: 60 000)

# the page side: events through a CDP binding (a string), the wake-up recorder
_BRIDGE = """window.sockfaultOut = (ev) => window.__sockfaultBinding(JSON.stringify(ev));
window.SOCKFAULT_VERSION = %s;"""
_RECORDER = """(() => { if (window.__sockfaultWake) return; let last = performance.now(), n = 0;
  window.__sockfaultWake = setInterval(() => { const now = performance.now();
    window.sockfaultOut({event: 'wakeup', n: n++, gap_ms: Math.round(now - last), visibility: document.visibilityState});
    last = now; }, %d); })()"""


def chromium_args(user_data_dir: str, grace_s: float) -> list[str]:
    """The launch line: headless, no anti-throttling flags, the intensive-throttling grace period set."""
    return [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
            "--remote-debugging-pipe", f"--user-data-dir={user_data_dir}",
            f"--enable-features=IntensiveWakeUpThrottling:grace_period_seconds/{max(1, round(grace_s))}",
            "about:blank"]


def summarize_gaps(gaps: list[int], period_ms: int = 1000) -> dict:
    """What the recorder saw: wake-ups, the largest gap, how many were intensive, when the first came."""
    intensive = [i for i, g in enumerate(gaps) if g >= INTENSIVE_GAP_MS]
    first = sum(gaps[: intensive[0] + 1]) if intensive else None
    return {"wakeups": len(gaps), "period_ms": period_ms, "max_gap_ms": max(gaps, default=0),
            "intensive_gaps": len(intensive), "first_intensive_ms": first,
            "aligned_gaps": sum(1 for g in gaps if period_ms * 1.5 <= g < INTENSIVE_GAP_MS)}


class _Pipe:
    """CDP over --remote-debugging-pipe: NUL-terminated JSON, commands on fd 3, answers on fd 4."""

    def __init__(self, on_event: Callable[[dict], None]):
        self.on_event, self.ids, self.pending = on_event, itertools.count(1), {}
        self.proc = self.reader = self.writer = self.task = None

    async def start(self, argv: list[str]) -> None:
        cmd_r, cmd_w = os.pipe()
        out_r, out_w = os.pipe()

        def child() -> None:   # runs in the child before exec: the pipe ends become fds 3 and 4
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (cmd_r, out_w)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)
            os.setsid()

        self.proc = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.DEVNULL,
                                                         stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
                                                         preexec_fn=child, pass_fds=(3, 4, cmd_r, out_w))
        os.close(cmd_r)
        os.close(out_w)
        loop = asyncio.get_running_loop()
        self.reader = asyncio.StreamReader(limit=1 << 26)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(self.reader), os.fdopen(out_r, "rb", 0))
        transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, os.fdopen(cmd_w, "wb", 0))
        self.writer = asyncio.StreamWriter(transport, protocol, None, loop)
        self.task = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        try:
            while True:
                raw = await self.reader.readuntil(b"\0")
                msg = json.loads(raw[:-1])
                if "id" in msg:
                    fut = self.pending.pop(msg["id"], None)
                    if fut is not None and not fut.done():
                        fut.set_result(msg)
                else:
                    self.on_event(msg)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            for fut in self.pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("chromium closed its DevTools pipe"))

    async def send(self, method: str, params: dict | None = None, session: str | None = None,
                   timeout: float = 20.0) -> dict:
        msg: dict[str, Any] = {"id": next(self.ids), "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        fut = asyncio.get_running_loop().create_future()
        self.pending[msg["id"]] = fut
        self.writer.write(json.dumps(msg).encode() + b"\0")
        answer = await asyncio.wait_for(fut, timeout)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error'].get('message', answer['error'])}")
        return answer.get("result", {})

    async def close(self) -> None:
        if self.proc is None:
            return
        try:
            await self.send("Browser.close", timeout=3)
        except Exception:
            pass
        try:
            await asyncio.wait_for(self.proc.wait(), 3)
        except asyncio.TimeoutError:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            await self.proc.wait()
        if self.writer is not None:
            self.writer.close()
        if self.task is not None:
            self.task.cancel()


class RealPage:
    """The peer's page in a directly launched Chromium: commands in, page events out, hide/show."""

    def __init__(self, relay: Callable[[dict], None], grace_s: float = 10, wake_period_ms: int = 1000):
        self.relay, self.grace_s, self.period = relay, grace_s, wake_period_ms
        self.dir = tempfile.mkdtemp(prefix="sockfault-chromium-")
        self.pipe = _Pipe(self._event)
        self.session = self.target = self.cover = None
        self.version = ""
        self.gaps: list[int] = []

    def _event(self, msg: dict) -> None:
        method, params = msg.get("method"), msg.get("params", {})
        if msg.get("sessionId") != self.session:
            return
        if method == "Runtime.bindingCalled" and params.get("name") == "__sockfaultBinding":
            event = json.loads(params["payload"])
            if event.get("event") == "wakeup":
                self.gaps.append(int(event.get("gap_ms", 0)))
            self.relay(event)
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            print(f"[console.{params.get('type')}] {text}", file=sys.stderr, flush=True)
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.relay({"event": "error", "cmd": None,
                        "message": f"page error: {details.get('exception', {}).get('description') or details.get('text')}"})

    async def start(self, url: str, bundle_version: str) -> None:
        await self.pipe.start(chromium_args(self.dir, self.grace_s))
        self.version = (await self.pipe.send("Browser.getVersion")).get("product", "").split("/")[-1]
        pages = [t for t in (await self.pipe.send("Target.getTargets"))["targetInfos"] if t["type"] == "page"]
        self.target = pages[0]["targetId"] if pages else (await self.pipe.send("Target.createTarget", {"url": "about:blank"}))["targetId"]
        self.session = (await self.pipe.send("Target.attachToTarget", {"targetId": self.target, "flatten": True}))["sessionId"]
        for method in ("Runtime.enable", "Page.enable"):
            await self.pipe.send(method, session=self.session)
        await self.pipe.send("Runtime.addBinding", {"name": "__sockfaultBinding"}, self.session)
        await self.pipe.send("Page.addScriptToEvaluateOnNewDocument",
                             {"source": _BRIDGE % json.dumps(bundle_version)}, self.session)
        await self.pipe.send("Page.navigate", {"url": url}, self.session)
        for _ in range(200):
            if await self.evaluate("!!(window.sockfault && window.sockfault.ready)"):
                return
            await asyncio.sleep(0.05)
        raise RuntimeError("the real-throttling page did not load the bundle within 10 s")

    async def evaluate(self, expression: str) -> Any:
        result = await self.pipe.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, self.session)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise RuntimeError(details.get("exception", {}).get("description") or details.get("text", "evaluate failed"))
        return result.get("result", {}).get("value")

    async def command(self, name: str, cmd: dict) -> None:
        await self.evaluate(f"window.sockfault[{json.dumps(name)}]({json.dumps(cmd)}); true")

    async def hide(self, how: str) -> dict:
        """Hide the page (a new foreground tab over it, or its window minimised); start the recorder."""
        if how == "new-tab":
            self.cover = (await self.pipe.send("Target.createTarget", {"url": "about:blank"}))["targetId"]
        elif how == "minimize":
            window = await self.pipe.send("Browser.getWindowForTarget", {"targetId": self.target})
            await self.pipe.send("Browser.setWindowBounds", {"windowId": window["windowId"],
                                                             "bounds": {"windowState": "minimized"}})
        else:
            raise ValueError(f"hide must be one of {HIDE_MODES}, not {how!r}")
        await asyncio.sleep(0.2)
        await self.evaluate(_RECORDER % self.period)
        return {"visibility": await self.evaluate("document.visibilityState")}

    async def show(self) -> dict:
        if self.cover is not None:
            await self.pipe.send("Target.closeTarget", {"targetId": self.cover})
            self.cover = None
        else:
            window = await self.pipe.send("Browser.getWindowForTarget", {"targetId": self.target})
            await self.pipe.send("Browser.setWindowBounds", {"windowId": window["windowId"], "bounds": {"windowState": "normal"}})
        await self.pipe.send("Target.activateTarget", {"targetId": self.target})
        await self.evaluate("window.__sockfaultWake && clearInterval(window.__sockfaultWake); window.__sockfaultWake = null; true")
        return {"visibility": await self.evaluate("document.visibilityState"), **summarize_gaps(self.gaps, self.period)}

    async def stop(self) -> None:
        try:
            await self.evaluate("window.sockfault && window.sockfault.stop(); true")
            await asyncio.sleep(0.05)
        except Exception:
            pass
        await self.close()

    async def close(self) -> None:
        await self.pipe.close()
        shutil.rmtree(self.dir, ignore_errors=True)
