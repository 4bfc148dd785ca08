"""The background-tab timer model (harness/peers/browser/timers.js) measured in real Chromium.

Under throttle, timers of nesting level < 5 fire on the wake grid and chained ones (level >= 5)
on the intensive grid, both counted from the moment throttling starts; unthrottled, the same
chain runs at its own pace. The throttle_timers fault lands on a run's timeline, applied and removed.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from harness.peers.browser._chromium import launch, missing_reason
from harness.runner import Session
from harness.scenario import load_cases

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(missing_reason() is not None, reason=f"browser peer: {missing_reason()}")]

TIMERS = Path(__file__).resolve().parents[2] / "harness" / "peers" / "browser" / "timers.js"
WAKE, INTENSIVE = 100, 1000
SLACK = 40  # ms a wake-up may run late on a loaded machine (never early)

# A chain of setTimeout(…, 10): the time (ms since the start) and nesting level of each firing.
CHAIN = """async ([throttle, n, wake, intensive]) => {
  const shim = window.__sockfaultTimers;
  if (throttle) shim.throttle(wake, intensive); else shim.unthrottle();
  const t0 = performance.now(), fired = [];
  await new Promise((done) => {
    const step = () => {
      fired.push({t: performance.now() - t0, level: shim.level});
      if (fired.length < n) setTimeout(step, 10); else done();
    };
    setTimeout(step, 10);
  });
  shim.unthrottle();
  return fired;
}"""

INTERVAL = """async ([wake, intensive]) => {
  const shim = window.__sockfaultTimers;
  shim.throttle(wake, intensive);
  const t0 = performance.now(), fired = [];
  await new Promise((done) => {
    const id = setInterval(() => {
      fired.push({t: performance.now() - t0, level: shim.level});
      if (fired.length === 6) { clearInterval(id); done(); }
    }, 30);
  });
  shim.unthrottle();
  return fired;
}"""


@pytest.fixture
async def page():
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await browser.new_page()
            await page.add_init_script(path=str(TIMERS))
            await page.goto("data:text/html,<title>timers</title>")
            yield page
        finally:
            await browser.close()


def _on_grid(t: float, grid: int) -> bool:
    """t is at (or, by at most SLACK, after) a point of the grid; never before one it skipped."""
    return t % grid <= SLACK or t % grid >= grid - 1  # >= grid-1: rounding just under a point


async def test_throttled_chain_fires_on_the_wake_grid_then_the_intensive_grid(page):
    fired = await page.evaluate(CHAIN, [True, 7, WAKE, INTENSIVE])
    assert [f["level"] for f in fired] == [1, 2, 3, 4, 5, 6, 7]
    low, high = fired[:4], fired[4:]
    assert all(_on_grid(f["t"], WAKE) for f in low), fired
    assert all(_on_grid(f["t"], INTENSIVE) for f in high), fired
    # the 10 ms steps of levels 1-4 each take one wake-up; level 5 waits for the intensive one
    assert [round(f["t"] / WAKE) for f in low] == [1, 2, 3, 4], fired
    assert [round(f["t"] / INTENSIVE) for f in high] == [1, 2, 3], fired


async def test_unthrottled_chain_runs_at_its_own_pace(page):
    fired = await page.evaluate(CHAIN, [False, 7, WAKE, INTENSIVE])
    gaps = [b["t"] - a["t"] for a, b in zip(fired, fired[1:])]
    assert fired[-1]["t"] < 2 * WAKE, fired  # 7 x 10 ms, nowhere near a grid
    assert all(9 <= g < WAKE / 2 for g in gaps), gaps


async def test_interval_ticks_chain_and_end_on_the_intensive_grid(page):
    fired = await page.evaluate(INTERVAL, [WAKE, INTENSIVE])
    assert [f["level"] for f in fired] == [1, 2, 3, 4, 5, 6]
    assert [round(f["t"] / WAKE) for f in fired[:4]] == [1, 2, 3, 4], fired
    assert [round(f["t"] / INTENSIVE) for f in fired[4:]] == [1, 2], fired


async def test_a_timer_from_a_page_script_starts_at_level_1(page):
    levels = await page.evaluate("""() => new Promise((done) => {
      const shim = window.__sockfaultTimers, seen = [];
      // a deep chain is running, but a timer created from a message event (not a timer) is level 1
      const ch = new MessageChannel();
      ch.port1.onmessage = () => setTimeout(() => { seen.push(shim.level); done(seen); }, 0);
      const deep = (n) => n ? setTimeout(() => deep(n - 1), 0) : (seen.push(shim.level), ch.port2.postMessage(0));
      deep(6);
    })""")
    assert levels == [6, 1]


SCENARIO = """
    name: throttle-on-the-timeline
    doc: d
    server: node@4.8.1
    client: {peer: browser@4.8.1, options: {transports: [websocket], reconnection: false}}
    faults:
      - throttle_timers: {wake_ms: 25, intensive_ms: 1500, at: 0.5 heartbeat, for: 1 heartbeat}
    steps:
      - connect
      - wait_for: {event: connect, timeout: 5s}
      - wait: 2 heartbeats
    expect:
      - no_disconnect: {for: 2 heartbeats}
"""


async def test_the_fault_lands_on_the_timeline(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(SCENARIO))
    async with Session() as session:
        (result,) = [await session.run(case) for case in load_cases(path)]
    timeline = result.main.timeline
    kinds = [(e.source, e.kind, e.data.get("on")) for e in timeline.events()
             if e.kind in ("fault_applied", "fault_removed", "throttle")]
    assert kinds == [("runner", "fault_applied", None), ("client:0", "throttle", True),
                     ("runner", "fault_removed", None), ("client:0", "throttle", False)], kinds
    on = next(e for e in timeline.events(kind="throttle") if e.data["on"])
    assert on.data["wake_ms"] == 25 and on.data["intensive_ms"] == 1500
    assert not result.control.timeline.events(kind="throttle")
