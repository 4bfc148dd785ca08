"""Steps against a stand-in run: `wait_for` waits on the source it names, `client:1` included."""

import asyncio

import pytest

from harness._steps import run_step
from harness.errors import HarnessError
from harness.scenario import Duration, Step
from harness.timeline import Timeline


class _Run:
    """The part of harness._run.Run that wait_for uses."""

    def __init__(self, clients=2, servers=1):
        self.timeline = Timeline()
        self.clients, self.servers = [object()] * clients, [object()] * servers

    def heartbeat_s(self):
        return 0.05

    async def wait_for(self, predicate, timeout):
        return await self.timeline.wait_for(predicate, timeout)


def _wait_for(**params):
    params.setdefault("timeout", Duration(seconds=1))
    return Step("wait_for", params, 7)


async def test_wait_for_one_client_ignores_the_others():
    run = _Run()
    run.timeline.add("client:0", "connect", {"id": "a"})          # client 0 is already in
    waiting = asyncio.ensure_future(run_step(run, _wait_for(event="connect", source="client:1")))
    await asyncio.sleep(0.05)
    assert not waiting.done()                                      # ... but the step waits for client 1
    run.timeline.add("client:1", "connect", {"id": "b"})
    await asyncio.wait_for(waiting, 1)
    assert not run.timeline.events("runner", "wait_for_timeout")


async def test_wait_for_a_client_that_never_connects_records_a_timeout():
    run = _Run(clients=12)
    run.timeline.add("client:10", "connect", {"id": "x"})         # client:10 is not client:1
    run.timeline.add("client:0", "disconnect", {"reason": "io server disconnect"})
    await run_step(run, _wait_for(event=["connect"], source="client:1", timeout=Duration(seconds=0.1)))
    (timeout,) = run.timeline.events("runner", "wait_for_timeout")
    assert timeout.data["source"] == "client:1" and timeout.data["event"] == ["connect"]
    await run_step(run, _wait_for(event="disconnect", source="client", match={"reason": "io server disconnect"}))
    assert len(run.timeline.events("runner", "wait_for_timeout")) == 1   # `client` is any client


async def test_wait_for_a_client_the_scenario_does_not_have_is_an_error():
    with pytest.raises(HarnessError, match=r"source 'client:2', but the scenario has 2 client\(s\) \(client:0, client:1\)"):
        await run_step(_Run(clients=2), _wait_for(source="client:2"))
    with pytest.raises(HarnessError, match="has 1 server"):
        await run_step(_Run(), _wait_for(source="server:1", event="connection"))
