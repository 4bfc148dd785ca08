"""Compressed time: each server's defaults scaled down, a `command:` server's picked by its hello."""

import sys

from harness._run import Run
from harness._timescale import SCALE, hello_family, server_options, uncompressed_reason
from harness.peers import resolve_peer
from harness.scenario import Case, Duration, Expectation
from harness.scenario._model import PeerConfig

NODE_HELLO = {"event": "hello", "role": "server", "impl": "socket.io", "version": "4.8.1", "pid": 1}
PY_HELLO = {"event": "hello", "role": "server", "impl": "python-socketio", "version": "5.11.2", "pid": 1}


def test_bundled_families_use_their_own_table():
    assert server_options("node", "4.8.1", {}, True) == {"pingInterval": 625, "pingTimeout": 500}
    assert server_options("node", "3.1.2", {"pingTimeout": 999}, True) == {"pingInterval": 625, "pingTimeout": 999}
    assert server_options("python", "5.11.2", {}, True) == {"pingInterval": 1000, "pingTimeout": 1000}
    assert server_options("node", "4.8.1", {}, False) == {}


def test_a_hello_maps_to_the_table_of_its_impl():
    assert hello_family(NODE_HELLO) == ("node", "4.8.1")
    assert hello_family(dict(NODE_HELLO, version="2.4.1")) == ("node", "2.4.1")
    assert hello_family(PY_HELLO) == ("python", "5.11.2")
    assert hello_family({"impl": "socket.io", "version": "9.0.0"}) is None      # no table for it
    assert hello_family({"impl": "my-server"}) is None and hello_family(None) is None


def test_a_command_server_gets_compressed_time_from_its_hello():
    assert server_options("command", "", {}, True) == {}                      # what it was before
    assert server_options("command", "", {}, True, NODE_HELLO) == {"pingInterval": round(25000 * SCALE),
                                                                      "pingTimeout": round(20000 * SCALE)}
    # python-engineio advertises whole seconds: the python rounding follows the hello's impl
    assert server_options("command", "", {}, True, PY_HELLO) == {"pingInterval": 1000, "pingTimeout": 1000}
    assert server_options("command", "", {"pingInterval": 50}, True, NODE_HELLO)["pingInterval"] == 50
    assert uncompressed_reason("command", "", {}, True, NODE_HELLO) is None


def test_when_nothing_is_known_the_reason_says_so():
    reason = uncompressed_reason("command", "", {}, True, {"impl": "my-sio", "version": "1.0"})
    assert reason and "'my-sio'" in reason and "pingInterval/pingTimeout" in reason
    assert "names no impl" in uncompressed_reason("command", "", {}, True, {"event": "hello"})
    assert uncompressed_reason("command", "", {}, False, {}) is None                  # faithful: nothing to reach
    assert uncompressed_reason("command", "", {"pingInterval": 1, "pingTimeout": 1}, True, {}) is None
    assert uncompressed_reason("plain-ws", "", {}, True, {"impl": "websockets"}) is None   # no heartbeat at all
    assert uncompressed_reason("command", "", {}, True, {"impl": "websockets"}) is None


class _FakeServer:
    def __init__(self, hello):
        self.hello, self.sent = hello, []

    async def request(self, command, answers, timeout):
        self.sent.append(command)
        return {"event": "listening", "port": 4321}


def _case(command="my-server"):
    server = PeerConfig(resolve_peer(None, "server", command=f"{sys.executable} {command}.py"))
    return Case(name="c", case_id="c", file="c.yaml", line=1, doc="d", timing="compressed", timeout=Duration(10),
                tags=(), servers=(server,), clients=(), proxies=(), faults=(), steps=(),
                expect=(Expectation("connected", {}, 3),), cause="baseline")


async def test_the_runner_records_when_compressed_time_does_not_reach_a_server():
    run = Run(_case(), pool=None, compressed=True)
    unknown = _FakeServer({"event": "hello", "impl": "my-sio", "version": "0.1"})
    assert await run._start_server(0, unknown) == ("127.0.0.1", 4321)
    (event,) = run.timeline.events("runner", "timescale")
    assert event.data["server"] == 0 and event.data["compressed"] is False and "my-sio" in event.data["reason"]
    assert "pingInterval" not in unknown.sent[0]["options"]

    run = Run(_case(), pool=None, compressed=True)
    known = _FakeServer(NODE_HELLO)
    await run._start_server(0, known)
    assert known.sent[0]["options"] == {"pingInterval": 625, "pingTimeout": 500}
    assert not run.timeline.events("runner", "timescale")


def test_a_compressed_ping_timeout_never_goes_below_the_floor():
    from harness._timescale import MIN_PING_TIMEOUT_MS, server_options
    assert server_options("node", "2.4.1", {}, True)["pingTimeout"] == MIN_PING_TIMEOUT_MS      # 5000 / 40 = 125
    assert server_options("node", "4.8.1", {}, True)["pingTimeout"] == 500                      # 20000 / 40
    assert server_options("node", "1.7.4", {}, True)["pingTimeout"] == 1500                     # 60000 / 40
    assert server_options("node", "2.4.1", {"pingTimeout": 100}, True)["pingTimeout"] == 100    # the scenario's own
    assert server_options("node", "2.4.1", {}, False) == {}                                     # faithful: untouched
