"""The HTTP API against the reference (shared/reference/toxiproxy-api.md): status, body,
content type of every endpoint and error path, over raw HTTP and through toxiproxy-python."""

from __future__ import annotations

import json
import re
import socket

import pytest
import requests
import toxiproxy
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists

from _toxiproxy_helpers import listen_addr

TEXT = "text/plain; charset=utf-8"
JSON = "application/json"


def check_error(r: requests.Response, status: int, message: str) -> None:
    assert r.status_code == status
    assert r.content == json.dumps({"error": message, "status": status}, separators=(",", ":")).encode() + b"\n"
    assert r.headers["Content-Type"] == TEXT
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(r"[0-9a-v]{20}", r.headers["X-Toxiproxy-Request-Id"])


def create(api, name="echo", upstream="127.0.0.1:9", **more) -> dict:
    r = requests.post(api + "/proxies", json={"name": name, "upstream": upstream, "listen": "127.0.0.1:0", **more})
    assert r.status_code == 201, r.text
    return r.json()


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# -- server-wide ------------------------------------------------------------------
def test_version(api):
    r = requests.get(api + "/version")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json;charset=utf-8"
    assert r.content == b'{"version": "2.12.0"}\n'
    assert "X-Toxiproxy-Request-Id" in r.headers


@pytest.mark.parametrize("method,path", [("GET", "/version"), ("GET", "/proxies"), ("POST", "/proxies"),
                                         ("POST", "/reset"), ("GET", "/"), ("DELETE", "/proxies/x")])
def test_browser_user_agent_refused(api, method, path):
    r = requests.request(method, api + path, headers={"User-Agent": "Mozilla/5.0 (X11)"})
    assert r.status_code == 403
    assert r.content == b"User agent not allowed\n"
    assert r.headers["Content-Type"] == TEXT and r.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Toxiproxy-Request-Id" in r.headers


def test_non_browser_user_agent_allowed(api):
    assert requests.get(api + "/version", headers={"User-Agent": "curl/8.0 Mozilla/"}).status_code == 200


@pytest.mark.parametrize("path", ["/", "/nope", "/proxies/", "/proxies/a/b/c/d"])
def test_unknown_route(api, path):
    r = requests.get(api + path)
    assert r.status_code == 404
    assert r.content == b"404 page not found\n"
    assert r.headers["Content-Type"] == TEXT and r.headers["X-Content-Type-Options"] == "nosniff"


def test_wrong_method_is_405(api):
    r = requests.put(api + "/proxies")
    assert r.status_code == 405 and r.content == b""


def test_request_ids_differ(api):
    ids = {requests.get(api + "/version").headers["X-Toxiproxy-Request-Id"] for _ in range(5)}
    assert len(ids) == 5


def test_metrics_not_enabled(api):
    assert requests.get(api + "/metrics").status_code == 404


# -- proxies ----------------------------------------------------------------------
def test_create_proxy_shape(api, echo):
    r = requests.post(api + "/proxies", json={"name": "echo", "listen": "127.0.0.1:0", "upstream": echo.addr})
    assert r.status_code == 201 and r.headers["Content-Type"] == JSON
    body = r.json()
    host, port = listen_addr(body)
    assert host == "127.0.0.1" and port > 0
    assert r.content == (b'{"name":"echo","listen":"127.0.0.1:%d","upstream":"%s","enabled":true,'
                         b'"Logger":{},"toxics":[]}' % (port, echo.addr.encode()))


def test_create_proxy_disabled_does_not_listen(api):
    body = create(api, enabled=False)
    assert body["enabled"] is False and body["listen"] == "127.0.0.1:0"


