"""A user's unmodified app as the scenario server (tests/apps/node-chat: Express + socket.io, knows
nothing of sockfault): `app:` with {port}, a fixed `port:`, `url:`; once per run; hook on and off."""

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from harness.peers.app._ports import free_port
from harness.runner import Session
from harness.scenario import load_cases

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
CHAT = ROOT / "tests" / "apps" / "node-chat"

if not (CHAT / "node_modules" / "socket.io").exists():
    pytest.skip(f"{CHAT}/node_modules missing (run `make setup`)", allow_module_level=True)

CUT = """
    name: app-cut
    doc: "Usage of the socket.id attribute"
    server: {server}
    client:
      peer: node@4.8.1
      options: {{transports: [websocket], reconnectionDelay: {{$scaled: 1000}}, reconnectionDelayMax: {{$scaled: 5000}}, timeout: {{$scaled: 20000}}}}
    proxies:
      - {{name: net, kind: toxiproxy}}
    faults:
      - toxic: {{type: timeout, attributes: {{timeout: 0}}, stream: downstream, at: 1 heartbeat, for: 1.5 heartbeats}}
      - toxic: {{type: timeout, attributes: {{timeout: 0}}, stream: upstream, at: 1 heartbeat, for: 1.5 heartbeats}}
    steps:
      - connect
      - wait_for: {{event: connect, timeout: 5s}}
      - emit: {{event: chat message, args: [hello]}}
      - wait: 4 heartbeats
    expect:
      - disconnect: {{reason: ping timeout, side: client, within: 1 heartbeat, from: fault}}
      - reconnected: {{new_id: true}}
      - event_received: {{side: server, name: chat message}}
    control:
      expect:
        - no_disconnect: {{for: 3 heartbeats}}
"""


def _write(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(text))
    return path


async def _run(path):
    async with Session() as session:
        return [await session.run(case) for case in load_cases(path)]


def _starts(run) -> int:
    return len(run.timeline.events(kind="app_start"))


async def test_app_server_once_per_run_with_compressed_heartbeat(tmp_path):
    server = f'{{app: "node index.js", cwd: "{CHAT}", env: {{PORT: "{{port}}"}}}}'
    result, = await _run(_write(tmp_path, CUT.format(server=server)))
    assert result.verdict == "reproduced", result.reason
    assert _starts(result.main) == 1 and _starts(result.control) == 1
    assert len(result.main.timeline.events(source="server:0", kind="hello")) == 1
    # the app's own pingInterval 10000 / pingTimeout 5000, scaled x1/40 by the hook (250 / 125), floored at 500
    handshake = result.main.timeline.events(source="client:0", kind="handshake")[0].data
    assert (handshake["pingInterval"], handshake["pingTimeout"]) == (500, 500)
    assert result.main.heartbeat_ms == 1000
    assert any("user connected" in e.data["line"] for e in result.main.timeline.events(kind="log"))


async def test_fixed_port_app_runs_main_and_control_in_turn(tmp_path):
    port = free_port()
    server = f'{{app: "node index.js", cwd: "{CHAT}", env: {{PORT: "{port}"}}, port: {port}}}'
    result, = await _run(_write(tmp_path, CUT.format(server=server)))
    assert result.verdict == "reproduced", result.reason
    for run in (result.main, result.control):
        assert run.timeline.events(kind="app_start")[0].data["port"] == port


