"""throttle_timers mode real in the browser peer: the page moves to a Chromium of its own, is really
hidden, records its wake-ups; that Chromium never outlives the peer (stop, and SIGKILL of the peer)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
import time

import pytest

from harness.peers.browser._chromium import missing_reason

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(missing_reason() is not None, reason=f"browser peer: {missing_reason()}")]


@pytest.fixture
def peer_tmp():
    """The peer's own TMPDIR, short (Chromium's singleton socket under it must fit AF_UNIX's 107 bytes:
    pytest's tmp_path under xdist does not), removed after the test as the runner removes a peer's."""
    path = tempfile.mkdtemp(prefix="sfrt-", dir="/tmp")
    yield path
    shutil.rmtree(path, ignore_errors=True)


class _Peer:
    async def start(self, tmpdir, alias="sioc-4.8.1"):
        """tmpdir: the peer's TMPDIR, as the runner gives each peer one: a killed peer's Chromium profile
        (RealPage's sockfault-chromium-*) stays there, not in /tmp."""
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "harness.peers.browser.client", alias, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL, start_new_session=True,
            env={**os.environ, "TMPDIR": str(tmpdir)})
        return await self.wait("hello", 60)

    def send(self, **cmd):
        self.proc.stdin.write((json.dumps(cmd) + "\n").encode())

    async def wait(self, event, timeout, seen=None):
        deadline = time.monotonic() + timeout
        while True:
            line = await asyncio.wait_for(self.proc.stdout.readline(), max(0.1, deadline - time.monotonic()))
            assert line, f"the peer exited waiting for {event}"
            msg = json.loads(line)
            if seen is not None:
                seen.append(msg)
            if msg.get("event") == event:
                return msg


def _gone(pid, within=5.0):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ")[1].startswith("Z"):
                    return True
        except (ProcessLookupError, FileNotFoundError):
            return True
        time.sleep(0.1)
    return False


async def test_the_page_is_really_hidden_and_records_its_wakeups(peer_tmp):
    peer = _Peer()
    await peer.start(peer_tmp)
    peer.send(cmd="throttle", mode="real", hide="new-tab", grace_s=10)
    on = await peer.wait("throttle", 60)
    assert on["on"] is True and on["visibility"] == "hidden" and on["mode"] == "real"
    seen = []
    for _ in range(4):
        await peer.wait("wakeup", 20, seen)
    wakeups = [m for m in seen if m["event"] == "wakeup"]
    assert all(m["visibility"] == "hidden" for m in wakeups)
    peer.send(cmd="throttle", off=True)
    off = await peer.wait("throttle", 20)
    assert off["on"] is False and off["visibility"] == "visible" and off["wakeups"] >= 4
    peer.send(cmd="stop")
    await peer.wait("stopped", 20)
    assert await asyncio.wait_for(peer.proc.wait(), 20) == 0
    assert _gone(on["chromium_pid"])


async def test_a_real_mode_fault_after_connect_is_refused(peer_tmp):
    peer = _Peer()
    await peer.start(peer_tmp)
    peer.send(cmd="connect", url="http://127.0.0.1:9", options={"reconnection": False})
    peer.send(cmd="throttle", mode="real")
    error = await peer.wait("error", 30)
    assert "before connect" in error["message"]
    peer.send(cmd="stop")
    await asyncio.wait_for(peer.proc.wait(), 20)


async def test_the_real_chromium_dies_with_the_peer(peer_tmp):
    peer = _Peer()
    await peer.start(peer_tmp)
    peer.send(cmd="throttle", mode="real")
    on = await peer.wait("throttle", 60)
    os.killpg(peer.proc.pid, signal.SIGKILL)
    await peer.proc.wait()
    assert _gone(on["chromium_pid"], within=10), "the directly launched Chromium outlived its peer"


@pytest.mark.slow
@pytest.mark.skipif("'slow' not in (config.getoption('markexpr') or '')",
                    reason="takes 2 minutes: runs with -m slow (as the scenarios' faithful set)")
async def test_intensive_throttling_really_starts(peer_tmp):
    """Chromium's own intensive throttling: a wake-up gap of 30 s or more within 2 minutes of hiding."""
    peer = _Peer()
    await peer.start(peer_tmp)
    peer.send(cmd="throttle", mode="real", grace_s=10)
    await peer.wait("throttle", 60)
    seen, deadline = [], time.monotonic() + 130
    while time.monotonic() < deadline:
        msg = await peer.wait("wakeup", deadline - time.monotonic(), seen)
        if msg["gap_ms"] >= 30000:
            break
    peer.send(cmd="stop")
    await asyncio.wait_for(peer.proc.wait(), 20)
    assert max(m["gap_ms"] for m in seen if m["event"] == "wakeup") >= 30000