def test_create_errors(api):
    create(api)
    check_error(requests.post(api + "/proxies", json={"name": "echo", "upstream": "127.0.0.1:9"}), 409,
                "proxy already exists")
    check_error(requests.post(api + "/proxies", json={"upstream": "127.0.0.1:9"}), 400, "missing required field: name")
    check_error(requests.post(api + "/proxies", json={"name": "x"}), 400, "missing required field: upstream")
    check_error(requests.post(api + "/proxies", data=b'{"name":'), 400, "bad request body: unexpected EOF")
    check_error(requests.post(api + "/proxies", data=b''), 400, "bad request body: EOF")
    check_error(requests.post(api + "/proxies", data=b'{"name": x}'), 400,
                "bad request body: invalid character 'x' looking for beginning of value")
    check_error(requests.post(api + "/proxies", data=b'[1]'), 400,
                "bad request body: json: cannot unmarshal array into Go value of type toxiproxy.Proxy")
    check_error(requests.post(api + "/proxies", json={"name": 5, "upstream": "a:1"}), 400,
                "bad request body: json: cannot unmarshal number into Go struct field Proxy.name of type string")
    check_error(requests.post(api + "/proxies", json={"name": "y", "upstream": "a:1", "enabled": "yes"}), 400,
                "bad request body: json: cannot unmarshal string into Go struct field Proxy.enabled of type bool")


def test_create_bind_failure_is_500(api):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    try:
        r = requests.post(api + "/proxies", json={"name": "b", "listen": f"127.0.0.1:{port}", "upstream": "a:1"})
        check_error(r, 500, f"listen tcp 127.0.0.1:{port}: bind: address already in use")
        assert requests.get(api + "/proxies/b").status_code == 404
    finally:
        busy.close()


def test_go_json_quirks(api):
    # keys match case-insensitively, null leaves a default, trailing data after the value is ignored
    r = requests.post(api + "/proxies", data=b'{"NAME":"q","Upstream":"a:1","listen":"127.0.0.1:0","enabled":null} junk')
    assert r.status_code == 201 and r.json()["name"] == "q" and r.json()["enabled"] is True


def test_index_show_delete(api):
    create(api, "b")
    create(api, "a")
    r = requests.get(api + "/proxies")
    assert r.status_code == 200 and r.headers["Content-Type"] == JSON
    assert list(r.json()) == ["a", "b"]
    r = requests.get(api + "/proxies/a")
    assert r.status_code == 200 and r.json()["name"] == "a"
    check_error(requests.get(api + "/proxies/zz"), 404, "proxy not found")
    r = requests.delete(api + "/proxies/a")
    assert r.status_code == 204 and r.content == b"" and "X-Toxiproxy-Request-Id" in r.headers
    check_error(requests.delete(api + "/proxies/a"), 404, "proxy not found")


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_update_enable_disable(api, echo, method):
    body = create(api, upstream=echo.addr)
    addr = listen_addr(body)
    conn = socket.create_connection(addr)
    conn.sendall(b"hi")
    assert conn.recv(10) == b"hi"
    r = requests.request(method, api + "/proxies/echo", json={"enabled": False})
    assert r.status_code == 200 and r.json()["enabled"] is False and r.json()["listen"] == body["listen"]
    assert conn.recv(10) == b""                  # every connection closed
    with pytest.raises(ConnectionRefusedError):  # no longer listening
        socket.create_connection(addr, timeout=1)
    r = requests.request(method, api + "/proxies/echo", json={"enabled": True})
    assert r.status_code == 200 and r.json()["enabled"] is True
    with socket.create_connection(addr) as again:  # same port
        again.sendall(b"yo")
        assert again.recv(10) == b"yo"
    conn.close()


def test_update_listen_and_errors(api, echo):
    create(api, upstream=echo.addr)
    port = free_port()
    r = requests.patch(api + "/proxies/echo", json={"listen": f"127.0.0.1:{port}", "name": "ignored"})
    assert r.status_code == 200 and r.json()["listen"] == f"127.0.0.1:{port}" and r.json()["name"] == "echo"
    with socket.create_connection(("127.0.0.1", port)) as c:
        c.sendall(b"x")
        assert c.recv(1) == b"x"
    check_error(requests.post(api + "/proxies/nope", json={}), 404, "proxy not found")
    check_error(requests.post(api + "/proxies/echo", data=b"{"), 400, "bad request body: unexpected EOF")
    check_error(requests.post(api + "/proxies/echo", json={"enabled": 1}), 400,
                "bad request body: json: cannot unmarshal number into Go struct field Proxy.enabled of type bool")


