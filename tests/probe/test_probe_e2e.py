"""The probe against real Node socket.io servers (4.8.1 and 2.4.1), started with `node -e`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from harness.probe import handshake, probe_all, upgrade
from harness.protocol import ErrorCode
from harness.timeline import Timeline

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("node") is None, reason="needs node")]

NODE_MODULES = Path(__file__).parents[2] / "harness" / "peers" / "node" / "node_modules"
SERVER_JS = """
const srv = require('http').createServer((q, r) => { r.writeHead(404); r.end(); });
require(process.argv[1])(srv);
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
"""


@pytest.fixture
def node_server():
    procs = []

    def start(version: str) -> str:
        proc = subprocess.Popen(["node", "-e", SERVER_JS, str(NODE_MODULES / f"sio-{version}")],
                                stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        port = proc.stdout.readline().strip()
        assert port, f"socket.io {version} did not start"
        return f"http://127.0.0.1:{port}"
    try:
        yield start
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def test_socketio_4_8_1(node_server):
    url = node_server("4.8.1")
    tl = Timeline()
    v3 = await handshake(url, eio=3, timeline=tl)
    v4 = await handshake(url, eio=4, timeline=tl)
    assert v3.status == 400 and v3.error.code == ErrorCode.UNSUPPORTED_PROTOCOL_VERSION
    assert v3.error.family == "node"
    assert v4.ok and v4.server_eio == 4 and v4.open.max_payload == 1000000
    assert (v4.open.ping_interval, v4.open.ping_timeout, v4.open.upgrades) == (25000, 20000, ("websocket",))
    up = await upgrade(url, eio=4, sid=v4.open.sid, timeline=tl)
    assert up.accepted and up.frames[0]["data"] == "3probe"
    assert [e.kind for e in tl.events(source="probe")] == ["http", "http", "ws_upgrade"]


async def test_socketio_2_4_1_answers_v3_framing(node_server):
    url = node_server("2.4.1")
    for eio in (3, 4):
        hs = await handshake(url, eio=eio)
        assert hs.ok and hs.server_eio == 3 and hs.open.max_payload is None
        assert (hs.open.ping_interval, hs.open.ping_timeout) == (25000, 5000)
        assert hs.packets[1].data == "0"  # the root namespace, connected unasked
    results = await probe_all(url, eios=(4,), origin="http://elsewhere.example")
    assert all(r.ok for r in results), [r.verdict() for r in results]
    assert any(r.kind == "ws_upgrade" and r.accepted for r in results)
