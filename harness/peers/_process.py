"""One peer subprocess: JSON commands in, JSON events out, stderr kept for the post-mortem.

Each peer runs in its own process group so that stop() — and the last-resort reaper that
runs on exit, SIGINT and SIGTERM — can take down whatever the peer itself spawned. Each gets
a TMPDIR of its own, removed with it: what a killed peer cannot clean up (Chromium's profile,
Playwright's artifacts) does not outlive it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import tempfile
from collections import deque
from typing import Any, Iterable

from ..errors import PeerError
from ..timeline import Timeline
from ._catalog import PeerSpec
from ._reaper import forget_dir, forget_group, remember_dir, remember_group

__all__ = ["PeerProcess", "decode_event_line"]

_STDERR_KEEP = 16_384
_STDOUT_KEEP = 20   # non-JSON stdout lines kept for the "no hello" post-mortem
_HELLO_RULE = ('a peer must speak docs/peer-protocol.md: its first stdout line must be '
               '{"event":"hello","role":...,"impl":...,"version":...,"pid":...}, flushed')


def decode_event_line(raw: bytes, other: str) -> tuple[str, dict] | None:
    """One JSON-lines event -> (kind, fields); a line that is not one -> (other, {"line": ...}); blank -> None."""
    line = raw.decode("utf-8", "replace").strip()
    if not line:
        return None
    try:
        message = json.loads(line)
        return str(message.pop("event")), message
    except (ValueError, KeyError, AttributeError, TypeError):
        return other, {"line": line[:2000]}


class PeerProcess:
    def __init__(self, spec: PeerSpec, proc: asyncio.subprocess.Process, tmpdir: str | None = None):
        self.spec, self.proc, self.tmpdir = spec, proc, tmpdir
        self.hello: dict | None = None
        self.source = spec.role
        self._timeline: Timeline | None = None
        self._pending: list[tuple[str, dict]] = []
        self._seen: list[tuple[str, dict]] = []
        self._changed = asyncio.Condition()
        self._stderr = bytearray()
        self._stdout_tail: deque[str] = deque(maxlen=_STDOUT_KEEP)
        self._stopping = False
        self._killed = False      # kill(): an exit the run asked for, not a crash
        self._tasks = [asyncio.ensure_future(self._read_stdout()), asyncio.ensure_future(self._read_stderr())]

    # -- life cycle -------------------------------------------------------------------------
    @classmethod
    async def spawn(cls, spec: PeerSpec, env: dict[str, str] | None = None) -> "PeerProcess":
        """env: what the runner adds for this process (the shared Chromium's socket), over the spec's own."""
        tmpdir = tempfile.mkdtemp(prefix="sockfault-peer-")
        remember_dir(tmpdir)
        try:
            proc = await asyncio.create_subprocess_exec(
                *spec.argv, cwd=spec.cwd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, start_new_session=True, limit=1 << 24,
                env={**os.environ, **dict(spec.env), **(env or {}), "TMPDIR": tmpdir})
        except OSError as exc:
            forget_dir(tmpdir)
            raise PeerError(f"cannot start {' '.join(spec.argv)}: {exc}", spec.label) from None
        except BaseException:
            forget_dir(tmpdir)
            raise
        remember_group(proc.pid)
        return cls(spec, proc, tmpdir)

    async def wait_hello(self, timeout: float = 15.0) -> dict:
        try:
            event = await self.wait_event({"hello"}, timeout)
        except PeerError:
            raise PeerError(self._no_hello(timeout), self.spec.label, self.stderr) from None
        self.hello = event
        reported = str(event.get("version", ""))
        if self.spec.version and reported and reported != self.spec.version:
            raise PeerError(f"expected version {self.spec.version}, the peer runs {reported}", self.spec.label,
                            self.stderr)
        return event

    def _no_hello(self, timeout: float) -> str:
        """Why there was no hello, with the rule and what the program printed instead."""
        if self.alive:
            text = f"no hello within {timeout:.1f} s"
        else:
            text = f"exited with code {self.proc.returncode} before its hello"
        text += f" — {_HELLO_RULE}"
        others = sorted({kind for kind, _ in self._seen if kind not in ("stdout", "peer_exit")})
        if others:
            text += f" (it sent other events instead: {', '.join(others)})"
        if self.spec.family == "command" and self.spec.role == "server":
            text += "; an ordinary app (no peer protocol) runs as `server: {app: ...}` instead (docs/your-app.md)"
        if self._stdout_tail:
            text += f"\n--- stdout (last {len(self._stdout_tail)} non-JSON lines) ---\n" + "\n".join(self._stdout_tail)
        else:
            text += "\n(it printed nothing on stdout)"
        return text

    @property
    def stdout_tail(self) -> list[str]:
        """The last non-JSON lines the peer printed on stdout (kind "stdout" events)."""
        return list(self._stdout_tail)

    def attach(self, timeline: Timeline, source: str) -> None:
        """Send this peer's events (buffered ones first) to a scenario's timeline."""
        self._timeline, self.source = timeline, source
        for kind, data in self._pending:
            timeline.add(source, kind, data)
        self._pending.clear()

    async def stop(self, grace: float = 1.5) -> None:
        if self._stopping:
            return
        self._stopping = True
        if self.proc.returncode is None and self.hello is not None:   # before its hello it reads no command
            try:
                self.proc.stdin.write(b'{"cmd":"stop"}\n')
                await asyncio.wait_for(self.proc.stdin.drain(), 0.5)
                self.proc.stdin.close()
            except (ConnectionError, asyncio.TimeoutError, RuntimeError):
                pass
            try:
                await asyncio.wait_for(self.proc.wait(), grace)
            except asyncio.TimeoutError:
                pass
        self._kill_group(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 1.0)
        except asyncio.TimeoutError:
            self._kill_group(signal.SIGKILL)
            await self.proc.wait()
        self._kill_group(signal.SIGKILL)  # grandchildren left in the group
        forget_group(self.proc.pid)
        if self.tmpdir is not None:
            forget_dir(self.tmpdir)
        for task in self._tasks:
            try:
                await asyncio.wait_for(task, 1.0)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                task.cancel()

    async def kill(self, sig: int = signal.SIGKILL) -> None:
        """Die now as `kill -9` (or -15) would, no stop command (restart_server); no peer_exit event,
        since the run asked for it. The process group, TMPDIR and readers are then released by stop()."""
        self._killed = True
        self._kill_group(sig)
        try:
            await asyncio.wait_for(self.proc.wait(), 3.0)
        except asyncio.TimeoutError:   # a TERM it ignores
            self._kill_group(signal.SIGKILL)
            await self.proc.wait()
        await self.stop()

    def _kill_group(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    # -- talking ----------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self.proc.returncode is None

    @property
    def stderr(self) -> str:
        return self._stderr.decode("utf-8", "replace")

    async def send(self, command: dict) -> None:
        if not self.alive:
            raise PeerError(f"peer exited (code {self.proc.returncode}) before {command.get('cmd')!r}",
                            self.spec.label, self.stderr)
        try:
            self.proc.stdin.write(json.dumps(command).encode() + b"\n")
            await self.proc.stdin.drain()
        except (ConnectionError, RuntimeError) as exc:
            raise PeerError(f"cannot write to peer: {exc}", self.spec.label, self.stderr) from None

    async def request(self, command: dict, answers: Iterable[str], timeout: float) -> dict:
        """Send a command and wait for one of the answer events (or the peer's error event)."""
        mark = len(self._seen)
        await self.send(command)
        event = await self.wait_event(set(answers) | {"error"}, timeout, after=mark)
        if event.get("event") == "error":
            raise PeerError(f"{command.get('cmd')!r} failed: {event.get('message')}", self.spec.label, self.stderr)
        return event

    async def wait_event(self, kinds: set[str], timeout: float, after: int = 0) -> dict:
        def find():
            return next((dict(d, event=k) for k, d in self._seen[after:] if k in kinds), None)

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: find() is not None or not self._reading),
                                       timeout)
            except asyncio.TimeoutError:
                raise PeerError(f"no {'/'.join(sorted(kinds))} within {timeout:.1f} s", self.spec.label,
                                self.stderr) from None
        found = find()
        if found is None:
            await self.proc.wait()
            await asyncio.sleep(0.05)  # let stderr drain
            raise PeerError(f"peer exited with code {self.proc.returncode} before {'/'.join(sorted(kinds))}",
                            self.spec.label, self.stderr)
        return found

    # -- readers ----------------------------------------------------------------------------
    _reading = True

    async def _read_stdout(self) -> None:
        try:
            async for raw in self.proc.stdout:
                decoded = decode_event_line(raw, "stdout")
                if decoded is None:
                    continue
                kind, message = decoded
                if kind == "stdout":
                    self._stdout_tail.append(message["line"][:500])
                await self._record(kind, message)
        finally:
            self._reading = False
            if not self._stopping and not self._killed:
                await self.proc.wait()
                await asyncio.sleep(0.05)
                await self._record("peer_exit", {"code": self.proc.returncode, "stderr": self.stderr[-2000:]})
            async with self._changed:
                self._changed.notify_all()

    async def _record(self, kind: str, data: dict[str, Any]) -> None:
        mono = data.pop("mono", None)     # when the peer says it happened (ms, CLOCK_MONOTONIC): the event's time
        self._seen.append((kind, data))
        if self._timeline is not None:
            at = mono / 1000 if isinstance(mono, (int, float)) and not isinstance(mono, bool) else None
            self._timeline.add(self.source, kind, data, at=at)
        else:
            self._pending.append((kind, data))
        async with self._changed:
            self._changed.notify_all()

    async def _read_stderr(self) -> None:
        async for chunk in self.proc.stderr:
            self._stderr += chunk
            if len(self._stderr) > _STDERR_KEEP:
                del self._stderr[:-_STDERR_KEEP]
