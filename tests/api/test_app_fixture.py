"""sockfault_app on tests/apps/node-chat (an ordinary Express + socket.io 4.8.1 app), a proxy in
front of it, and python-socketio as the user's client: the wire and the app's hook agree."""

import asyncio
import shutil
from pathlib import Path

import pytest
import socketio

CHAT = Path(__file__).resolve().parents[1] / "apps" / "node-chat"

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(shutil.which("node") is None or not (CHAT / "node_modules").is_dir(),
                                 reason="node, or tests/apps/node-chat/node_modules (npm ci), missing")]


async def chat(url: str, text: str) -> tuple[str, str, dict]:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, wait_timeout=10)
    try:
        ack = await client.call("chat message", text, timeout=5)
        return client.eio.sid, client.transport(), ack
    finally:
        await client.disconnect()


def test_node_chat_behind_a_proxy_that_refuses_the_upgrade(sockfault_app, sockfault_proxy):
    app = sockfault_app("node index.js", cwd="../apps/node-chat")        # relative to this file; PORT={port}
    assert any("listening on" in e.data["line"] for e in app.events("log"))
    p = sockfault_proxy(app)

    sid, transport, ack = asyncio.run(chat(p.url, "hello"))
    assert ack == {"ok": True} and transport == "websocket"
    assert p.transports()[sid] == "websocket"
    assert ("GET", "/socket.io/", 200) in p.http_statuses()

    handle = p.apply("strip_upgrade", mode="reject")
    stuck, transport, ack = asyncio.run(chat(p.url, "still here"))
    assert ack == {"ok": True} and transport == "polling"
    assert p.transports()[stuck] == "polling" and p.upgrade_failures()[stuck][0]["status"] == 403
    p.remove(handle)

    # the app's side, from the Node hook: both sessions connected, and the server saw them leave
    app_disconnects = p.wait_for(lambda e: e.source == "server:0" and len(app.events("disconnect")) >= 2,
                                 timeout=5)
    assert app_disconnects is not None
    transports = [e.data.get("transport") for e in app.events("connection")]
    # the refused session connected on polling; the first one's namespace CONNECT may go out before or
    # after its upgrade (python-socketio races the two), so its transport is not asserted
    assert len(transports) == 2 and transports[1] == "polling"
    # what each side saw of the two goodbyes: the wire has the client's websocket close and, on
    # polling, its DISCONNECT + close packets; the server (socket.io 4.8.1) names a reason for each
    reasons = [e.data.get("reason") for e in app.events("disconnect")]
    assert len(reasons) == 2 and set(reasons) <= {"transport close", "client namespace disconnect"}
    wire = p.disconnect_reasons()
    assert wire[sid][-1]["what"] == "ws_close" and wire[sid][-1]["by"] == "client"
    # the goodbyes in order (an http_error / http_status entry of a cut poll may come first on a loaded machine)
    goodbyes = [(r["what"], r["by"]) for r in wire[stuck] if "by" in r][:2]
    assert goodbyes == [("sio_disconnect", "client"), ("close_packet", "client")], wire[stuck]
