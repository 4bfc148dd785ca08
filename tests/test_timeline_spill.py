"""The timeline's bounded memory: older events spill to an anonymous temp file, readers see them all."""

import asyncio
import gc
import os
import pickle
import warnings

import pytest

from harness.symptoms import Observation
from harness.timeline import (DEFAULT_MEMORY, MEMORY_ENV, Deferred, Event, Timeline, TimelineSpillWarning,
                              _memory_limit)


def _fds() -> set[str]:
    return {os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
            if os.path.exists(f"/proc/self/fd/{fd}")}


def _fill(timeline: Timeline, n: int, payload: int = 200) -> None:
    for i in range(n):
        timeline.add("proxy:edge" if i % 2 else "client:0", "ws_message" if i % 2 else "ack",
                     {"n": i, "blob": "x" * payload, "size": payload})


def test_order_is_kept_across_the_spill_boundary(tmp_path):
    with Timeline(memory=20_000, spill_dir=str(tmp_path)) as tl:
        _fill(tl, 1000)
        assert tl.spilled > 0 and tl.spilled < 1000, "small budget: most events on disk, the newest in memory"
        assert [e.data["n"] for e in tl] == list(range(1000))
        assert [e.data["n"] for e in tl.events()] == list(range(1000))
        ts = [e.t for e in tl]
        assert ts == sorted(ts)
        assert len(tl) == 1000


def test_indexing_and_slicing_read_both_parts(tmp_path):
    with Timeline(memory=20_000, spill_dir=str(tmp_path)) as tl:
        _fill(tl, 500)
        boundary = tl.spilled
        assert tl[0].data["n"] == 0 and tl[-1].data["n"] == 499 and tl[boundary].data["n"] == boundary
        assert [e.data["n"] for e in tl[boundary - 3:boundary + 3]] == list(range(boundary - 3, boundary + 3))
        assert [e.data["n"] for e in tl[::100]] == [0, 100, 200, 300, 400]
        assert [e.data["n"] for e in tl[-2:]] == [498, 499]
        assert tl[600:] == []
        with pytest.raises(IndexError):
            tl[500]


def test_readers_see_every_event(tmp_path):
    """The filtered reads symptoms use, the results JSON, the excerpt, first()."""
    with Timeline(memory=20_000, spill_dir=str(tmp_path)) as tl:
        _fill(tl, 400)
        assert tl.spilled > 100
        assert [e.data["n"] for e in tl.events("client")] == list(range(0, 400, 2))
        assert len(tl.events(kind="ws_message")) == 200
        assert len(Observation(tl, float("inf")).events("proxy", "ws_message")) == 200
        assert [d["data"]["n"] for d in tl.to_json()] == list(range(400))
        assert tl.first(lambda e: e.data["n"] == 3).data["n"] == 3
        text = tl.excerpt(limit=5)
        assert text.splitlines()[0] == "... 395 earlier events" and '"n": 399' in text


def test_the_spill_file_has_no_name_and_goes_at_close(tmp_path):
    before = _fds()
    tl = Timeline(memory=20_000, spill_dir=str(tmp_path))
    _fill(tl, 300)
    assert tl.spilled
    assert os.listdir(tmp_path) == [], "an anonymous file: nothing in the dir to leave behind"
    assert len(_fds() - before) == 1
    tl.close()
    assert _fds() - before == set()
    assert len(tl) == 300
    with pytest.raises(ValueError, match="closed"):
        tl.events()


def test_the_spill_file_goes_on_an_exception_and_with_the_timeline(tmp_path):
    before = _fds()
    with pytest.raises(RuntimeError):
        with Timeline(memory=20_000, spill_dir=str(tmp_path)) as tl:
            _fill(tl, 300)
            assert tl.spilled and len(_fds() - before) == 1
            raise RuntimeError("boom")
    assert _fds() - before == set()
    tl = Timeline(memory=20_000, spill_dir=str(tmp_path))
    _fill(tl, 300)
    assert tl.spilled
    del tl
    gc.collect()
    assert _fds() - before == set() and os.listdir(tmp_path) == []


def test_an_unwritable_dir_keeps_everything_in_memory_with_a_warning(tmp_path):
    missing = str(tmp_path / "not-there")
    with pytest.warns(TimelineSpillWarning, match="stays in memory"):
        tl = Timeline(memory=20_000, spill_dir=missing)
        _fill(tl, 300)
    assert tl.spilled == 0 and [e.data["n"] for e in tl] == list(range(300))
    with warnings.catch_warnings():
        warnings.simplefilter("error")        # warned once, not per event
        _fill(tl, 100)


def test_a_full_disk_loses_nothing(tmp_path, monkeypatch):
    import harness.timeline as module
    tl = Timeline(memory=20_000, spill_dir=str(tmp_path))
    _fill(tl, 200)
    assert tl.spilled
    calls = []

    def full(fd, data, offset):
        calls.append(offset)
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(module.os, "pwrite", full)
    with pytest.warns(TimelineSpillWarning, match="No space left"):
        _fill(tl, 300)
    assert calls, "the failing write was tried"
    assert [e.data["n"] for e in tl] == list(range(200)) + list(range(300))
    tl.close()


