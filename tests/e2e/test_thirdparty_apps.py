"""An app nobody here wrote — laravel-echo-server 1.6.3 from npm (socket.io 2.5.1), unmodified — as the
scenario server: stuck in polling, the network cut, two instances with and without sticky sessions.
Each app instance starts exactly once per run, and the hook compresses its own 25 s + 20 s heartbeat."""

from pathlib import Path

import pytest

from harness.runner import Session
from harness.scenario import load_cases

pytestmark = pytest.mark.e2e
APP = Path(__file__).resolve().parents[1] / "apps" / "thirdparty" / "laravel-echo-server"
SCENARIOS = sorted((APP / "scenarios").glob("*.yaml"))

if not (APP / "node_modules" / "laravel-echo-server").exists():
    pytest.skip(f"{APP}/node_modules missing (run `make setup`)", allow_module_level=True)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
async def test_thirdparty_app_reproduces(path):
    case, = load_cases(path)
    async with Session() as session:
        result = await session.run(case)
    assert result.verdict == "reproduced", result.reason
    for run in (result.main, result.control):
        starts = run.timeline.events(kind="app_start")
        assert sorted(e.source for e in starts) == [f"server:{i}" for i in range(len(case.servers))]
        hellos = run.timeline.events(kind="hello")
        assert {e.data["version"] for e in hellos if e.source.startswith("server")} == {"2.5.1"}
        listening = [e for e in run.timeline.events(kind="listening") if e.source.startswith("server")
                     and "observed" not in e.data]
        assert listening and all(e.data["options"]["pingInterval"] == 625 and e.data["options"]["pingTimeout"] == 500
                                 for e in listening)
