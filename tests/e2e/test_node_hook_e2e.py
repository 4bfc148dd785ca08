"""The Node hook on ordinary apps in tests/apps: socket.io 4 by require (node-chat) and by import
(node-esm), socket.io 2 with io.listen (node-v2): events on the timeline, options merged, heartbeat scaled."""

import textwrap
from pathlib import Path

import pytest

from harness.runner import Session
from harness.scenario import load_cases

pytestmark = pytest.mark.e2e
APPS = Path(__file__).resolve().parents[1] / "apps"

SCENARIO = """
    name: hook
    doc: d
    server: {{app: "node index.js", cwd: "{cwd}", env: {{PORT: "{{port}}"}}, options: {options}}}
    client: {{peer: {client}, url_path: "{url_path}", options: {{reconnection: false}}}}
    steps:
      - connect
      - wait_for: {{event: connect, timeout: 5s}}
      - emit: {{event: {event}, args: [hi]}}
      - wait: 0.3s
      - server_emit: {{event: from-runner, args: [42]}}
      - wait: {last_wait}
    expect:
      - connected: {{}}
      - event_received: {{side: server, name: {event}}}
      - event_received: {{side: client, name: from-runner}}
"""

CASES = {
    # app, client, namespace, event, scenario options -> (pingInterval, pingTimeout, maxHttpBufferSize) advertised
    "require-v4": ("node-chat", "node@4.8.1", "", "chat message", "{}", (500, 500, 1000000)),   # 250/125, floored
    "import-v4": ("node-esm", "node@4.8.1", "/orders", "order", "{}", (500, 500, 5000)),
    # socket.io 2.4.1 drops the constructor's options when io.listen(port) attaches later: the app's
    # pingTimeout 4000 never applies (it advertises engine.io's 5000 without sockfault too): 125, floored to 500
    "listen-v2": ("node-v2", "node@2.4.0", "", "chat message", "{}", (625, 500, 100000000)),
    "scenario-wins": ("node-esm", "node@4.8.1", "", "ping-me", "{pingInterval: 300, maxHttpBufferSize: 777}",
                      (300, 500, 777)),
    # nothing in the case waits on the heartbeat (a 0.3 s wait, not 0.5 heartbeats): the app keeps its own 10 s / 5 s
    "connect-only": ("node-chat", "node@4.8.1", "", "chat message", "{}", (10000, 5000, 1000000)),
}


@pytest.mark.parametrize("name", CASES)
async def test_hook_reports_and_merges(tmp_path, name):
    app, client, url_path, event, options, (interval, timeout, max_size) = CASES[name]
    if not (APPS / app / "node_modules").exists():
        pytest.skip(f"tests/apps/{app}/node_modules missing (make setup)")
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(SCENARIO.format(cwd=APPS / app, client=client, url_path=url_path, event=event,
                                                    options=options,
                                                    last_wait="0.3s" if name == "connect-only" else "0.5 heartbeats")))
    async with Session() as session:
        result, = [await session.run(case) for case in load_cases(path)]
    assert result.verdict in ("works", "reproduced"), result.reason
    timeline = result.main.timeline
    hello, = timeline.events(source="server:0", kind="hello")
    assert hello.data["hook"] == "node" and hello.data["version"] == ("2.4.1" if app == "node-v2" else "4.8.1")
    listening = [e for e in timeline.events(source="server:0", kind="listening") if "observed" not in e.data]
    opts = listening[0].data["options"]
    assert (opts["pingInterval"], opts["pingTimeout"], opts["maxHttpBufferSize"]) == (interval, timeout, max_size)
    connection = timeline.events(source="server:0", kind="connection")[-1]
    assert connection.data["namespace"] == (url_path or "/")
    message, = [e for e in timeline.events(source="server:0", kind="message") if e.data["name"] == event]
    assert message.data["args"] == ["hi"]