def test_unpicklable_data_falls_back_to_memory(tmp_path):
    tl = Timeline(memory=20_000, spill_dir=str(tmp_path))
    with pytest.warns(TimelineSpillWarning):
        for i in range(300):
            tl.add("runner", "odd", {"n": i, "f": (lambda: i), "blob": "y" * 200})
    assert tl.spilled == 0 and len(tl) == 300 and tl._file is None


def test_memory_bound_holds_and_big_payloads_are_counted(tmp_path):
    with Timeline(memory=200_000, spill_dir=str(tmp_path)) as tl:
        _fill(tl, 5000)
        assert tl._bytes <= 200_000 and len(tl._events) < 5000
        held = len(tl._events)
        for i in range(20):      # 50 KB each: measured, not taken for the running mean
            tl.add("proxy:edge", "ws_message", {"blob": "z" * 50_000, "size": 50_000})
        assert tl._bytes <= 200_000 and len(tl._events) < held
        assert len(tl) == 5020


def test_memory_limit_parsing(monkeypatch):
    assert _memory_limit(None) == DEFAULT_MEMORY
    assert _memory_limit("512K") == 512 << 10 and _memory_limit("16MiB") == 16 << 20 and _memory_limit(0) == 0
    monkeypatch.setenv(MEMORY_ENV, "1G")
    assert Timeline()._limit == 1 << 30
    with pytest.raises(ValueError, match="not a size"):
        _memory_limit("lots")


def test_zero_never_spills():
    tl = Timeline(memory=0)
    _fill(tl, 2000, payload=2000)
    assert tl.spilled == 0 and tl._file is None and len(tl) == 2000


async def test_wait_for_sees_spilled_past_events_and_after_skips_them(tmp_path):
    with Timeline(memory=20_000, spill_dir=str(tmp_path)) as tl:
        _fill(tl, 300)
        assert tl.spilled > 10
        assert (await tl.wait_for(lambda e: e.data.get("n") == 1, 0.01)).data["n"] == 1
        assert await tl.wait_for(lambda e: e.data.get("n") == 1, 0.01, after=2) is None
        asyncio.get_running_loop().call_later(0.02, tl.add, "late", "x")
        assert (await tl.wait_for(lambda e: True, 1.0, after=300)).source == "late"
        assert tl._waiters == []


async def test_proxy_view_wait_reads_only_new_events(tmp_path):
    from sockfault._view import WireView

    class View(WireView):
        def __init__(self, timeline):
            self.timeline = timeline

        def _sources(self):
            return {"proxy:edge"}

    with Timeline(memory=20_000, spill_dir=str(tmp_path)) as tl:
        _fill(tl, 300)
        view = View(tl)
        assert (await view._wait(None, 0.5, "ws_message", {"n": 7})).data["n"] == 7
        asyncio.get_running_loop().call_later(0.02, tl.add, "proxy:edge", "ws_close", {"code": 1000})
        assert (await view._wait(None, 1.0, "ws_close", {})).data["code"] == 1000


def test_one_event_over_the_budget_waits_for_the_next_spill(tmp_path):
    with Timeline(memory=1000, spill_dir=str(tmp_path)) as tl:
        tl.add("proxy:edge", "ws_message", {"blob": "z" * 50_000, "size": 50_000})
        assert tl.spilled == 0 and tl._file is None and len(tl) == 1
        tl.add("runner", "step")
        assert tl.spilled == 1 and [e.kind for e in tl] == ["ws_message", "step"]
        assert tl[0].data["size"] == 50_000


class _Counted(Deferred):
    """Deferred data that counts how often it is made."""

    __slots__ = ("n", "size")
    made = 0

    def __init__(self, n: int):
        self.n, self.size = n, 500

    def make(self) -> dict:
        type(self).made += 1
        return {"n": self.n, "blob": "d" * 200}

    def __reduce__(self):
        return _Counted, (self.n,)


def test_deferred_data_is_made_once_when_read_and_spills_unmade(tmp_path):
    _Counted.made = 0
    with Timeline(memory=20_000, spill_dir=str(tmp_path)) as tl:
        for i in range(200):
            tl.add("proxy:edge", "ws_message", _Counted(i)) if i % 2 else tl.add("client:0", "ack", {"n": i})
        assert tl.spilled > 0 and _Counted.made == 0, "adding, spilling and reading kinds make nothing"
        assert [e.kind for e in tl.events(kind="ws_message")] == ["ws_message"] * 100 and _Counted.made == 0
        assert tl._bytes == sum(tl._sizes) and 500 in tl._sizes, "budgeted at Deferred.size"
        assert [e.data["n"] for e in tl] == list(range(200))
        assert _Counted.made == 100
        spilled_deferred = sum(1 for e in tl[:tl.spilled] if e.kind == "ws_message")
        assert [e.data["n"] for e in tl] == list(range(200))
        assert _Counted.made == 100 + spilled_deferred, "in memory: made once and kept; on disk: made per read"
        last = tl[-1]
        assert last.data is last.data and _Counted.made == 100 + spilled_deferred
        assert last == Event(last.t, last.source, last.kind, {"n": 199, "blob": "d" * 200})
        assert Event(last.t, last.source, last.kind, {"n": 199, "blob": "d" * 200}) == last
        assert last.to_dict()["data"]["n"] == 199 and "199" in str(last)
        assert pickle.loads(pickle.dumps(last)) == last
        with pytest.raises(TypeError):
            tl.add("p", "k", _Counted(1), extra=1)
