"""The shared Chromium (harness/peers/browser/host.py): browser@ peers of one pool use one Chromium,
each in a context of its own; a killed peer costs the others nothing; a dead host is started again;
closing the pool leaves no process and no temp dir."""

from __future__ import annotations

import os
import signal

import pytest

from harness.peers import resolve_peer
from harness.peers._pool import PeerPool
from harness.peers.browser._chromium import missing_reason

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(missing_reason() is not None, reason=f"browser peer: {missing_reason()}")]


def _children(pid: int) -> set[int]:
    out = set()
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.add(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    return out


async def test_peers_share_one_chromium_in_contexts_of_their_own_and_survive_a_killed_neighbour():
    spec = resolve_peer("browser@4.8.1", "client")
    pool = PeerPool(spares=0)
    try:
        first, second = await pool.acquire(spec), await pool.acquire(spec)
        host = pool.browser_host.proc
        assert host is not None and host.returncode is None
        for peer in (first, second):
            assert peer.hello["shared_chromium"] is True
            assert peer.hello["pid"] == peer.proc.pid      # the pipe's pid: stop and kill act on it
        assert first.hello["page"] != second.hello["page"]  # a page server of its own each

        await first.kill(signal.SIGKILL)                    # the host closes its context, nothing more
        third = await pool.acquire(spec)
        assert pool.browser_host.proc is host and host.returncode is None
        assert second.alive and third.alive
        for peer in (second, third):
            await peer.stop()
            assert peer.proc.returncode == 0, peer.stderr   # "stopped" came through the pipe

        os.killpg(host.pid, signal.SIGKILL)                 # the host dies: the next peer starts a new one
        await host.wait()
        fourth = await pool.acquire(spec)
        assert pool.browser_host.proc is not host and fourth.hello["shared_chromium"] is True
        await fourth.stop()
    finally:
        tmpdir = pool.browser_host.tmpdir
        await pool.close()
    assert pool.browser_host.proc is None and not os.path.exists(tmpdir)
    assert _children(os.getpid()) == set()


async def test_sockfault_browser_shared_0_gives_a_peer_its_own_chromium(monkeypatch):
    monkeypatch.setenv("SOCKFAULT_BROWSER_SHARED", "0")
    pool = PeerPool(spares=0)
    try:
        peer = await pool.acquire(resolve_peer("browser@4.8.1", "client"))
        assert peer.hello["shared_chromium"] is False and pool.browser_host.proc is None
        await peer.stop()
    finally:
        await pool.close()
    assert _children(os.getpid()) == set()
