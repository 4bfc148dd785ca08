import asyncio

from _flows import sio_flow
from proxies.http.request_deadline import RequestDeadline


class FakeProxy:
    def __init__(self):
        self.cut_flows = []

    def cut(self, flow):
        self.cut_flows.append(flow)


async def test_cuts_a_request_past_the_deadline():
    a = RequestDeadline(0.05)
    a.proxy = FakeProxy()
    f = sio_flow()
    a.requestheaders(f)
    await asyncio.sleep(0.1)
    assert a.proxy.cut_flows == [f]
    assert f.metadata["sockfault.fault"] == "request_deadline:0.05s"


async def test_a_finished_request_is_not_cut():
    a = RequestDeadline(0.05)
    a.proxy = FakeProxy()
    f = sio_flow(resp=b"ok")
    a.requestheaders(f)
    a.response(f)
    await asyncio.sleep(0.1)
    assert a.proxy.cut_flows == []


async def test_websocket_cut_after_its_101():
    a = RequestDeadline(0.05)
    a.proxy = FakeProxy()
    f = sio_flow(upgrade=True, resp=b"", status=101)
    a.requestheaders(f)
    a.response(f)                      # the 101 does not end a websocket's life
    await asyncio.sleep(0.1)
    assert a.proxy.cut_flows == [f]


async def test_only_websockets_when_asked():
    a = RequestDeadline(0.01, http=False)
    a.proxy = FakeProxy()
    a.requestheaders(sio_flow())
    await asyncio.sleep(0.05)
    assert a.proxy.cut_flows == []


async def test_removal_cancels_timers():
    a = RequestDeadline(0.05)
    a.proxy = FakeProxy()
    a.requestheaders(sio_flow())
    a.done()
    await asyncio.sleep(0.1)
    assert a.proxy.cut_flows == []
