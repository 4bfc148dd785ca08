"""Run a real reverse-proxy binary from a generated config: the part nginx and HAProxy share.

The config is a template file with @@NAME@@ placeholders (nginx and HAProxy both use `$`
and braces). The process runs in the foreground under a private temp dir (config, pid,
logs), listens on a port picked by binding 127.0.0.1:0 first, is ready when that port
accepts, and is killed in stop(). A failed start raises ProxyError with its logs.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import tempfile
import time
from pathlib import Path

from harness.errors import ProxyError
from harness.links import ProxyLink
from harness.peers._reaper import forget_dir, forget_group, remember_dir, remember_group

__all__ = ["BinaryLink", "free_port", "render"]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def render(template: Path, values: dict[str, str]) -> str:
    text = template.read_text()
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", str(value))
    if "@@" in text:
        start = text.index("@@")
        raise ProxyError(f"{template.name}: unfilled placeholder {text[start:text.index('@@', start + 2) + 2]}")
    return text


class BinaryLink(ProxyLink):
    """Subclasses set `binary`, `package`, PRESETS and implement `command()` and `values()`."""

    binary: str = ""
    package: str = ""
    PRESETS: dict[str, str] = {}      # preset name -> template file name in the subclass's dir
    here: Path = Path(__file__).parent
    default_preset: str = ""
    start_timeout: float = 10.0

    def __init__(self, name, options, timeline):
        super().__init__(name, options or {}, timeline)
        self.preset = self.options.get("preset", self.default_preset)
        if self.preset not in self.PRESETS:
            from harness.errors import ScenarioError
            raise ScenarioError(f"unknown {self.kind} preset {self.preset!r}", choices=sorted(self.PRESETS))
        self.proc: asyncio.subprocess.Process | None = None
        self.dir: Path | None = None
        self.address: tuple[str, int] | None = None

    @classmethod
    def unavailable_reason(cls) -> str | None:
        if shutil.which(cls.binary) is None and not Path("/usr/sbin", cls.binary).exists():
            return f"{cls.binary} not installed (apt-get install {cls.package})"
        return None

    @classmethod
    def executable(cls) -> str:
        return shutil.which(cls.binary) or str(Path("/usr/sbin", cls.binary))

    def values(self, upstreams: list[tuple[str, int]], port: int) -> dict[str, str]:
        raise NotImplementedError

    def command(self, config: Path) -> list[str]:
        raise NotImplementedError

    def logs(self) -> str:
        return ""

    def config_text(self) -> str:
        return (self.dir / "proxy.conf").read_text() if self.dir else ""

    async def start(self, upstreams: list[tuple[str, int]]) -> tuple[str, int]:
        reason = self.unavailable_reason()
        if reason:
            raise ProxyError(reason)
        self.dir = Path(tempfile.mkdtemp(prefix=f"sockfault-{self.kind}-"))
        remember_dir(str(self.dir))      # the reaper removes it if the harness is killed mid-run
        os.chmod(self.dir, 0o755)        # worker processes may run as another user
        port = free_port()
        config = self.dir / "proxy.conf"
        config.write_text(render(self.here / self.PRESETS[self.preset], self.values(upstreams, port)))
        self.proc = await asyncio.create_subprocess_exec(
            *self.command(config), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=open(self.dir / "stderr.log", "wb"),
            start_new_session=True)
        remember_group(self.proc.pid)
        try:
            await self._wait_ready(port)
        except BaseException:
            await self.stop()
            raise
        self.address = ("127.0.0.1", port)
        self.timeline.add(self.source, "proxy_started", {"kind": self.kind, "preset": self.preset,
                                                        "listen": list(self.address),
                                                        "upstreams": [list(u) for u in upstreams]})
        return self.address

    async def _wait_ready(self, port: int) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.proc.returncode is not None:
                raise ProxyError(f"{self.binary} exited with {self.proc.returncode} at start-up\n{self._stderr()}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise ProxyError(f"{self.binary} did not accept on 127.0.0.1:{port} within {self.start_timeout}s\n{self._stderr()}")
            await asyncio.sleep(0.02)

    def _stderr(self) -> str:
        text = ""
        if self.dir and (self.dir / "stderr.log").exists():
            text = (self.dir / "stderr.log").read_text(errors="replace")
        return (text + self.logs())[-4000:]

    async def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.returncode is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                await asyncio.wait_for(proc.wait(), 3)
            except asyncio.TimeoutError:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                await proc.wait()
            self.timeline.add(self.source, "proxy_stopped", {"kind": self.kind})
        if proc is not None:
            forget_group(proc.pid)
        if self.dir is not None:
            forget_dir(str(self.dir))
            self.dir = None
