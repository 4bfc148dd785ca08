"""The shared Chromium (harness/peers/browser/host.py): browser@ peers of one pool use one Chromium,
each in a context of its own; a killed peer costs the others nothing; a dead host is started again;
closing the pool leaves no process and no temp dir."""

from __future__ import annotations

import os
import signal

import pytest

from harness.peers import page_spec, resolve_peer
from harness.peers._pool import PeerPool
from harness.peers.browser._chromium import missing_reason

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(missing_reason() is not None, reason=f"browser peer: {missing_reason()}")]






async def test_peers_share_one_chromium_in_contexts_of_their_own_and_survive_a_killed_neighbour(new_children):
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
    assert new_children() == set()


async def test_sockfault_browser_shared_0_gives_a_peer_its_own_chromium(monkeypatch, new_children):
    monkeypatch.setenv("SOCKFAULT_BROWSER_SHARED", "0")
    pool = PeerPool(spares=0)
    try:
        peer = await pool.acquire(resolve_peer("browser@4.8.1", "client"))
        assert peer.hello["shared_chromium"] is False and pool.browser_host.proc is None
        await peer.stop()
    finally:
        await pool.close()
    assert new_children() == set()


async def test_a_page_peer_opens_the_users_page_in_the_shared_chromium(new_children):
    """`page:` clients use the run's Chromium too (a context per connect), beside browser@ peers."""
    from aiohttp import web

    app = web.Application()
    app.router.add_get("/", lambda _r: web.Response(text="<html><body><p id=x>hi</p></body></html>",
                                                    content_type="text/html"))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    pool = PeerPool(spares=0)
    try:
        browser = await pool.acquire(resolve_peer("browser@4.8.1", "client"))
        page = await pool.acquire(page_spec("/"))
        assert page.hello["shared_chromium"] is True and page.hello["impl"] == "page (chromium)"
        assert page.hello["pid"] == page.proc.pid
        await page.send({"cmd": "connect", "url": f"http://127.0.0.1:{port}/", "actions": [{"wait_for": "#x"}]})
        loaded = await page.wait_event({"page_loaded"}, 20)
        assert loaded["status"] == 200
        action = await page.wait_event({"action"}, 10)
        assert action["action"] == "wait_for" and action["ok"] is True
        await page.stop()
        assert page.proc.returncode == 0, page.stderr
        assert browser.alive                                  # its neighbour in the same Chromium goes on
        await browser.stop()
    finally:
        await pool.close()
        await runner.cleanup()
    assert new_children() == set()
