"""The Node hook with an app that builds `new Server()` bare and gives its options to `io.attach()`
(browser-sync does): its own heartbeat is the one compressed, and `listening` names the path the
engine really answers at."""

from pathlib import Path

import pytest

from harness.peers.app import AppServer, app_spec
from harness.timeline import Timeline

pytestmark = pytest.mark.e2e
NODE_MODULES = Path(__file__).resolve().parents[2] / "harness" / "peers" / "node" / "node_modules"
APP = """
const http = require('http');
const { Server } = require('sio-4.8.1');
const server = http.createServer();
const io = new Server();
io.attach(server, { path: '/tool/socket.io', pingInterval: 40000, pingTimeout: 5000 });
server.listen(Number(process.env.PORT), '127.0.0.1');
"""

if not (NODE_MODULES / "sio-4.8.1").exists():
    pytest.skip("harness/peers/node/node_modules missing (run `make setup`)", allow_module_level=True)


@pytest.mark.parametrize("compressed,interval,timeout", [(True, 1000, 500), (False, 40000, 5000)])
async def test_options_given_to_attach_are_the_apps_own(tmp_path, compressed, interval, timeout):
    (tmp_path / "app.js").write_text(APP)
    spec = app_spec({"app": ["node", "app.js"], "cwd": str(tmp_path), "path": "/tool/socket.io/",
                     "env": {"PORT": "{port}", "NODE_PATH": str(NODE_MODULES)}}, None)
    server, timeline = AppServer(spec), Timeline()
    server.attach(timeline, "server:0")
    try:
        await server.start({}, compressed=compressed)
    finally:
        await server.stop()
    listening, = [e for e in timeline.events(kind="listening") if "observed" not in e.data]
    assert listening.data["path"] == "/tool/socket.io"
    assert (listening.data["options"]["pingInterval"], listening.data["options"]["pingTimeout"]) == (interval, timeout)
    ready, = timeline.events(kind="ready")
    assert (ready.data["handshake"]["pingInterval"], ready.data["handshake"]["pingTimeout"]) == (interval, timeout)
