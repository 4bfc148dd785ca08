"""A restart storm: N socket.io clients behind nginx, the server SIGKILLed and restarted on the same port.

Run: .venv/bin/python benchmarks/bench_restart_storm.py [--clients 1000] [--down 1] [--repeat 1] [--rf 0,0.5]
     [--transports default,polling]
Each case is one sockfault run (scenarios/beyond-the-page/restart-storm.yaml at a larger N): the bundled
socket.io 4.8.1 server, the real nginx (nginx-correct, its access log on), one swarm client peer holding
every socket (harness/peers/node/swarm.js), `restart_server: {down_for}`. Cases: randomizationFactor 0
and 0.5 (socket.io-client's default), default transports (websocket after the upgrade) and polling only.
Printed per case: nginx's 502s and 400s (its access log; a 400's sid issued by the killed process or
the new one, polling or websocket), the clients' 400 {"code":1} bodies, the
sockets back, the peak number of reconnects in any 100 ms, and when the first and the last came back
(seconds after the kill; the server was down `--down` s of that).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

from harness.runner import Session
from harness.scenario import load_cases
from harness.symptoms import Observation
from harness.symptoms._storm import storm_figures

TEMPLATE = """
name: bench-restart-storm
doc: benchmark
timeout: 90s
server: {{peer: node@4.8.1, options: {{pingInterval: 10000, pingTimeout: 10000}}}}
client:
  peer: swarm@4.8.1
  options: {{$count: {n}, reconnectionDelay: 500, reconnectionDelayMax: 5000, randomizationFactor: {rf}{transports}}}
proxies:
  - {{name: edge, kind: nginx, options: {{access_log: true}}}}
steps:
  - connect
  - wait_for: {{event: all_connected, timeout: 60s}}
  - wait: 1s
  - restart_server: {{down_for: {down}s}}
  - wait_for: {{event: all_connected, match: {{round: 2}}, timeout: 30s}}
  - wait: 1s
expect:
  - connected: {{}}
"""


def figures(result) -> dict:
    timeline = result.timeline
    obs = Observation(timeline, timeline.now())
    kill = obs.first("runner", "server_killed")
    after = [e for e in timeline.events() if kill is not None and e.t >= kill.t]
    proxy = [e for e in after if e.source.startswith("proxy:") and e.kind == "http"]
    client_http = [e for e in after if e.source.startswith("client") and e.kind == "http"]
    old_sids = {e.data.get("sid") for e in timeline.events("client", "handshake") if kill is not None and e.t < kill.t}
    refused = [e for e in proxy if e.data.get("status") == 400]
    on_old = sum(_sid(e.data.get("url", "")) in old_sids for e in refused)
    storm = storm_figures(obs) if kill is not None else {}
    restarted = obs.first("runner", "server_restarted")
    return {
        "error": result.error,
        "nginx_502": sum(e.data.get("status") == 502 for e in proxy),
        "nginx_400": sum(e.data.get("status") == 400 for e in proxy),
        "nginx_400_old_sid": on_old, "nginx_400_new_sid": len(refused) - on_old,
        "nginx_400_websocket": sum("transport=websocket" in e.data.get("url", "") for e in refused),
        "nginx_400_post": sum(e.data.get("method") == "POST" for e in refused),
        "client_400_code1": sum(e.data.get("status") == 400 and (e.data.get("json") or {}).get("code") == 1
                                for e in client_http),
        "up_again_s": round((restarted.t - kill.t) / 1000, 2) if restarted and kill else None,
        "connect_errors": sum(e.kind == "connect_error" and e.source.startswith("client") for e in after),
        **{k: storm.get(k) for k in ("sockets", "dropped", "back", "peak", "attempts", "attempt_peak", "delay_peak", "delay_ms",
                                                "first_back_s", "all_back_s", "spread_s")},
    }


def _sid(url: str) -> str | None:
    query = url.partition("?")[2]
    return next((v for k, _, v in (part.partition("=") for part in query.split("&")) if k == "sid"), None)


async def one(n: int, rf: float, transports: str, down: float) -> dict:
    text = TEMPLATE.format(n=n, rf=rf, down=down, transports=", transports: [polling]" if transports == "polling" else "")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(text)
    try:
        case, = load_cases(f.name)
        async with Session(spares=0) as session:
            outcome = await session.run(case)
    finally:
        Path(f.name).unlink()
    return {"clients": n, "randomizationFactor": rf, "transports": transports, "down_s": down,
            "wall_s": round(outcome.duration_s, 1), **figures(outcome.main)}


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--down", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--transports", default="default,polling")
    parser.add_argument("--rf", default="0,0.5", help="randomizationFactor values")
    args = parser.parse_args()
    rows = []
    for _ in range(args.repeat):
        for transports in args.transports.split(","):
            for rf in (float(x) for x in args.rf.split(",")):
                row = await one(args.clients, rf, transports, args.down)
                print(json.dumps(row), flush=True)
                rows.append(row)
    return 1 if any(r["error"] or r["back"] != r["dropped"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
