"""Per-case overhead of a user's app server beside a bundled peer, measured side by side in one run.

Run: .venv/bin/python benchmarks/bench_app_server.py [--repeat 10]
For each, alternating: the whole case (set-up + teardown, without the steps' own waiting, as
RunResult.overhead_s), and for the app its start-to-ready (the `ready` event's ms: spawn until the
Engine.IO handshake answers) and its teardown (SIGTERM of the process group until it is gone).
An app is never warm (it starts once per run), so its figure includes Node's start-up and the
app's own require()s; a bundled peer comes from the warm pool.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from harness.peers.app import AppServer, app_spec
from harness.runner import Session
from harness.scenario import load_cases

ROOT = Path(__file__).resolve().parents[1]
CHAT = ROOT / "tests" / "apps" / "node-chat"
SERVERS = {
    "bundled node@4.8.1": "node@4.8.1",
    "app (Express + socket.io 4.8.1)": f'{{app: "node index.js", cwd: "{CHAT}", env: {{PORT: "{{port}}"}}}}',
    "app, hook: false": f'{{app: "node index.js", cwd: "{CHAT}", env: {{PORT: "{{port}}"}}, hook: false}}',
}
TEMPLATE = """
name: bench-app
doc: benchmark
server: {server}
client: {{peer: node@4.8.1, options: {{reconnection: false}}}}
steps:
  - connect
  - wait_for: {{event: connect, timeout: 5s}}
expect:
  - connected: {{}}
"""


def _fmt(values: list[float]) -> str:
    return f"min {min(values):6.3f}  median {statistics.median(values):6.3f}  max {max(values):6.3f} s"


async def cases(repeat: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {label: [] for label in SERVERS}
    with tempfile.TemporaryDirectory() as tmp:
        loaded = {}
        for i, (label, server) in enumerate(SERVERS.items()):
            path = Path(tmp) / f"{i}.yaml"
            path.write_text(TEMPLATE.format(server=server))
            loaded[label] = load_cases(path)[0]
        async with Session() as session:
            for case in loaded.values():
                await session.run(case)   # warm the pool's client (and the bundled server) once
            for _ in range(repeat):
                for label, case in loaded.items():
                    result = await session.run(case)
                    assert result.verdict in ("works", "reproduced"), result.reason
                    out[label].append(result.main.overhead_s)
    return out


async def app_phases(repeat: int) -> tuple[list[float], list[float]]:
    spec = app_spec({"app": "node index.js", "cwd": str(CHAT), "env": {"PORT": "{port}"}}, None)
    ready, teardown = [], []
    for _ in range(repeat):
        server = AppServer(spec)
        started = time.monotonic()
        await server.start({}, compressed=True)
        ready.append(time.monotonic() - started)
        started = time.monotonic()
        await server.stop()
        teardown.append(time.monotonic() - started)
    return ready, teardown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    for label, values in asyncio.run(cases(args.repeat)).items():
        print(f"case overhead  {label:<34} {_fmt(values)}")
    ready, teardown = asyncio.run(app_phases(args.repeat))
    print(f"app start-to-ready {'':<30} {_fmt(ready)}")
    print(f"app teardown       {'':<30} {_fmt(teardown)}")


if __name__ == "__main__":
    main()
