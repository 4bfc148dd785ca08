"""The pytest fixtures: sockfault_proxy and sockfault_app, used directly and from a user's own
test file run by pytester (`-p sockfault.fixtures`, as the pytest11 plugin will register them)."""

import os
import socket
import sys

import pytest
import socketio

from _sio import APP

pytest_plugins = ["pytester"]


def test_the_proxy_factory_closes_what_it_made(server, sockfault_proxy):
    first, second = sockfault_proxy(server.url), sockfault_proxy(server.address, kind="tcp")
    assert first.url != second.url and first.kind == "http" and second.kind == "tcp"
    client = socketio.Client(reconnection=False)
    client.connect(second.url, transports=["polling"], wait_timeout=5)
    assert client.call("echo", "via tcp", timeout=5) == "via tcp"
    client.disconnect()


def test_an_app_started_like_a_scenario_server_with_a_proxy_on_it(tmp_path, sockfault_app, sockfault_proxy):
    (tmp_path / "app.py").write_text(APP)
    app = sockfault_app([sys.executable, "app.py"], cwd=str(tmp_path), hook=False)   # env PORT={port} by default
    ready, = app.events("ready")
    assert ready.data["handshake"]["pingInterval"] == 1000 and app.url.startswith("http://127.0.0.1:")
    p = sockfault_proxy(app)
    assert p.timeline is app.timeline                                  # one timeline: app and wire
    client = socketio.Client(reconnection=False)
    client.connect(p.url, transports=["polling"], wait_timeout=5)
    assert client.call("echo", [1, 2], timeout=5) == [1, 2]
    assert p.transports() == {client.eio.sid: "polling"}
    client.disconnect()


def test_a_bad_app_spec_is_a_clear_error(sockfault_app):
    import sockfault

    with pytest.raises(sockfault.SockfaultError, match="no such folder"):
        sockfault_app("node index.js", cwd="no-such-app")


USER_TEST = '''
import os, sys
import socketio

def test_users_own_client_behind_a_refused_upgrade(sockfault_app, sockfault_proxy):
    app = sockfault_app([sys.executable, "app.py"], hook=False)    # cwd: this file's folder
    p = sockfault_proxy(app)
    p.apply("strip_upgrade", mode="reject")
    client = socketio.Client(reconnection=False)
    client.connect(p.url, transports=["polling"], wait_timeout=5)
    assert client.call("echo", "hi", timeout=5) == "hi"
    assert ("GET", "/socket.io/", 200) in p.http_statuses()
    assert set(p.transports().values()) == {"polling"}
    client.disconnect()
    with open("left.txt", "w") as out:                                # what teardown must release
        out.write(f"{app.server.proc.pid} {p.address[1]} {app.address[1]}")
'''


def test_a_users_test_file_gets_the_fixtures_and_its_teardown(pytester):
    pytester.makepyfile(test_user=USER_TEST)
    (pytester.path / "app.py").write_text(APP)
    # in-process, so a proxy or app that teardown forgot would still be alive here
    result = pytester.runpytest("-p", "sockfault.fixtures", "-p", "no:cacheprovider", "-q",
                                "-o", "asyncio_default_fixture_loop_scope=function")
    result.assert_outcomes(passed=1)
    pid, proxy_port, app_port = map(int, (pytester.path / "left.txt").read_text().split())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    for port in (proxy_port, app_port):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0
