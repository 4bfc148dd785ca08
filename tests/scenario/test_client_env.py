"""A client's `env:` (HTTP_PROXY, NO_PROXY, ...): loaded, validated with file:line, replaced by a
control, {closed_port} filled with a port nothing listens on, and a client with env is never warm."""

import asyncio
import socket

import pytest

from harness._run import Run
from harness.errors import ScenarioError
from harness.peers import PeerPool
from harness.scenario import load_cases


def _load(tmp_path, client, control=""):
    path = tmp_path / "s.yaml"
    path.write_text(f"name: s\ndoc: d\nserver: node@4.8.1\nclient: {client}\nexpect:\n  - connected: {{}}\n{control}")
    return load_cases(path)


def test_env_is_part_of_the_client_spec(tmp_path):
    (case,) = _load(tmp_path, '{peer: node@4.8.1, env: {HTTP_PROXY: "http://127.0.0.1:{closed_port}", N: 3}}')
    assert case.clients[0].spec.env == (("HTTP_PROXY", "http://127.0.0.1:{closed_port}"), ("N", "3"))
    assert case.clients[0].spec.argv[-1] == "sioc-4.8.1"


def test_a_control_env_replaces_the_clients(tmp_path):
    control = "control:\n  client: {env: {NO_PROXY: 127.0.0.1}}\n"
    (case,) = _load(tmp_path, "{peer: python, env: {HTTP_PROXY: x}}", control)
    assert case.clients[0].spec.env == (("HTTP_PROXY", "x"),)
    assert case.control.clients[0].spec.env == (("NO_PROXY", "127.0.0.1"),)
    (case,) = _load(tmp_path, "{peer: python, env: {HTTP_PROXY: x}}", "control:\n  client: {env: {}}\n")
    assert case.control.clients[0].spec.env == ()
    (case,) = _load(tmp_path, "{peer: python, env: {HTTP_PROXY: x}}", "control:\n  client: {options: {a: 1}}\n")
    assert case.control.clients[0].spec.env == (("HTTP_PROXY", "x"),)


@pytest.mark.parametrize("client, message", [
    ("{peer: node@4.8.1, env: [HTTP_PROXY]}", "client/env: ['HTTP_PROXY'] is not of type 'object'"),   # the schema
    ('{peer: node@4.8.1, env: {"HTTP-PROXY": x}}', "'HTTP-PROXY' is not an environment variable name"),
    ("{peer: node@4.8.1, env: {HTTP_PROXY: [a]}}", "env HTTP_PROXY: a string or a number, not list"),
    ("{peer: node@4.8.1, env: {HTTP_PROXY: true}}", "env HTTP_PROXY: a string or a number, not bool"),
    ('{peer: node@4.8.1, env: {HTTP_PROXY: "http://127.0.0.1:{port}"}}', "unknown field {port}"),
    ("{peer: node@4.8.1, cwd: x}", "`cwd` belongs to an app server"),
])
def test_bad_client_env_is_a_file_line_error(tmp_path, client, message):
    with pytest.raises(ScenarioError) as info:
        _load(tmp_path, client)
    assert message in str(info.value)
    assert "s.yaml:4" in str(info.value)
    if "unknown field" in message:
        assert "{closed_port}" in str(info.value)


def test_closed_port_is_filled_with_a_port_nothing_listens_on_and_recorded(tmp_path):
    (case,) = _load(tmp_path, '{peer: node@4.8.1, env: {HTTP_PROXY: "http://127.0.0.1:{closed_port}", A: b}}')
    run = Run(case, pool=None, compressed=True)
    spec = run._client_spec(0, case.clients[0].spec)
    env = dict(spec.env)
    assert env["A"] == "b" and env["HTTP_PROXY"].startswith("http://127.0.0.1:")
    port = int(env["HTTP_PROXY"].rsplit(":", 1)[1])
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))
    (event,) = run.timeline.events("runner", "client_env")
    assert event.data == {"client": 0, "env": env}
    bare = _load(tmp_path, "node@4.8.1")[0]
    assert Run(bare, pool=None, compressed=True)._client_spec(0, bare.clients[0].spec) is bare.clients[0].spec


def test_a_client_with_env_gets_no_warm_spare(tmp_path):
    (case,) = _load(tmp_path, "{peer: python, env: {HTTP_PROXY: x}}")
    pool = PeerPool(spares=2)
    pool._refill(case.clients[0].spec)
    assert pool._idle == {}
    asyncio.run(pool.close())
