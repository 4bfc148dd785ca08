"""`sockfault`: run scenarios, list peers, and mount the tools of the proxy and probe packages."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import os
import sys
import time

from .collect import collect, keyword_matches
from .peers import installed_peers
from ._interrupt import run_interruptibly
from .peers._reaper import install_signal_handlers

__all__ = ["main", "stdout_closed"]

# subcommand -> (module with add_arguments/run, help); modules import only when chosen
_MOUNTED = {
    "probe": ("harness.probe.cli", "raw Engine.IO handshake / poll / upgrade checks against a URL"),
    "toxiproxy-server": ("proxies.toxiproxy.cli", "a drop-in Toxiproxy API server"),
    "proxy": ("proxies.http.cli", "run one fault proxy standalone and print the decoded traffic"),
    "check": ("harness.check.cli", "run the troubleshooting checklist against your own app (no scenario file)"),
    "coverage": ("harness.coverage.cli", "map the troubleshooting page's headings to scenarios and verdicts (docs/coverage.md)"),
    "matrix": ("harness.matrix.cli", "measure the page's compatibility tables with real peers (cells, JSON, HTML)"),
    "compare": ("harness.report.compare_cli", "regressions and fixes between two results JSON files (CI gate)"),
    "report": ("harness.report.report_cli", "merge results JSON files (CI shards) into one HTML / JSON report"),
    "diagnose": ("harness.diagnose.cli", "the troubleshooting page as a check of a live deployment (a URL)"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sockfault", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run scenario files and report verdicts")
    run.add_argument("paths", nargs="*", default=["scenarios"])
    run.add_argument("--faithful", action="store_true",
                     help="only the faithful set, in real time: the faithful variants of the cases tagged `faithful` "
                          "and the real-time-only cases (timing: faithful, tag slow); without it those are left out")
    run.add_argument("-k", dest="keyword", help="only cases whose id matches (and / or / not)")
    run.add_argument("--json", dest="json_path", help="write per-scenario results as JSON")
    run.add_argument("--html", dest="html_path", help="write a self-contained HTML report")
    run.add_argument("--junit", dest="junit_path", help="write JUnit XML (one testcase per case)")
    run.add_argument("-j", "--jobs", type=jobs_arg, default="auto",
                     help="cases run at once: a number, or auto (default: the CPUs this process may use)")
    run.add_argument("--shard", help="K/N: run only this shard's cases (stable, balanced by --durations)")
    run.add_argument("--durations", help="a results JSON or {id: seconds} map (default reports/durations.json)")
    sub.add_parser("peers", help="list the peer versions installed here")
    for name, (_module, help_text) in _MOUNTED.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def jobs_arg(value: str) -> int:
    """`-j N` or `-j auto`: as many cases at once as this process has CPUs (2 on the project's machines:
    the catalogue's cases mostly wait on heartbeats, and -j 2 is what `make test` has run green)."""
    if value == "auto":
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of jobs (valid: a positive integer, auto)")
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"{jobs} jobs: at least 1 (or auto)")
    return jobs


