"""The user's own page as the client (harness/peers/browser/page_client.py), driven over JSON lines.

tests/apps/node-page is an ordinary chat page served by a real socket.io server (4.8.1, 2.4.1,
1.7.4, each serving its own client bundle at /socket.io/socket.io.js): the hook must find that
client whatever its version, the actions must drive the page, the server must get the message,
and the page must report connect / upgrade / emitted / event / disconnect. A failing action names
its index and selector; a page that cannot load names its URL; a bundled client (nothing global)
still shows on the network events; the ESM build is hooked too; Chromium dying ends the peer.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import time
from pathlib import Path

import pytest

from harness.peers._catalog import NODE_DIR, PeerSpec, page_spec
from harness.peers._process import PeerProcess
from harness.peers.browser._chromium import missing_reason
from harness.timeline import Event, Timeline

APP = Path(__file__).resolve().parents[1] / "apps" / "node-page" / "index.js"

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(missing_reason() is not None, reason=f"page client: {missing_reason()}"),
              pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")]


def _installed(alias: str):
    return pytest.param(alias, marks=pytest.mark.skipif(
        not (NODE_DIR / "node_modules" / alias / "package.json").exists(),
        reason=f"{alias} is not installed in {NODE_DIR} (run `make setup`)"))


async def _wait(tl: Timeline, source: str, kind: str, timeout: float = 10.0, after: float = 0.0, **match) -> Event:
    def hit(e: Event) -> bool:
        return (e.source == source and e.kind == kind and e.t >= after
                and all(e.data.get(k) == v for k, v in match.items()))
    found = await tl.wait_for(hit, timeout)
    assert found is not None, f"no {source} {kind} {match or ''} within {timeout} s:\n{tl.excerpt(60)}"
    return found


async def _app(tl: Timeline, alias: str = "sio-4.8.1") -> tuple[PeerProcess, int]:
    spec = PeerSpec(f"node-page:{alias}", "server", "command", "", ("node", str(APP), alias), cwd=str(APP.parent))
    app = await PeerProcess.spawn(spec)
    app.attach(tl, "server")
    listening = await app.wait_event({"listening"}, 10)
    return app, listening["port"]


async def _page(tl: Timeline) -> tuple[PeerProcess, float]:
    t0 = time.monotonic()
    peer = await PeerProcess.spawn(page_spec("/"))
    await peer.wait_hello(timeout=30)
    peer.attach(tl, "page")
    return peer, time.monotonic() - t0


async def _stop(*peers: PeerProcess | None) -> None:
    for peer in peers:
        if peer is not None:
            await peer.stop()


@pytest.mark.parametrize("alias", [_installed("sio-4.8.1"), _installed("sio-2.4.1"), _installed("sio-1.7.4")])
async def test_the_page_chats_through_its_own_client(alias):
    tl = Timeline()
    app = peer = None
    try:
        app, port = await _app(tl, alias)
        peer, hello_s = await _page(tl)
        hello = peer.hello
        assert hello == dict(hello, role="client", impl="page (chromium)", version="")
        assert hello["chromium"].split(".")[0].isdigit() and hello["pid"] > 0

        t_connect = tl.now()
        await peer.send({"cmd": "connect", "url": f"http://127.0.0.1:{port}/",
                         "actions": [{"fill": {"selector": "#m", "text": "hello from the page"}}, {"click": "#send"},
                                     {"wait_for": "#messages li"}]})
        await _wait(tl, "page", "hook", found="window.io")
        message = await _wait(tl, "server", "message", name="chat message")
        assert message.data["args"] == ["hello from the page"]
        connect = await _wait(tl, "page", "connect")
        connection = await _wait(tl, "server", "connection")
        assert connect.data["id"] == connection.data["id"]
        assert connect.data["transport"] in ("polling", "websocket")   # 4.x may upgrade before its CONNECT lands
        assert (await _wait(tl, "page", "upgrade")).data["transport"] == "websocket"
        handshake = await _wait(tl, "page", "handshake")
        assert handshake.data["upgrades"] == ["websocket"] and handshake.data["pingInterval"] == 25000
        emitted = await _wait(tl, "page", "emitted", name="chat message", by="page")
        assert emitted.data["size"] == len(json.dumps(["hello from the page"]))
        echoed = await _wait(tl, "page", "event", name="chat message")   # the server's broadcast, back in the page
        assert echoed.data["args"] == ["hello from the page"]
        for index, action in enumerate(("fill", "click", "wait_for")):
            await _wait(tl, "page", "action", index=index, action=action, ok=True)
        ws = await _wait(tl, "page", "ws_open")
        assert "/socket.io/" in ws.data["url"] and "transport=websocket" in ws.data["url"]
        loaded = await _wait(tl, "page", "page_loaded")
        assert loaded.data["status"] == 200

        mark = tl.now()
        await peer.send({"cmd": "emit", "event": "chat message", "args": ["from sockfault"], "ack": "a1"})
        assert (await _wait(tl, "server", "message", after=mark)).data["args"] == ["from sockfault"]
        await _wait(tl, "page", "emitted", after=mark, by="sockfault", name="chat message", ack="a1")
        assert (await _wait(tl, "page", "ack", after=mark, ack="a1")).data["args"] == ["delivered"]

        mark = tl.now()   # a socket the page makes itself with new io.Manager(...).socket(...) is hooked too
        await peer.send({"cmd": "actions", "actions": [
            {"evaluate": "(() => { window.second = new io.Manager(location.origin).socket('/'); return 'made'; })()"}]})
        await _wait(tl, "page", "socket", after=mark, socket=1, how="manager.socket()")
        await _wait(tl, "page", "connect", after=mark, socket=1)
        await _wait(tl, "server", "connection", after=mark)

        mark = tl.now()
        await peer.send({"cmd": "disconnect"})   # every socket the hook found
        for n in (0, 1):
            gone = await _wait(tl, "page", "disconnect", after=mark, socket=n)
            assert gone.data["reason"] == "io client disconnect"
        for _ in range(50):
            if len(tl.events("server", "disconnect")) == 2:
                break
            await asyncio.sleep(0.1)
        assert [e.data["reason"] for e in tl.events("server", "disconnect")] == ["client namespace disconnect"] * 2
        await _wait(tl, "page", "ws_close", after=mark)
        assert not tl.events("page", "error") and not tl.events("page", "page_error"), tl.excerpt(60)

        await peer.send({"cmd": "stop"})
        await peer.wait_event({"stopped"}, 10)
        assert await asyncio.wait_for(peer.proc.wait(), 10) == 0
        first = {k: tl.first(lambda e, k=k: e.source == "page" and e.kind == k and e.t >= t_connect).t - t_connect
                 for k in ("page_loaded", "handshake", "connect", "upgrade", "emitted")}
        print(f"\n{alias}: spawn->hello {hello_s * 1000:.0f} ms; after connect (ms): "
              + ", ".join(f"{k} {v:.0f}" for k, v in first.items())
              + f" (context {loaded.data['context_ms']} ms, goto {loaded.data['ms']} ms)")
        if os.environ.get("SOCKFAULT_TEST_TIMELINE"):
            print(tl.excerpt(200))
    finally:
        await _stop(peer, app)


async def test_a_failing_action_names_its_index_and_selector_and_stops_the_rest():
    tl = Timeline()
    app = peer = None
    try:
        app, port = await _app(tl)
        peer, _ = await _page(tl)
        await peer.send({"cmd": "connect", "url": f"http://127.0.0.1:{port}/",
                         "actions": [{"fill": ["#m", "never sent"]}, {"click": {"selector": "#nope", "timeout": 500}},
                                     {"click": "#send"}]})
        error = await _wait(tl, "page", "error", cmd="connect")
        assert error.data["message"].startswith("action 1 click '#nope': "), error.data
        assert "Timeout 500ms exceeded" in error.data["message"] and "\n" not in error.data["message"]
        await asyncio.sleep(0.3)
        assert [e.data["index"] for e in tl.events("page", "action")] == [0]
        assert not tl.events("server", "message"), "the actions after the failing one ran"

        mark = tl.now()   # the page is still open: more actions run on it
        await peer.send({"cmd": "actions", "actions": [{"press": {"selector": "#m", "key": "Enter"}},
                                                       {"evaluate": "document.getElementById('status').textContent"}]})
        assert (await _wait(tl, "server", "message", after=mark)).data["args"] == ["never sent"]
        result = await _wait(tl, "page", "action", after=mark, index=1, action="evaluate")
        assert result.data["result"] == "online"

        mark = tl.now()
        await peer.send({"cmd": "actions", "actions": [{"tap": "#send"}]})
        assert "one of click, fill" in (await _wait(tl, "page", "error", after=mark, cmd="actions")).data["message"]

        await peer.send({"cmd": "actions", "actions": [{"wait": 60_000}]})   # a long action does not hold up stop
        await asyncio.sleep(0.2)
        t0 = time.monotonic()
        await peer.send({"cmd": "stop"})
        assert await asyncio.wait_for(peer.proc.wait(), 5) == 0
        assert time.monotonic() - t0 < 3
        assert (await _wait(tl, "server", "disconnect")).data["reason"] == "client namespace disconnect"
    finally:
        await _stop(peer, app)


async def test_a_page_that_cannot_load_names_its_url():
    with socket.socket() as probe:   # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tl = Timeline()
    peer = None
    try:
        peer, _ = await _page(tl)
        url = f"http://127.0.0.1:{port}/chat"
        await peer.send({"cmd": "connect", "url": url, "actions": [{"click": "#send"}]})
        error = await _wait(tl, "page", "error", cmd="connect")
        assert url in error.data["message"] and "net::ERR_CONNECTION_REFUSED" in error.data["message"], error.data
        assert (await _wait(tl, "page", "request_failed")).data["failure"] == "net::ERR_CONNECTION_REFUSED"
        await asyncio.sleep(0.2)
        assert not tl.events("page", "action") and not tl.events("page", "hook"), tl.excerpt()
        assert peer.alive
    finally:
        await _stop(peer)


@pytest.mark.parametrize("alias", [_installed("sio-4.8.1")])
async def test_esm_build_is_hooked_and_a_bundled_client_shows_on_the_network_only(alias):
    tl = Timeline()
    app = peer = None
    try:
        app, port = await _app(tl, alias)
        peer, _ = await _page(tl)
        actions = [{"wait_for": "#status >> text=online"}, {"fill": {"selector": "#m", "text": "hi"}},
                   {"click": "#send"}]

        await peer.send({"cmd": "connect", "url": f"http://127.0.0.1:{port}/esm.html", "actions": actions})
        await _wait(tl, "page", "hook", found="esm")
        await _wait(tl, "page", "connect")
        await _wait(tl, "page", "emitted", name="chat message", by="page")
        await _wait(tl, "server", "message")
        await _wait(tl, "page", "event", name="chat message")   # the broadcast back

        mark = tl.now()   # a second connect: the old page goes (its socket disconnects), a fresh one opens
        await peer.send({"cmd": "connect", "url": f"http://127.0.0.1:{port}/bundled.html", "actions": actions})
        assert (await _wait(tl, "server", "disconnect", after=mark)).data["reason"] == "client namespace disconnect"
        hook = await _wait(tl, "page", "hook", after=mark, found=False)
        assert "bundled" in hook.data["message"]
        await _wait(tl, "page", "ws_open", after=mark)
        await _wait(tl, "server", "message", after=mark)
        await _wait(tl, "page", "action", after=mark, index=2, ok=True)
        assert not [e for e in tl.events("page") if e.t >= mark and e.kind in ("connect", "emitted", "event")]
        assert not tl.events("page", "page_navigated"), "a fresh page is not a navigation"
        mark = tl.now()
        await peer.send({"cmd": "emit", "event": "chat message", "args": ["x"]})
        error = await _wait(tl, "page", "error", after=mark, cmd="emit")
        assert error.data["message"].startswith("no socket.io-client socket found in the page")
    finally:
        await _stop(peer, app)


def _chromium_under(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            todo.append(child)
            try:
                with open(f"/proc/{child}/comm") as f:
                    if "chrom" in f.read():
                        found.append(child)
            except OSError:
                pass
    return found


async def test_chromium_dying_ends_the_peer_with_an_error():
    tl = Timeline()
    peer = None
    try:
        peer, _ = await _page(tl)
        ours = _chromium_under(peer.proc.pid)
        assert ours, "hello came before Chromium was running"
        for pid in ours:   # only the Chromium processes this test's peer started
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        error = await _wait(tl, "page", "error")
        assert error.data["message"] == "chromium exited"
        assert await asyncio.wait_for(peer.proc.wait(), 10) == 1
    finally:
        await _stop(peer)
