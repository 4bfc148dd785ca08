"""The browser client peer (socket.io-client in headless Chromium), driven directly over JSON lines.

It must say hello only when Chromium and the page are ready, connect to a real Node server,
upgrade, round-trip an ack, show the CORS symptom of a v4 server without `cors`, and leave no
Chromium behind, on `stop` as on stdin EOF.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

import pytest

from harness.peers._catalog import NODE_DIR
from harness.peers.browser._chromium import missing_reason

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(missing_reason() is not None, reason=f"browser peer: {missing_reason()}")]


class Peer:
    """A JSON-lines subprocess with its events collected as they come."""

    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc, self.events = proc, []
        self._new = asyncio.Event()
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def spawn(cls, *argv: str, cwd: str | None = None) -> "Peer":
        proc = await asyncio.create_subprocess_exec(*argv, cwd=cwd, stdin=asyncio.subprocess.PIPE,
                                                    stdout=asyncio.subprocess.PIPE, start_new_session=True)
        return cls(proc)

    async def _read(self) -> None:
        async for line in self.proc.stdout:
            self.events.append(dict(json.loads(line), _t=time.monotonic()))
            self._new.set()
        self._new.set()

    async def send(self, **cmd) -> None:
        self.proc.stdin.write(json.dumps(cmd).encode() + b"\n")
        await self.proc.stdin.drain()

    async def wait(self, *kinds: str, after: int = 0, timeout: float = 10.0) -> dict:
        async def find():
            while True:
                hit = next((e for e in self.events[after:] if e["event"] in kinds), None)
                if hit is not None:
                    return hit
                assert not self._reader.done(), f"peer closed stdout before {kinds}: {self.events}"
                self._new.clear()
                await self._new.wait()
        return await asyncio.wait_for(find(), timeout)


def _descendants(pid: int) -> set[int]:
    """Every live process below pid (Chromium runs in its own group under Playwright's driver)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except (FileNotFoundError, IndexError, ValueError, ProcessLookupError):
                pass
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except (FileNotFoundError, ProcessLookupError):
        return "?"


async def _none_left(pids: set[int], timeout: float = 5.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p for p in pids if _alive(p)]
        if not alive:
            return []
        await asyncio.sleep(0.1)
    return [p for p in pids if _alive(p)]


async def _server(options: dict) -> tuple[Peer, int]:
    server = await Peer.spawn("node", str(NODE_DIR / "server.js"), "sio-4.8.1", cwd=str(NODE_DIR))
    await server.wait("hello")
    await server.send(cmd="start", host="127.0.0.1", port=0, options=options)
    return server, (await server.wait("listening"))["port"]


async def _browser() -> tuple[Peer, float]:
    t0 = time.monotonic()
    peer = await Peer.spawn(sys.executable, "-u", "-m", "harness.peers.browser.client", "sioc-4.8.1")
    hello = await peer.wait("hello", timeout=30)
    return peer, hello["_t"] - t0


async def test_connect_upgrade_ack_cors_and_clean_stop():
    with_cors, with_cors_port = await _server({"cors": {"origin": "*"}})
    no_cors, no_cors_port = await _server({})
    peer, hello_s = await _browser()
    try:
        hello = peer.events[0]
        assert hello["role"] == "client" and hello["impl"] == "socket.io-client (chromium)"
        assert hello["version"] == "4.8.1" and hello["chromium"].split(".")[0].isdigit()
        ours = {p for p in _descendants(peer.proc.pid) if "chrom" in _comm(p)}
        assert ours, "hello came before Chromium was running"

        mark = len(peer.events)
        t0 = time.monotonic()
        await peer.send(cmd="connect", url=f"http://127.0.0.1:{with_cors_port}", options={"reconnection": False})
        assert (await peer.wait("handshake", after=mark))["pingInterval"] == 25000
        connected = await peer.wait("connect", "connect_error", after=mark)
        assert connected["event"] == "connect", connected
        connect_ms = (connected["_t"] - t0) * 1000
        assert (await peer.wait("upgrade", after=mark))["transport"] == "websocket"
        await peer.send(cmd="emit", event="round-trip", args=[{"$bytes": 100}], ack="a1")
        ack = await peer.wait("ack", after=mark)
        assert ack == dict(ack, ack="a1", args=[{"name": "round-trip", "size": 104}])
        assert (await with_cors.wait("message"))["size"] == 104
        await peer.send(cmd="disconnect")
        assert (await peer.wait("disconnect", after=mark))["reason"] == "io client disconnect"

        mark = len(peer.events)
        await peer.send(cmd="connect", url=f"http://127.0.0.1:{no_cors_port}", options={"reconnection": False})
        refused = await peer.wait("connect", "connect_error", after=mark)
        assert refused == dict(refused, event="connect_error", message="xhr poll error", description=0,
                               type="TransportError")

        await peer.send(cmd="stop")
        await peer.wait("stopped")
        assert await asyncio.wait_for(peer.proc.wait(), 10) == 0
        assert await _none_left(ours) == [], "Chromium outlived the peer"
        print(f"\nspawn->hello {hello_s * 1000:.0f} ms, connect {connect_ms:.0f} ms")
    finally:
        for p in (peer, with_cors, no_cors):
            if p.proc.returncode is None:
                p.proc.kill()
                await p.proc.wait()


async def test_stdin_eof_closes_the_browser():
    peer, _ = await _browser()
    ours = {p for p in _descendants(peer.proc.pid) if "chrom" in _comm(p)}
    peer.proc.stdin.close()
    try:
        assert await asyncio.wait_for(peer.proc.wait(), 10) == 0
    finally:
        if peer.proc.returncode is None:
            peer.proc.kill()
    assert peer.events[-1]["event"] == "stopped"
    assert await _none_left(ours) == [], "Chromium outlived the peer"
