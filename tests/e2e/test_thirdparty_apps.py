"""Apps nobody here wrote, installed unmodified from npm, as the scenario server:

- laravel-echo-server 1.6.3 (socket.io 2.5.1): stuck in polling, the network cut (a new id: socket.io 2
  has no connection state recovery), two instances with and without sticky sessions;
- browser-sync 3.0.4 (socket.io 4.8.x, at /browser-sync/socket.io, namespace /browser-sync): the same,
  plus the cut WITH connection state recovery, turned on by the scenario's server options (merged by
  the hook): the id is kept and the reload browser-sync broadcast during the cut is delivered.

Each app instance starts exactly once per run, reports the socket.io it really loads, and the hook
compresses its own heartbeat (laravel-echo-server 25 s + 20 s, browser-sync 25 s + 5 s: both 625 + 500 ms,
500 ms being the hook's floor)."""

import json
from pathlib import Path

import pytest

from harness.runner import Session
from harness.scenario import load_cases

pytestmark = pytest.mark.e2e
THIRDPARTY = Path(__file__).resolve().parents[1] / "apps" / "thirdparty"


def _installed(app: str, package: str) -> str | None:
    """The version npm ci installed (the committed lock pins it), None before `make setup`."""
    try:
        return json.loads((THIRDPARTY / app / "node_modules" / package / "package.json").read_text())["version"]
    except FileNotFoundError:
        return None


# app folder -> (its own package, the socket.io it must load, where its Engine.IO answers)
APPS = {
    "laravel-echo-server": ("laravel-echo-server", "2.5.1", "/socket.io"),
    "browser-sync": ("browser-sync", _installed("browser-sync", "socket.io"), "/browser-sync/socket.io"),
}
CASES = [(app, path) for app in APPS for path in sorted((THIRDPARTY / app / "scenarios").glob("*.yaml"))]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in text.split(".")[:3])


@pytest.mark.parametrize("app,path", CASES, ids=[f"{app}/{p.stem}" for app, p in CASES])
async def test_thirdparty_app_reproduces(app, path):
    package, socketio, served = APPS[app]
    if _installed(app, package) is None:
        pytest.skip(f"{THIRDPARTY / app}/node_modules missing (run `make setup`)")
    case, = load_cases(path)
    async with Session() as session:
        result = await session.run(case)
    assert result.verdict == "reproduced", result.reason
    for run in (result.main, result.control):
        starts = run.timeline.events(kind="app_start")
        assert sorted(e.source for e in starts) == [f"server:{i}" for i in range(len(case.servers))]
        hellos = [e for e in run.timeline.events(kind="hello") if e.source.startswith("server")]
        assert sorted(e.source for e in hellos) == sorted(e.source for e in starts)
        assert {e.data["version"] for e in hellos} == {socketio}
        listening = [e for e in run.timeline.events(kind="listening") if e.source.startswith("server")
                     and "observed" not in e.data]
        assert len(listening) == len(starts)
        for e in listening:
            assert e.data["path"] == served
            assert e.data["options"]["pingInterval"] == 625 and e.data["options"]["pingTimeout"] == 500
    if app == "browser-sync":
        assert _version(socketio) >= (4, 6), "connection state recovery needs socket.io >= 4.6"
    if path.stem == "network-cut-state-recovery":
        _reload_during_the_cut(result)


def _reload_during_the_cut(result):
    """browser-sync broadcast its reload while the client was cut off: delivered on the recovered
    session (main), lost on the new one (control)."""
    for run, delivered in ((result.main, True), (result.control, False)):
        tl = run.timeline
        cut = min(e.t for e in tl.events(kind="fault_applied"))
        back = min(e.t for e in tl.events(kind="fault_removed"))
        reload, = [e for e in tl.events(kind="log") if "Reloading Browsers" in e.data.get("line", "")]
        assert cut < reload.t < back, (cut, reload.t, back)
        received = [e for e in tl.events(source="client:0", kind="event") if e.data.get("name") == "browser:reload"]
        assert bool(received) == delivered, received
        if delivered:
            assert received[0].t > back
