"""Runs Cases: the faulty run and its control side by side, then the verdict.

A Session owns what outlives one case (the warm peer pool); use it as an async context
manager so every spare process is stopped at the end.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

from ._heartbeat_use import uses_heartbeat
from ._run import Run
from ._timescale import SCALE
from .peers import PeerPool
from .results import CaseResult, RunResult
from .scenario import Case

__all__ = ["FAITHFUL_TAG", "Session", "faithful_set", "faithful_variant", "has_faithful_variant",
           "real_time_only", "verdict_of"]

# The faithful set (docs/scenarios.md, "The faithful set"): a compressed scenario tagged `faithful`
# (its symptom is a timing) also has a faithful variant, `<case id>@faithful`, run in real time;
# a `timing: faithful` scenario or one tagged `slow` runs in real time only. Plain runs leave the
# real-time-only cases out; `sockfault run --faithful` and pytest `-m faithful` run exactly the set.
FAITHFUL_TAG = "faithful"
_SLOW_TAG = "slow"


def has_faithful_variant(case: Case) -> bool:
    return case.timing == "compressed" and FAITHFUL_TAG in case.tags


def real_time_only(case: Case) -> bool:
    """A case that only exists in real time (it takes minutes): not in a plain, compressed run."""
    return case.timing == "faithful" or _SLOW_TAG in case.tags


def faithful_variant(case: Case) -> Case:
    """The same case in real time: id `<id>@faithful`, a timeout in seconds scaled as the heartbeat."""
    def real(c: Case, case_id: str) -> Case:
        timeout = dataclasses.replace(c.timeout, seconds=c.timeout.seconds / SCALE)
        return dataclasses.replace(c, case_id=case_id, timing="faithful", timeout=timeout,
                                   control=real(c.control, case_id) if c.control is not None else None)
    return real(case, f"{case.case_id}@{FAITHFUL_TAG}")


def faithful_set(cases: list[Case]) -> list[Case]:
    """What `--faithful` runs: each tagged case's faithful variant and every real-time-only case."""
    return [faithful_variant(c) if has_faithful_variant(c) else c
            for c in cases if has_faithful_variant(c) or real_time_only(c)]


class Session:
    def __init__(self, faithful: bool = False, spares: int = 2):
        self.faithful = faithful
        self.pool = PeerPool(spares=spares)

    async def __aenter__(self) -> "Session":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        await self.pool.close()

    def compressed(self, case: Case) -> bool:
        return case.timing == "compressed" and not self.faithful

    async def run(self, case: Case) -> CaseResult:
        started = time.monotonic()
        heartbeat = uses_heartbeat(case)   # main and control alike: the same heartbeat, the one difference the fault
        if case.control is not None and _one_at_a_time(case):
            # an app with a fixed port, or one that refuses a second instance: main and control one after
            # the other, each in its own time
            main, control = await self._run_one(case, heartbeat), await self._run_one(case.control, heartbeat)
        else:
            runs = [self._run_one(case, heartbeat)] + (
                [self._run_one(case.control, heartbeat)] if case.control is not None else [])
            results = await asyncio.gather(*runs)
            main, control = results[0], (results[1] if len(results) > 1 else None)
        verdict, reason = verdict_of(case, main, control)
        return CaseResult(case, verdict, reason, main, control, time.monotonic() - started)

    async def _run_one(self, case: Case, heartbeat: bool = True) -> RunResult:
        run = Run(case, self.pool, self.compressed(case), self.compressed(case) and heartbeat)
        timeout = case.timeout.resolve(30.0 * SCALE if self.compressed(case) else 30.0)
        if self.faithful and case.timing == "compressed":
            timeout /= SCALE  # a compressed scenario forced to real time waits real heartbeats
        task = asyncio.ensure_future(run.execute())
        try:
            return await asyncio.wait_for(asyncio.shield(task), timeout)
        except asyncio.TimeoutError:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            result = RunResult(case.case_id, run.timeline, error=f"timed out after {timeout:.1f} s")
            run.timeline.add("runner", "error", {"message": result.error})
            return result
        except BaseException:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            raise


def _one_at_a_time(case: Case) -> bool:
    return any(s.spec.app is not None and (s.spec.app.port or s.spec.app.single_instance) for s in case.servers)


def verdict_of(case: Case, main: RunResult, control: RunResult | None) -> tuple[str, str]:
    for label, run in (("run", main), ("control", control)):
        if run is not None and run.skipped:
            return "skipped", run.skipped
        if run is not None and run.error:
            return "error", f"{label}: {run.error}"
    missing = [c for c in main.checks if not c.ok]
    if missing:
        return "not reproduced", "; ".join(f"line {c.line}: {c.text}" for c in missing)
    if control is None:
        if case.cause == "baseline":  # nothing to reproduce: the set-up simply works as expected
            return "works", "baseline (no fault, no control): every expectation holds"
        return "reproduced", "no control"
    primary = control.checks[0]
    if case.negative and not primary.ok:
        return "control failed", f"without the fault the expected behaviour is missing: {primary.text}"
    if primary.ok and not case.negative:
        return "control failed", f"the symptom is also present without the cause: {primary.text}"
    failed = [c for c in control.control_checks if not c.ok]
    if failed:
        return "control failed", "; ".join(f"line {c.line}: {c.text}" for c in failed)
    if case.negative:
        return "reproduced", "the fault makes no difference: the same behaviour with and without it"
    return "reproduced", f"present with the {'fault' if case.cause == 'fault' else 'cause'}, absent in the control"
