"""restart_server with real peers: the same port, a new process, the old one gone, no crash reported,
and nothing left after the run; the swarm peer's sockets all come back."""

import os
import textwrap

import pytest

from harness.runner import Session
from harness.scenario import load_cases

pytestmark = pytest.mark.e2e


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def test_restart_server_same_port_new_process_nothing_left(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent("""\
        name: restart
        doc: d
        server: {peer: node@4.8.1, options: {pingInterval: 2000, pingTimeout: 2000}}
        client: {peer: swarm@4.8.1, options: {$count: 20, reconnectionDelay: 100, reconnectionDelayMax: 400,
                                             randomizationFactor: 0}}
        steps:
          - connect
          - wait_for: {event: all_connected, timeout: 10s}
          - wait: 1s
          - restart_server: {down_for: 300ms}
          - wait_for: {event: all_connected, match: {round: 2}, timeout: 10s}
        expect:
          - reconnect_storm: {within: 5s}
          - disconnect: {side: client, reason: [transport close, transport error], min_count: 20}
        """))
    case, = load_cases(path)
    async with Session(spares=0) as session:
        result = await session.run(case)
    timeline = result.main.timeline
    assert result.verdict == "works", (result.reason, result.main.error)
    killed, = timeline.events("runner", "server_killed")
    restarted, = timeline.events("runner", "server_restarted")
    assert killed.data["port"] == restarted.data["port"] and killed.data["pid"] != restarted.data["pid"]
    assert restarted.data["down_ms"] >= 300
    listening = timeline.events("server:0", "listening")
    assert [e.data["port"] for e in listening] == [killed.data["port"]] * 2
    assert not timeline.events(kind="peer_exit")                      # the kill is not a crash
    connections = [e for e in timeline.events("server:0", "connection") if e.t > restarted.t]
    assert len(connections) == 20                                     # every socket on the new process
    assert not _alive(killed.data["pid"]) and not _alive(restarted.data["pid"])
    assert os.path.exists("/proc/self")


async def test_restart_server_index_out_of_range_is_an_error(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent("""\
        name: restart
        doc: d
        server: node@4.8.1
        steps: [restart_server: {server: 1}]
        expect: [connected: {}]
        """))
    case, = load_cases(path)
    async with Session(spares=0) as session:
        result = await session.run(case)
    assert result.verdict == "error" and "the scenario has 1 server(s)" in result.reason