# -- toxics -----------------------------------------------------------------------
def test_toxic_create_shape_and_defaults(api):
    create(api)
    r = requests.post(api + "/proxies/echo/toxics", json={"name": "lat", "type": "latency",
                                                          "attributes": {"latency": 200}})
    assert r.status_code == 200 and r.headers["Content-Type"] == JSON
    assert r.content == (b'{"attributes":{"latency":200,"jitter":0},"name":"lat","type":"latency",'
                         b'"stream":"downstream","toxicity":1}')
    r = requests.post(api + "/proxies/echo/toxics", json={"type": "bandwidth", "stream": "upstream",
                                                          "toxicity": 1.5, "attributes": {"rate": 5}})
    assert r.status_code == 200
    assert r.json() == {"attributes": {"rate": 5}, "name": "bandwidth_upstream", "type": "bandwidth",
                        "stream": "upstream", "toxicity": 1.5}
    r = requests.post(api + "/proxies/echo/toxics", json={"type": "slicer", "toxicity": 0.1})
    assert b'"toxicity":0.1}' in r.content
    assert r.json()["attributes"] == {"average_size": 0, "size_variation": 0, "delay": 0}
    # listed upstream first, then downstream, each in creation order
    r = requests.get(api + "/proxies/echo/toxics")
    assert r.status_code == 200 and [t["name"] for t in r.json()] == ["bandwidth_upstream", "lat", "slicer_downstream"]
    assert [t["name"] for t in requests.get(api + "/proxies/echo").json()["toxics"]] == \
        ["bandwidth_upstream", "lat", "slicer_downstream"]


@pytest.mark.parametrize("type_,attrs", [
    ("latency", {"latency": 1, "jitter": 2}), ("bandwidth", {"rate": 3}), ("slow_close", {"delay": 4}),
    ("timeout", {"timeout": 5}), ("reset_peer", {"timeout": 6}), ("slicer", {"average_size": 7, "size_variation": 8, "delay": 9}),
    ("limit_data", {"bytes": 10}), ("noop", {})])
def test_every_toxic_type_round_trips(api, type_, attrs):
    create(api)
    r = requests.post(api + "/proxies/echo/toxics", json={"type": type_, "attributes": attrs})
    assert r.status_code == 200 and r.json()["attributes"] == attrs
    assert requests.get(f"{api}/proxies/echo/toxics/{type_}_downstream").json()["attributes"] == attrs


def test_toxic_errors(api):
    create(api)
    url = api + "/proxies/echo/toxics"
    check_error(requests.post(url, json={"type": "latency", "stream": "sideways"}), 400,
                "stream was invalid, can be either upstream or downstream")
    check_error(requests.post(url, json={"type": "nope"}), 400, "invalid toxic type")
    check_error(requests.post(url, json={}), 400, "invalid toxic type")
    requests.post(url, json={"type": "latency"})
    check_error(requests.post(url, json={"type": "latency"}), 409, "toxic already exists")
    check_error(requests.post(api + "/proxies/nope/toxics", json={"type": "latency"}), 404, "proxy not found")
    check_error(requests.get(api + "/proxies/nope/toxics"), 404, "proxy not found")
    check_error(requests.get(url + "/nope"), 404, "toxic not found")
    check_error(requests.get(api + "/proxies/nope/toxics/x"), 404, "proxy not found")
    check_error(requests.post(url, data=b'{"type":'), 400, "bad request body: unexpected EOF")
    check_error(requests.post(url, json={"type": "latency", "name": "l2", "attributes": {"latency": "x"}}), 400,
                "bad request body: json: cannot unmarshal string into Go struct field "
                "LatencyToxic.attributes.latency of type int64")
    check_error(requests.post(url, json={"type": "latency", "name": "l3", "attributes": {"latency": 1.5}}), 400,
                "bad request body: json: cannot unmarshal number 1.5 into Go struct field "
                "LatencyToxic.attributes.latency of type int64")
    check_error(requests.post(url, json={"type": "latency", "toxicity": "1"}), 400,
                "bad request body: json: cannot unmarshal string into Go struct field ToxicWrapper.toxicity of type float32")
    check_error(requests.post(url, json={"type": "latency", "attributes": [1]}), 400,
                "bad request body: json: cannot unmarshal array into Go struct field ToxicWrapper.attributes "
                "of type toxics.NoopToxic")