def main(argv: list[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()   # inside the try: a closed pipe shows up here, not at interpreter exit
        return code
    except BrokenPipeError:
        return stdout_closed()


def stdout_closed() -> int:
    """The reader of stdout went away (`sockfault probe URL --json | head -1`): stop quietly.

    Whatever is still buffered goes to /dev/null, so Python's final flush does not complain
    either; 141 is what a shell reports for a writer that SIGPIPE ended.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 141


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in _MOUNTED:
        module = importlib.import_module(_MOUNTED[argv[0]][0])
        sub = argparse.ArgumentParser(prog=f"sockfault {argv[0]}", description=_MOUNTED[argv[0]][1])
        module.add_arguments(sub)
        return module.run(sub.parse_args(argv[1:]))
    args = _parser().parse_args(argv)
    if args.command == "peers":
        return _peers()
    install_signal_handlers()
    progress: dict = {}
    return run_interruptibly(_run(args, progress), report=lambda: _interrupted(progress))


def _peers() -> int:
    for role, rows in installed_peers().items():
        print(f"{role}s:")
        for row in rows:
            print(f"  {row}")
    return 0


async def _run(args, progress: dict | None = None) -> int:
    from ._heartbeat_use import uses_heartbeat
    from .report import results_document
    from .report._outputs import write_outputs
    from .runner import Session

    cases, load_errors = collect(args.paths)
    cases, real_time = _time_selection(cases, args.faithful)
    if args.keyword:
        cases = [c for c in cases if keyword_matches(args.keyword, c.case_id)]
    if args.shard:
        from ._shard import select_shard
        try:
            cases = select_shard(cases, lambda c: c.case_id, args.shard, args.durations)
        except ValueError as exc:
            print(f"sockfault run: {exc}", file=sys.stderr)
            return 2
        print(f"shard {args.shard.replace(' ', '')}: {len(cases)} cases", flush=True)
    for error in load_errors:
        print(f"ERROR {error.error}", file=sys.stderr)
    if real_time:
        print(f"{real_time} real-time case(s) left for `sockfault run --faithful`", flush=True)
    cpus = jobs_arg("auto")
    timed_slots = _timed_slots(args.jobs, cpus, args.faithful)
    if timed_slots < args.jobs and len(cases) > cpus:
        print(f"note: -j {args.jobs} on {cpus} CPUs: at most {timed_slots} heartbeat-timed cases run at once (a "
              f"compressed 500 ms pingTimeout starved by the machine itself reads as 'ping timeout'; "
              f"benchmarks/README.md, soak); the others fill the remaining slots", file=sys.stderr, flush=True)
    total, results, started = len(cases), [], time.monotonic()
    if progress is not None:   # what ran so far, for the summary a Ctrl-C prints
        progress.update(results=results, cases=cases, started=started, load_errors=load_errors)
    # the faithful set is waits: no warm spares (a browser spare is ~0.9 GB and a CPU burst at start)
    async with Session(faithful=args.faithful, spares=0 if args.faithful else 2) as session:
        gate, spaced, last_start = asyncio.Semaphore(max(1, args.jobs)), asyncio.Lock(), [float("-inf")]
        timed_gate = asyncio.Semaphore(timed_slots)

        async def one(case):
            # a timed case first takes a timed slot, then a job slot: waiting for the first holds no job slot
            async with (timed_gate if uses_heartbeat(case) else contextlib.nullcontext()), gate:
                if args.faithful:   # waits side by side, but not their start-ups (Chromium's above all)
                    async with spaced:
                        await asyncio.sleep(max(0.0, last_start[0] + _FAITHFUL_SPACING_S - time.monotonic()))
                        last_start[0] = time.monotonic()
                result = await session.run(case)
            results.append(result)
            print(f"[{len(results):>3}/{total}] {result.verdict:<15} {result.duration_s:6.2f} s  {case.case_id}",
                  flush=True)
            if not result.ok:
                print(f"      {case.where}: {result.reason[:600]}", flush=True)
            return result

        await asyncio.gather(*(one(c) for c in cases))
    order = {c.case_id: i for i, c in enumerate(cases)}
    results.sort(key=lambda r: order[r.case.case_id])
    _summary(results, time.monotonic() - started, load_errors)
    document = results_document(results, load_errors, args.faithful)
    write_outputs(document, json_path=args.json_path, html_path=args.html_path, junit_path=args.junit_path)
    ok = results and all(r.ok for r in results) and not load_errors
    return 0 if ok else 1


_FAITHFUL_SPACING_S = 10.0   # between two faithful cases' starts


def _timed_slots(jobs: int, cpus: int, faithful: bool) -> int:
    """How many cases timed by a compressed heartbeat may run at once: no more than the CPUs.

    Above that, the machine itself starves a peer past a 500 ms pingTimeout (soak at -j 4 on 2 cores:
    6 wrong verdicts, each such a starvation); heartbeat-free cases keep their real heartbeat and
    take the other slots. Real-time (faithful) cases wait seconds, not milliseconds: no limit.
    """
    return max(1, jobs if faithful else min(jobs, cpus))


def _time_selection(cases, faithful: bool):
    """(the cases to run, how many real-time-only cases a plain run leaves out)."""
    from .runner import faithful_set, real_time_only
    if faithful:
        return faithful_set(cases), 0
    kept = [c for c in cases if not real_time_only(c)]
    return kept, len(cases) - len(kept)


def _interrupted(progress: dict) -> None:
    """On Ctrl-C: the cases that finished, as at the end of a run, and the ones that did not."""
    if not progress:
        print("\ninterrupted before any case started", flush=True)
        return
    results, cases = progress["results"], progress["cases"]
    if results:
        _summary(results, time.monotonic() - progress["started"], progress["load_errors"])
    done = {r.case.case_id for r in results}
    rest = [c.case_id for c in cases if c.case_id not in done]
    print(f"interrupted: {len(results)} of {len(cases)} cases finished"
          + (f"; not finished: {', '.join(rest[:10])}{' …' if len(rest) > 10 else ''}" if rest else ""), flush=True)


def _summary(results, seconds: float, load_errors) -> None:
    width = max([len(r.case.case_id) for r in results] + [8])
    print(f"\n{'scenario':<{width}}  {'verdict':<15} {'symptom':<40} {'s':>6}")
    for r in results:
        print(f"{r.case.case_id:<{width}}  {r.verdict:<15} {r.case.symptom.describe()[:40]:<40} {r.duration_s:6.2f}")
    counts = {}
    for r in results:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    parts = [f"{n} {v}" for v, n in counts.items()] + ([f"{len(load_errors)} load errors"] if load_errors else [])
    passed = sum(1 for r in results if r.ok)   # reproduced, or works (a baseline)
    print(f"\n{len(results)} cases in {seconds:.1f} s: {', '.join(parts) or 'nothing ran'}"
          + (f" ({passed} of {len(results)} pass)" if results else ""))


if __name__ == "__main__":
    sys.exit(main())
