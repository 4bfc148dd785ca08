import pytest
from mitmproxy import http
from mitmproxy.test import tutils

from _flows import sio_flow
from proxies.http.balance import Balance

UP = [("127.0.0.1", 1001), ("127.0.0.1", 1002)]


def route(b, f):
    b.request(f)
    return f.request.port


def answered(b, f, body: bytes) -> int:
    """Route a request, then let its upstream answer with body."""
    port = route(b, f)
    f.response = tutils.tresp(content=body, headers=http.Headers(**{"content-type": "text/plain"}))
    b.response(f)
    return port


def test_round_robin_without_stickiness():
    b = Balance(UP)
    ports = [route(b, sio_flow(query=f"EIO=4&transport=polling&sid=s")) for _ in range(4)]
    assert ports == [1001, 1002, 1001, 1002]


def test_sticky_by_sid_learns_from_the_handshake():
    b = Balance(UP, sticky="sid")
    first = answered(b, sio_flow(), b'0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}')
    assert {route(b, sio_flow(query="EIO=4&transport=polling&sid=abc")) for _ in range(5)} == {first}


def test_sticky_by_sid_v3_framing():
    b = Balance(UP, sticky="sid")
    open_ = b'0{"sid":"v3sid","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}'
    first = answered(b, sio_flow(query="EIO=3&transport=polling"), b"%d:%s2:40" % (len(open_), open_))
    assert route(b, sio_flow(query="EIO=3&transport=polling&sid=v3sid")) == first


def test_sticky_by_cookie_inserts_and_honours_it():
    b = Balance(UP, sticky="cookie")
    hs = sio_flow()
    first = answered(b, hs, b"0{}")
    cookie = hs.response.headers["set-cookie"]
    assert cookie.startswith("SERVERID=s") and "Path=/" in cookie
    value = cookie.split(";")[0]
    again = [route(b, sio_flow(headers={"cookie": value})) for _ in range(3)]
    assert again == [first] * 3


def test_cookie_without_credentials_is_not_sticky():
    b = Balance(UP, sticky="cookie")
    assert len({route(b, sio_flow()) for _ in range(2)}) == 2


def test_an_answered_request_is_not_routed():
    b = Balance(UP)
    f = sio_flow(resp=b"x")
    b.request(f)
    assert "sockfault.upstream" not in f.metadata


def test_bad_options():
    with pytest.raises(ValueError):
        Balance([])
    with pytest.raises(ValueError):
        Balance(UP, sticky="ip")