def test_stream_case_is_kept(api):
    create(api)
    r = requests.post(api + "/proxies/echo/toxics", json={"type": "latency", "stream": "UpStream"})
    assert r.status_code == 200 and r.json()["stream"] == "UpStream" and r.json()["name"] == "latency_UpStream"


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_toxic_update_and_delete(api, method):
    create(api)
    url = api + "/proxies/echo/toxics"
    requests.post(url, json={"name": "lat", "type": "latency", "attributes": {"latency": 100, "jitter": 5}})
    r = requests.request(method, url + "/lat", json={"attributes": {"latency": 7}, "toxicity": 0.5,
                                                    "type": "bandwidth", "stream": "upstream", "name": "zz"})
    assert r.status_code == 200 and r.headers["Content-Type"] == JSON
    assert r.json() == {"attributes": {"latency": 7, "jitter": 5}, "name": "lat", "type": "latency",
                        "stream": "downstream", "toxicity": 0.5}
    check_error(requests.request(method, url + "/nope", json={}), 404, "toxic not found")
    check_error(requests.request(method, url + "/lat", data=b"{"), 400, "bad request body: unexpected EOF")
    r = requests.delete(url + "/lat")
    assert r.status_code == 204 and r.content == b""
    check_error(requests.delete(url + "/lat"), 404, "toxic not found")
    check_error(requests.delete(api + "/proxies/nope/toxics/lat"), 404, "proxy not found")


def test_reset(api, echo):
    body = create(api, upstream=echo.addr)
    requests.post(api + "/proxies/echo/toxics", json={"type": "latency"})
    requests.post(api + "/proxies/echo", json={"enabled": False})
    r = requests.post(api + "/reset")
    assert r.status_code == 204 and r.content == b"" and "X-Toxiproxy-Request-Id" in r.headers
    after = requests.get(api + "/proxies/echo").json()
    assert after["enabled"] is True and after["toxics"] == [] and after["listen"] == body["listen"]


# -- populate ---------------------------------------------------------------------
def test_populate_upsert(api, echo):
    r = requests.post(api + "/populate", json=[{"name": "p1", "listen": "127.0.0.1:0", "upstream": echo.addr},
                                               {"name": "p2", "listen": "127.0.0.1:0", "upstream": echo.addr,
                                                "enabled": False}])
    assert r.status_code == 201 and r.headers["Content-Type"] == JSON
    proxies = r.json()["proxies"]
    assert [p["name"] for p in proxies] == ["p1", "p2"] and [p["enabled"] for p in proxies] == [True, False]
    p1 = proxies[0]
    requests.post(api + "/proxies/p1/toxics", json={"type": "latency"})
    # same listen + upstream: kept as is (its toxics too)
    r = requests.post(api + "/populate", json=[{"name": "p1", "listen": p1["listen"], "upstream": echo.addr}])
    assert r.status_code == 201 and r.json()["proxies"][0]["toxics"] != []
    # a different upstream: replaced
    r = requests.post(api + "/populate", json=[{"name": "p1", "listen": p1["listen"], "upstream": "127.0.0.1:9"}])
    assert r.status_code == 201 and r.json()["proxies"][0]["toxics"] == []
    assert requests.get(api + "/proxies/p1").json()["upstream"] == "127.0.0.1:9"
    r = requests.post(api + "/populate", json=[])
    assert r.status_code == 201 and r.content == b'{"proxies":null}'


def test_populate_errors_are_json(api):
    def check(r, status, message, proxies=None):
        assert r.status_code == status and r.headers["Content-Type"] == JSON
        assert r.json() == {"error": message, "status": status, "proxies": proxies}
        assert "X-Toxiproxy-Request-Id" in r.headers

    check(requests.post(api + "/populate", json=[{"name": "a", "upstream": "b:1"}, {"upstream": "a:1"}]), 400,
          "missing required field: name at proxy 2")
    assert requests.get(api + "/proxies/a").status_code == 404   # validated before any is created
    check(requests.post(api + "/populate", json=[{"name": "a"}]), 400, "missing required field: upstream at proxy 1")
    check(requests.post(api + "/populate", data=b"[{"), 400, "bad request body: unexpected EOF")
    r = requests.post(api + "/populate", json={"name": "a"})
    assert r.status_code == 400 and r.json()["error"].startswith("bad request body: json: cannot unmarshal object")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    try:
        r = requests.post(api + "/populate", json=[{"name": "ok", "listen": "127.0.0.1:0", "upstream": "a:1"},
                                                   {"name": "bad", "listen": f"127.0.0.1:{port}", "upstream": "a:1"}])
        assert r.status_code == 500 and r.headers["Content-Type"] == JSON
        body = r.json()
        assert body["error"] == f"listen tcp 127.0.0.1:{port}: bind: address already in use"
        assert [p["name"] for p in body["proxies"]] == ["ok"]
    finally:
        busy.close()


