"""A user's own app as a scenario server: started once per run, ready when Socket.IO answers.

Unlike a bundled peer it is never warm (an app may migrate a database at start-up), it is
told its port through `{port}` (or has a fixed one), and it reports through a hook that the
runner preloads (Node `--require`, Python `sitecustomize`) over a side channel. It offers
the PeerProcess face the runner uses (attach, send, stop, hello, stderr).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections import deque
from pathlib import Path

from ...errors import PeerError
from ...timeline import Timeline
from .._catalog import PeerSpec
from .._reaper import forget_dir, forget_group, remember_dir, remember_group
from ._channel import HookChannel
from ._config import PORT_FIELD, AppConfig
from ._ports import InstanceLock, PortLock, free_port
from ._ready import NotReady, wait_ready

__all__ = ["AppServer", "NODE_HOOK", "PYTHON_HOOK_DIR"]

NODE_HOOK = Path(__file__).parent / "node_hook" / "hook.js"
PYTHON_HOOK_DIR = Path(__file__).parent / "python_hook"
_TAIL_LINES = 40
_LOG_EVENTS = 400   # app output lines put on the timeline; the rest only in the tails


class AppServer:
    def __init__(self, spec: PeerSpec):
        self.spec, self.app = spec, spec.app
        self.hello: dict | None = None
        self.source = "server"
        self.proc: asyncio.subprocess.Process | None = None
        self.channel: HookChannel | None = None
        self.address: tuple[str, int] | None = None
        self._timeline: Timeline | None = None
        self._pending: list[tuple[str, dict]] = []
        self._tails = {"stdout": deque(maxlen=_TAIL_LINES), "stderr": deque(maxlen=_TAIL_LINES)}
        self._logged = 0
        self._ghost: str | None = None   # the ready check's session id: not one of the scenario's clients
        self._ghost_ids: set[str] = set()   # socket ids of that session (a v2 server connects "/" at once)
        self._held: list[tuple[str, dict]] | None = []
        self._locks: list = []
        self._tasks: list[asyncio.Task] = []
        self._stopping = False

    # -- the PeerProcess face -----------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self.app.url is not None or (self.proc is not None and self.proc.returncode is None)

    @property
    def stderr(self) -> str:
        parts = [f"--- app {name} (last {len(lines)} lines) ---\n" + "\n".join(lines)
                 for name, lines in self._tails.items() if lines]
        return "\n".join(parts)

    def attach(self, timeline: Timeline, source: str) -> None:
        self._timeline, self.source = timeline, source
        for kind, data in self._pending:
            timeline.add(source, kind, data)
        self._pending.clear()

    def _on_hook(self, kind: str, data: dict) -> None:
        if kind == "hello" and self.hello is None:
            self.hello = data
        if self._held is not None:   # until the ready check's session id is known: it may be among these
            self._held.append((kind, data))
        elif self._ghost is None or data.get("id") not in (self._ghost, *self._ghost_ids):
            self._record(kind, data)

    def _flush_held(self) -> None:
        held, self._held = self._held or [], None
        self._ghost_ids = {d.get("id") for k, d in held if k == "connection" and
                           self._ghost is not None and d.get("eio_sid", d.get("id")) == self._ghost}
        for kind, data in held:
            self._on_hook(kind, data)

    def _record(self, kind: str, data: dict) -> None:
        if self._timeline is not None:
            self._timeline.add(self.source, kind, data)
        else:
            self._pending.append((kind, data))

    async def send(self, command: dict) -> None:
        if self.channel is None or not self.channel.connected:
            raise PeerError(f"cannot {command.get('cmd')!r}: the app has no hook connected "
                            "(hook: false, or the app never loaded socket.io / python-socketio)", self.spec.label)
        await self.channel.send(command)

    # -- life cycle ---------------------------------------------------------------------------
    async def start(self, options: dict, compressed: bool) -> tuple[str, int]:
        app = self.app
        if app.url:
            return await self._ready(app.url.rstrip("/"), lambda: None)
        port = app.port or free_port()
        for lock in ([PortLock(app.port, self.spec.label)] if app.port else []) + \
                ([InstanceLock(app.cwd or os.getcwd(), app.argv, self.spec.label)] if app.single_instance else []):
            self._locks.append(lock)
            await lock.acquire(timeout=max(60.0, app.start_timeout * 3))
        env = dict(os.environ)
        env.update({k: v.replace(PORT_FIELD, str(port)) for k, v in app.env})
        argv = [a.replace(PORT_FIELD, str(port)) for a in app.argv]
        if app.hook:
            self.channel = HookChannel(self._on_hook)
            remember_dir(self.channel.dir)   # the reaper removes it if the harness is killed mid-run
            env.update(self._hook_env(await self.channel.start(), options, compressed, env))
        else:
            self._record("observer", {"hook": False, "note": "server side observed from the wire only "
                                      "(the proxies' records); compressed time cannot reach the app"})
        self._record("app_start", {"argv": argv, "cwd": app.cwd, "port": port})
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *argv, cwd=app.cwd, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, start_new_session=True, limit=1 << 20)
        except OSError as exc:
            raise PeerError(f"cannot start {' '.join(argv)} (in {app.cwd or os.getcwd()}): {exc}",
                            self.spec.label) from None
        remember_group(self.proc.pid)
        self._tasks = [asyncio.ensure_future(self._read(self.proc.stdout, "stdout")),
                       asyncio.ensure_future(self._read(self.proc.stderr, "stderr"))]
        return await self._ready(f"http://127.0.0.1:{port}", self._exited)

    def _hook_env(self, channel_path: str, options: dict, compressed: bool, env: dict) -> dict:
        out = {"SOCKFAULT_HOOK_SOCKET": channel_path,
               "NODE_OPTIONS": f'{env.get("NODE_OPTIONS", "")} --require "{NODE_HOOK}"'.strip(),
               "PYTHONPATH": os.pathsep.join(p for p in (str(PYTHON_HOOK_DIR), env.get("PYTHONPATH")) if p)}
        if self.app.hook_options:
            out["SOCKFAULT_HOOK_OPTIONS"] = json.dumps(options)
            if compressed:
                from ..._timescale import SCALE
                out["SOCKFAULT_HOOK_SCALE"] = repr(SCALE)
        return out

    def _exited(self) -> str | None:
        if self.proc is not None and self.proc.returncode is not None:
            return f"the app exited with code {self.proc.returncode} before it answered the Engine.IO handshake"
        return None

    async def _ready(self, base_url: str, gone) -> tuple[str, int]:
        started = time.monotonic()
        try:
            opened = await wait_ready(base_url, self.app.path, self.app.start_timeout, gone)
        except NotReady as exc:
            await asyncio.sleep(0.1)  # let the last output lines drain into the tails
            self._flush_held()
            hint = "" if self.app.url or self.app.port or self.app.wants_port else \
                " — it must listen on the port sockfault gives it ({port} in `app` or `env`), or set `port:`"
            raise PeerError(f"not ready: {exc}{hint}", self.spec.label, self.stderr) from None
        self._ghost = opened.get("sid")
        await asyncio.sleep(0.02)   # the hook's lines about the ready check's session, if still in flight
        self._flush_held()
        host, port = _host_port(base_url)
        self.address = (host, port)
        ready_ms = round((time.monotonic() - started) * 1000)
        self._record("ready", {"url": base_url, "path": self.app.path, "ms": ready_ms, "handshake": opened,
                               "hook": bool(self.channel and self.channel.connected)})
        if not self._seen_listening():
            options = {k: opened[k] for k in ("pingInterval", "pingTimeout") if opened.get(k) is not None}
            self._record("listening", {"port": port, "path": self.app.path, "options": options, "observed": "wire"})
        return self.address

    def _seen_listening(self) -> bool:
        kinds = [k for k, _ in self._pending]
        if self._timeline is not None:
            kinds += [e.kind for e in self._timeline.events(source=self.source)]
        return "listening" in kinds

    async def _read(self, stream: asyncio.StreamReader, name: str) -> None:
        try:
            async for raw in stream:
                line = raw.decode("utf-8", "replace").rstrip()
                self._tails[name].append(line[:2000])
                if self._logged < _LOG_EVENTS and line:
                    self._logged += 1
                    self._record("log", {"stream": name, "line": line[:2000]})
        except (ValueError, ConnectionError):
            pass
        if name == "stdout" and self.proc is not None and not self._stopping:
            code = await self.proc.wait()
            await asyncio.sleep(0.05)
            self._record("peer_exit", {"code": code, "stderr": self.stderr[-2000:]})

    async def stop(self, grace: float = 3.0) -> None:
        if self._stopping:
            return
        self._stopping = True
        try:
            if self.proc is not None:
                await _stop_group(self.proc, grace)
                forget_group(self.proc.pid)
            for task in self._tasks:
                try:
                    await asyncio.wait_for(task, 1.0)
                except (asyncio.TimeoutError, asyncio.CancelledError):
                    task.cancel()
            if self.channel is not None:
                await self.channel.close()
                forget_dir(self.channel.dir)
        finally:
            for lock in self._locks:
                lock.release()


async def _stop_group(proc: asyncio.subprocess.Process, grace: float) -> None:
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            await asyncio.wait_for(proc.wait(), wait)
            break
        except asyncio.TimeoutError:
            continue
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # whatever the app left in its group
    except (ProcessLookupError, PermissionError):
        pass


def _host_port(url: str) -> tuple[str, int]:
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)