async def test_url_server_and_hook_off_observe_from_the_wire(tmp_path):
    port = free_port()
    proc = subprocess.Popen(["node", "index.js"], cwd=CHAT, env=dict(os.environ, PORT=str(port)),
                            stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        text = f"""
            name: app-url
            doc: d
            server: {{url: "http://127.0.0.1:{port}"}}
            client: {{peer: node@4.8.1, options: {{reconnection: false}}}}
            proxies: [{{name: edge, kind: http}}]
            faults: [strip_upgrade: {{mode: reject}}]
            steps:
              - connect
              - wait_for: {{event: connect, timeout: 5s}}
              - wait: 1s
            expect:
              - transport_stays: {{transport: polling, for: 0.8s}}
            control:
              expect: [connected: {{transport: websocket}}]
        """
        result, = await _run(_write(tmp_path, text))
        assert result.verdict == "reproduced", result.reason
        assert _starts(result.main) == 0
        # the real heartbeat: nothing scaled it (10 s + 5 s), read from the wire
        assert result.main.heartbeat_ms == 15000
        assert proc.poll() is None            # sockfault stopped nothing it did not start
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


async def test_hook_false_keeps_the_app_untouched(tmp_path):
    text = """
        name: app-baseline
        doc: d
        server: {app: "node index.js", cwd: "%s", env: {PORT: "{port}"}, hook: false}
        client: {peer: node@4.8.1, options: {reconnection: false}}
        steps:
          - connect
          - wait_for: {event: connect, timeout: 5s}
          - wait: 0.5s     # a 4.x client may upgrade before or after its connect
        expect:
          - connected: {transport: websocket}
    """ % CHAT
    result, = await _run(_write(tmp_path, text))
    assert result.verdict in ("works", "reproduced"), result.reason + "\n" + result.main.timeline.excerpt(60)
    assert result.main.timeline.events(kind="observer")[0].data["hook"] is False
    assert result.main.heartbeat_ms == 15000     # as the app advertises it
    assert not result.main.timeline.events(source="server:0", kind="connection")   # no hook, no server events


async def test_an_app_that_never_answers_fails_with_its_output(tmp_path):
    text = """
        name: app-broken
        doc: d
        server: {app: "node -e \\"console.log('listening on 3000'); setInterval(() => {}, 1000)\\"", env: {X: "{port}"}, start_timeout: 1s}
        client: node@4.8.1
        expect: [connected: {}]
    """
    started = time.monotonic()
    result, = await _run(_write(tmp_path, text))
    assert result.verdict == "error"
    assert "no Engine.IO handshake" in result.reason and "listening on 3000" in result.reason
    assert time.monotonic() - started < 10


PY_CHAT = ROOT / "tests" / "apps" / "python-chat"


async def test_python_app_with_its_hook_stuck_in_polling(tmp_path):
    text = """
        name: py-app-polling
        doc: "Problem: the socket is stuck in HTTP long-polling"
        server: {app: "%s app.py", cwd: "%s", env: {PORT: "{port}"}}
        client: {peer: node@4.8.1, options: {reconnection: false}}
        proxies: [{name: edge, kind: http}]
        faults: [strip_upgrade: {mode: reject}]
        steps:
          - connect
          - wait_for: {event: connect, timeout: 5s}
          - emit: {event: chat message, args: [hi], ack: a1}
          - wait_for: {event: ack, timeout: 5s}
          - wait: 1 heartbeat
        expect:
          - transport_stays: {transport: polling, for: 1 heartbeat, upgrade_error: true}
          - event_received: {ack: a1}
          - event_received: {side: server, name: chat message}
        control:
          expect: [connected: {transport: websocket}]
    """ % (sys.executable, PY_CHAT)
    result, = await _run(_write(tmp_path, text))
    assert result.verdict == "reproduced", result.reason
    hello, = result.main.timeline.events(source="server:0", kind="hello")
    assert hello.data["impl"] == "python-socketio" and hello.data["hook"] == "python"
    # the app's own ping_interval=10 / ping_timeout=5 s, scaled and kept whole seconds (python-engineio)
    handshake = result.main.timeline.events(source="client:0", kind="handshake")[0].data
    assert (handshake["pingInterval"], handshake["pingTimeout"]) == (1000, 1000)
    ack, = result.main.timeline.events(source="client:0", kind="ack")
    assert ack.data["args"] == [{"ok": True}]         # the app's own handler answered


async def test_the_apps_own_page_with_actions_behind_a_proxy(tmp_path):
    from harness.peers import unavailable_reason, page_spec
    reason = unavailable_reason(page_spec("/"))
    if reason:
        pytest.skip(reason)
    text = """
        name: app-page
        doc: "Problem: the socket is stuck in HTTP long-polling"
        server: {app: "node index.js", cwd: "%s", env: {PORT: "{port}"},
                 options: {pingInterval: 1000, pingTimeout: 2000}}   # polls through mitmproxy under CI load
        client:
          page: /
          actions:
            - wait_for: "#status:text('online')"
            - fill: {selector: "#input", text: hello from the page}
            - click: "#send"
            - wait_for: "#messages li"
        proxies: [{name: edge, kind: http}]
        faults: [strip_upgrade: {mode: reject}]
        steps:
          - connect
          - wait_for: {event: connect, timeout: 10s}
          - wait_for: {event: action, match: {index: 3}, timeout: 10s}
          - wait: 1 heartbeat
        expect:
          - transport_stays: {transport: polling, for: 1 heartbeat}
          - event_received: {side: server, name: chat message}
          - event_received: {side: client, name: chat message}
        control:
          expect: [connected: {transport: websocket}]
    """ % CHAT
    result, = await _run(_write(tmp_path, text))
    assert result.verdict == "reproduced", result.reason
    message, = result.main.timeline.events(source="server:0", kind="message")
    assert message.data["args"] == ["hello from the page"]
