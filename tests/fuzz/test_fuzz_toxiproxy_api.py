"""Fuzz the Toxiproxy API on an in-process server: arbitrary methods, paths and bodies get a 2xx
or a 4xx, never a 5xx but the one Toxiproxy itself sends (a listen address it cannot bind:
"listen tcp ..."), and the server keeps answering. Each example starts from one proxy `p` with
one toxic `t`, so the update and delete paths have something to work on; a live connection
runs through `p` the whole time, so toxics applied by the fuzz reach a real stream too."""

from __future__ import annotations

import json
import socket
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxies.toxiproxy import ToxiproxyServer

from _fuzz_helpers import EXAMPLES, Echo, hang_guard

FUZZ = settings(max_examples=EXAMPLES, deadline=5000, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def api():
    echo = Echo()
    server = ToxiproxyServer("127.0.0.1", 0, seed=1).start()
    session = requests.Session()
    yield server.url, session, echo
    session.close()
    server.stop()
    echo.sock.close()


_BASELINE: dict = {}


def _reset(url, session, echo):
    """Back to proxy `p` with toxic `t`, unless the last example left it so (most answers are 4xx)."""
    now = session.get(url + "/proxies", timeout=5).json()
    if _BASELINE and now == _BASELINE:
        return
    for name in now:
        session.delete(f"{url}/proxies/{quote(name, safe='')}", timeout=5)
    r = session.post(url + "/proxies", json={"name": "p", "listen": "127.0.0.1:0",
                                             "upstream": f"127.0.0.1:{echo.port}"}, timeout=5)
    assert r.status_code == 201, r.text
    r = session.post(url + "/proxies/p/toxics", json={"name": "t", "type": "latency",
                                                      "attributes": {"latency": 1}}, timeout=5)
    assert r.status_code == 200, r.text
    _BASELINE.clear()
    _BASELINE.update(session.get(url + "/proxies", timeout=5).json())


KEYS = ["name", "listen", "upstream", "enabled", "type", "stream", "toxicity", "attributes", "latency", "jitter",
        "rate", "delay", "average_size", "size_variation", "bytes", "timeout", "NAME", "Attributes", "Enabled"]
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=10) | st.sampled_from(["127.0.0.1:0", "", "localhost:0", "bad", "127.0.0.1:99999", ":x",
                                              "[::1]:0", "192.0.2.1:5", "latency", "bandwidth", "slicer", "timeout",
                                              "limit_data", "reset_peer", "slow_close", "noop", "upstream",
                                              "downstream", "UPSTREAM", "sideways", "p", "t"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5),
                                                                inner, max_size=5),
    max_leaves=10)
json_bodies = (st.dictionaries(st.sampled_from(KEYS), values, max_size=6) | values).map(
    lambda v: json.dumps(v).encode())
bodies = (json_bodies | st.binary(max_size=200)
          | st.sampled_from([b"", b"{", b"[", b'{"name":', b"null", b"[]", b"{}", b"[" * 5000, b'"' + b"\\" * 9,
                             b"1" * 5000, b'{"toxicity": 1e400}', b'{"attributes": {"latency": 1e400}}',
                             b'{"name": "\\ud800"}', b"\xff\xfe", b'{"a":1} trailing']))
names = st.sampled_from(["p", "t", "nope", "", "%", "..", "a b"]) | st.text(max_size=8)
paths = st.one_of(
    st.sampled_from(["/proxies", "/populate", "/reset", "/version", "/", "/proxies/", "//proxies", "/proxies/p/",
                     "/proxies/p/toxics/", "/metrics", "/events"]),
    st.builds(lambda n: f"/proxies/{quote(n, safe='')}", names),
    st.builds(lambda n: f"/proxies/{quote(n, safe='')}/toxics", names),
    st.builds(lambda n, t: f"/proxies/{quote(n, safe='')}/toxics/{quote(t, safe='')}", names, names),
    st.text(max_size=20).map(lambda t: "/" + quote(t, safe="/?&=")))
methods = st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS", "TRACE", "FOO"])
agents = st.sampled_from(["toxiproxy-cli", "python-requests", "Mozilla/5.0", "", "curl/8"])


def _check(response: requests.Response) -> None:
    if response.status_code >= 500:
        try:
            message = json.loads(response.content)["error"]
        except (ValueError, KeyError, TypeError):
            message = response.text
        assert message.startswith("listen tcp"), f"{response.status_code}: {response.text}"


@FUZZ
@given(st.lists(st.tuples(methods, paths, bodies, agents), min_size=1, max_size=3))
def test_arbitrary_requests_get_4xx_not_5xx(api, requests_):
    url, session, echo = api
    _reset(url, session, echo)
    host, port = _BASELINE["p"]["listen"].rsplit(":", 1)
    with hang_guard(30), socket.create_connection((host, int(port)), timeout=5) as live:
        for method, path, body, agent in requests_:
            response = session.request(method, url + path, data=body, headers={"User-Agent": agent}, timeout=10)
            _check(response)
            try:   # a toxic the request added meets a live stream (a reset or a deleted proxy may end it)
                live.sendall(b"x")
            except OSError:
                pass
        assert session.get(url + "/version", timeout=5).status_code == 200


def test_the_server_survived(api):
    url, session, echo = api
    assert session.get(url + "/version", timeout=5).status_code == 200
    _reset(url, session, echo)
