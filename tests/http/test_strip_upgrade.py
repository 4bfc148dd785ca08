import pytest
from mitmproxy.test import taddons

from _flows import sio_flow
from proxies.http.strip_upgrade import StripUpgrade


class FakeProxy:
    def __init__(self):
        self.cut_flows = []

    def cut(self, flow):
        self.cut_flows.append(flow)
        return True


def test_reject_answers_403_without_forwarding():
    a = StripUpgrade("reject")
    with taddons.context(a):
        f = sio_flow(query="EIO=4&transport=websocket&sid=x", upgrade=True)
        a.request(f)
        assert f.response.status_code == 403
        assert f.metadata["sockfault.fault"] == "strip_upgrade:reject"


def test_reject_custom_status():
    a = StripUpgrade("reject", status=502)
    f = sio_flow(upgrade=True)
    a.request(f)
    assert f.response.status_code == 502


def test_strip_headers_forwards_a_plain_get():
    a = StripUpgrade("strip-headers")
    f = sio_flow(upgrade=True)
    a.request(f)
    assert f.response is None
    assert "upgrade" not in f.request.headers and "connection" not in f.request.headers


def test_plain_requests_untouched():
    for mode in ("reject", "strip-headers", "hang", "close-after-101"):
        a = StripUpgrade(mode)
        f = sio_flow()
        a.request(f)
        assert f.response is None and not f.intercepted and "sockfault.fault" not in f.metadata


def test_hang_holds_the_upgrade_and_closes_it_on_removal():
    a = StripUpgrade("hang")
    f = sio_flow(upgrade=True)
    a.request(f)
    assert f.intercepted and f.response is None
    a.done()
    assert not f.intercepted and f.error is not None


def test_close_after_101_cuts_once_the_websocket_starts():
    a = StripUpgrade("close-after-101")
    a.proxy = FakeProxy()
    f = sio_flow(upgrade=True)
    a.request(f)
    assert f.response is None
    a.websocket_start(f)
    assert a.proxy.cut_flows == [f]


def test_unknown_mode():
    with pytest.raises(ValueError):
        StripUpgrade("explode")
