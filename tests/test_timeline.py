import asyncio
import json

from harness.timeline import Timeline


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_events_are_ms_since_start_and_filterable():
    clock = FakeClock()
    timeline = Timeline(clock)
    clock.now += 0.25
    timeline.add("client:0", "connect", {"id": "a"})
    clock.now += 1.0
    timeline.add("server:0", "disconnect", reason="ping timeout")
    assert [e.t for e in timeline.events()] == [250.0, 1250.0]
    assert [e.kind for e in timeline.events("client")] == ["connect"]
    assert [e.kind for e in timeline.events(kind={"connect", "disconnect"})] == ["connect", "disconnect"]
    assert timeline.events("client:1") == []
    assert json.loads(json.dumps(timeline.to_json()))[1] == {
        "t": 1250.0, "source": "server:0", "kind": "disconnect", "data": {"reason": "ping timeout"}}


async def test_wait_for_sees_past_and_future_events_and_times_out():
    timeline = Timeline()
    timeline.add("a", "x")
    assert (await timeline.wait_for(lambda e: e.kind == "x", 0.01)).source == "a"
    loop = asyncio.get_running_loop()
    loop.call_later(0.02, timeline.add, "b", "y")
    assert (await timeline.wait_for(lambda e: e.kind == "y", 1.0)).source == "b"
    assert await timeline.wait_for(lambda e: e.kind == "never", 0.02) is None
    assert timeline._waiters == []


async def test_events_added_from_another_thread_wake_waiters():
    import threading
    timeline = Timeline()
    threading.Timer(0.02, timeline.add, args=("proxy:x", "http")).start()
    assert (await timeline.wait_for(lambda e: e.kind == "http", 1.0)) is not None


def test_excerpt_says_how_much_was_left_out():
    timeline = Timeline()
    for i in range(5):
        timeline.add("runner", "step", n=i)
    text = timeline.excerpt(limit=2)
    assert text.splitlines()[0] == "... 3 earlier events" and "step" in text


def test_subscribers_see_every_new_event():
    timeline = Timeline()
    seen = []
    timeline.subscribe(seen.append)
    timeline.add("proxy:edge", "http", status=200)
    assert [(e.source, e.kind, e.data) for e in seen] == [("proxy:edge", "http", {"status": 200})]


async def test_a_wait_for_predicate_may_read_the_timeline():
    import asyncio
    from harness.timeline import Timeline
    timeline = Timeline()
    timeline.add("client:0", "connect")
    found = await asyncio.wait_for(timeline.wait_for(lambda e: len(timeline.events(kind="connect")) == 1, 1.0), 2.0)
    assert found is not None and found.kind == "connect"


def test_an_event_is_timed_by_its_peers_stamp_when_it_is_believable():
    """A loaded runner reads a peer's line late: the peer's CLOCK_MONOTONIC stamp (`mono`) is the time."""
    import time as _time
    from harness.timeline import MAX_STAMP_AGE_S
    timeline = Timeline()
    _time.sleep(0.05)
    now_s = _time.monotonic()
    early = timeline.add("client:0", "ping", at=now_s - 0.04)         # happened 40 ms before it was read
    assert early.t < timeline.now() - 30
    plain = timeline.add("client:0", "ping")
    assert plain.t >= early.t + 30
    future = timeline.add("client:0", "ping", at=_time.monotonic() + 5)   # not yet: arrival time instead
    stale = timeline.add("client:0", "ping", at=_time.monotonic() - MAX_STAMP_AGE_S - 1)
    assert future.t <= timeline.now() and stale.t >= plain.t


def test_a_stamp_is_ignored_on_another_clock():
    ticks = iter(range(0, 100, 1))
    timeline = Timeline(lambda: next(ticks))
    event = timeline.add("client:0", "ping", at=0.5)
    assert event.t == 1000.0                      # the test clock's own now, not the stamp
