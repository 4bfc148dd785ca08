"""Peak memory of writing a run's reports (results JSON + HTML page) as the number of timeline events
grows: the eager way (every case's to_dict with its whole timeline and one json.dumps, as before the
reports streamed, then the page rendered whole into one string) against write_outputs as it is now.

Each mode runs in a fresh interpreter: it records C cases of E events each (decoded ~100-byte
WebSocket messages as the proxy's tap records them, an HTTP exchange every 25th event) on
Timelines with their default memory budget, then writes the JSON and the HTML. Printed per mode:
peak RSS growth over the RSS before writing (VmHWM reset through /proc/self/clear_refs), for
the document + JSON and for the HTML separately, the CPU seconds of each, and the files' sizes.
Usage: .venv/bin/python benchmarks/bench_report_memory.py [--cases 20] [--events 50000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from _procstatus import status_kb as _status  # noqa: E402  (benchmarks/ is the script's folder)


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")                             # VmHWM := VmRSS


def _results(cases: int, events: int) -> list:
    from harness.results import CaseResult, RunResult
    from harness.scenario import Case, Duration, Expectation
    from harness.timeline import Timeline
    from proxies.http.record import ws_message_data
    datas = [ws_message_data(i % 2 == 0, "bench-sid", "4", f'4{2 + i % 2}{i}["echo","{"x" * 100}"]'.encode(), True)
             for i in range(100)]
    http = {"method": "GET", "transport": "polling", "path": "/socket.io/", "sid": "bench-sid", "status": 200, "ms": 1.2,
            "body": {"packets": [{"type": "message", "data": "2"}]}}
    out = []
    for c in range(cases):
        case = Case(name=f"c{c}", case_id=f"c{c}", file="bench.yaml", line=1, doc="d", timing="compressed",
                    timeout=Duration(10), tags=(), servers=(), clients=(), proxies=(), faults=(), steps=(),
                    expect=(Expectation("connect_error", {}, 5),), cause="pair")
        tl = Timeline()
        for i in range(events):
            if i % 25:
                tl.add("proxy:edge", "ws_message", datas[i % 100])
            else:
                tl.add("proxy:edge", "http", http)
        out.append(CaseResult(case, "reproduced", "r", RunResult(case.case_id, tl), None, 1.0))
    return out


def _eager(results, json_path: str, html_path: str) -> Iterator[None]:
    """The document as it was built before (whole lists), one json.dumps, one page string."""
    from harness.report._html import render_html
    from harness.report._json import results_document, scenario_commands
    document = dict(results_document([]), scenarios=[dict(r.to_dict(), commands=scenario_commands(r.case)) for r in results])
    Path(json_path).write_text(json.dumps(document, indent=1, default=str))
    yield
    Path(html_path).write_text(render_html(document), encoding="utf-8")


def _streaming(results, json_path: str, html_path: str) -> Iterator[None]:
    """write_outputs' way: the lazy document, each file streamed."""
    from harness.report._html import write_html
    from harness.report._json import results_document, write_json
    document = results_document(results)
    write_json(json_path, document)
    yield
    write_html(html_path, document)


def child(mode: str, cases: int, events: int) -> dict:
    results = _results(cases, events)
    with tempfile.TemporaryDirectory(prefix="sockfault-bench-report-") as tmp:
        json_path, html_path = os.path.join(tmp, "r.json"), os.path.join(tmp, "r.html")
        phases = {"eager": _eager, "streaming": _streaming}[mode](results, json_path, html_path)
        rss0, out = _status("VmRSS"), {"mode": mode, "events": cases * events}
        for name in ("json", "html"):
            _reset_peak()
            cpu = time.process_time()
            next(phases, None)
            out[f"{name}_cpu_s"] = round(time.process_time() - cpu, 1)
            out[f"{name}_peak_mb"] = round((_status("VmHWM") - rss0) / 1024, 1)
        out["rss_before_mb"] = round(rss0 / 1024, 1)
        out["json_mb"] = round(os.path.getsize(json_path) / 2**20, 1)
        out["html_mb"] = round(os.path.getsize(html_path) / 2**20, 1)
    for r in results:
        r.main.timeline.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=20)
    ap.add_argument("--events", type=int, default=50_000)
    ap.add_argument("--quick", action="store_true", help="20 cases x 5,000 events")
    ap.add_argument("--modes", default="eager,streaming")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), int(args.child[2]))))
        return
    cases, events = (20, 5_000) if args.quick else (args.cases, args.events)
    print(f"## {cases} cases x {events:,} events, load average {os.getloadavg()[0]:.1f}\n")
    print("| mode | RSS before MB | peak growth, document + JSON MB | JSON CPU s | peak growth, HTML MB | HTML CPU s "
          "| JSON MB | HTML MB |")
    print("|---|---|---|---|---|---|---|---|")
    for mode in args.modes.split(","):
        proc = subprocess.run([sys.executable, __file__, "--child", mode, str(cases), str(events)],
                              capture_output=True, text=True, timeout=3600)
        if proc.returncode:
            raise SystemExit(f"{mode} failed:\n{proc.stderr}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"| {mode} | {r['rss_before_mb']} | {r['json_peak_mb']} | {r['json_cpu_s']} | {r['html_peak_mb']} "
              f"| {r['html_cpu_s']} | {r['json_mb']} | {r['html_mb']} |", flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