# -- malformed input never kills the server -------------------------------------
BAD_BODIES = [b"", b" ", b"{", b"}", b"[", b"nul", b"null", b"true", b"1", b'"s"', b"[]", b"{}", b"NaN",
              b'{"a":Infinity}', b"\xff\xfe", b'{"name":"\\ud800","upstream":"a:1"}', b'{"name":{}}',
              b'{"name":[]}', b'{"toxicity":"x"}', b'{"toxicity":1e99}', b'{"attributes":"x"}',
              b'{"attributes":{"latency":1e3}}', b'{"attributes":{"latency":99999999999999999999}}',
              b'{"type":"latency","attributes":null}', b'{"enabled":"no"}', b'{"listen":5}',
              b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
              b"[" * 5000, b'{"name":"n","upstream":"a:1","listen":"nonsense"}',
              b'{"name":"n2","upstream":"a:1","listen":"127.0.0.1:99999"}', b'\x00\x01']


@pytest.mark.parametrize("path", ["/proxies", "/populate", "/proxies/echo", "/proxies/echo/toxics",
                                  "/proxies/echo/toxics/lat"])
def test_malformed_bodies_get_4xx(api, path):
    create(api)
    requests.post(api + "/proxies/echo/toxics", json={"name": "lat", "type": "latency"})
    for body in BAD_BODIES:
        r = requests.post(api + path, data=body)
        assert r.status_code < 500 or b"listen tcp" in r.content, (body, r.status_code, r.text)
        assert r.status_code in (200, 201, 400, 404, 409) or b"listen tcp" in r.content
        if r.status_code >= 400:
            assert r.json()["status"] == r.status_code
    assert requests.get(api + "/version").status_code == 200


# -- toxiproxy-python, unchanged --------------------------------------------------
def test_toxiproxy_python_end_to_end(client, echo):
    assert client.running()
    assert client.version() == b'{"version": "2.12.0"}\n'
    proxy = client.create(upstream=echo.addr, name="echo")
    assert isinstance(proxy, toxiproxy.Proxy) and proxy.listen.startswith("127.0.0.1:")
    with pytest.raises(ProxyExists):
        client.create(upstream=echo.addr, name="echo")
    assert set(client.proxies()) == {"echo"} and client.get_proxy("echo").upstream == echo.addr
    assert client.get_proxy("nope") is None

    proxy.add_toxic(type="latency", attributes={"latency": 10})
    proxy.add_toxic(type="bandwidth", stream="upstream", name="bw", toxicity=0.5, attributes={"rate": 100})
    toxics = proxy.toxics()
    assert set(toxics) == {"latency_downstream", "bw"} and toxics["bw"].attributes == {"rate": 100}
    assert proxy.get_toxic("bw").toxicity == 0.5 and proxy.get_toxic("zz") is None
    with pytest.raises(ProxyExists):
        proxy.add_toxic(type="latency")
    with pytest.raises(InvalidToxic):
        proxy.add_toxic(type="nope")
    with pytest.raises(InvalidToxic):
        proxy.add_toxic(type="latency", stream="sideways", name="x")
    assert proxy.destroy_toxic("bw") is True
    with pytest.raises(NotFound):
        proxy.destroy_toxic("bw")

    addr = listen_addr(proxy)
    with proxy.down():
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(addr, timeout=1)
    with socket.create_connection(addr) as c:
        c.sendall(b"up")
        assert c.recv(2) == b"up"

    proxy.disable()
    assert client.reset() is True
    assert client.get_proxy("echo").enabled is True and proxy.toxics() == {}

    created = client.populate([{"name": "echo", "upstream": echo.addr, "listen": proxy.listen},
                               {"name": "other", "upstream": echo.addr, "listen": "127.0.0.1:0"}])
    assert [p.name for p in created] == ["other"]
    assert client.destroy(proxy) is True
    with pytest.raises(NotFound):
        proxy.destroy()
    client.destroy_all()
    assert client.proxies() == {}
