"""The runner with real peers: verdicts, and nothing outlives a run (success, failure, timeout, Ctrl-C)."""

import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from _children import children
from harness.runner import Session
from harness.scenario import load_cases

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False






def _refused(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


async def _run(path, **session):
    async with Session(**session) as s:
        return [await s.run(case) for case in load_cases(path)]


VERSION_PAIR = """
    name: pair
    doc: d
    server: node@4.8.1
    client: {peer: node@2.4.0, options: {transports: [polling], reconnection: false}}
    expect:
      - connect_error: {message: xhr poll error, description: 400}
    control:
      server: {options: {allowEIO3: true}}
      expect: [connected: {}]
"""


async def test_a_reproduced_case_releases_every_process_and_port(tmp_path, new_children):
    (result,) = await _run(_write(tmp_path, VERSION_PAIR))
    assert result.verdict == "reproduced", result.reason
    assert result.main.peers["server:0"]["version"] == "4.8.1"
    assert result.main.peers["client:0"]["version"] == "2.4.0"
    pids = [e.data["pid"] for r in (result.main, result.control) for e in r.timeline.events(kind="hello")]
    ports = [e.data["port"] for r in (result.main, result.control) for e in r.timeline.events("server", "listening")]
    assert len(pids) == 4 and len(ports) == 2
    assert not [p for p in pids if _alive(p)]
    assert all(_refused(p) for p in ports)
    assert new_children() == set()


async def test_a_symptom_that_does_not_appear_is_reported_with_what_was_seen(tmp_path, new_children):
    text = VERSION_PAIR.replace("description: 400", "description: 404")
    (result,) = await _run(_write(tmp_path, text))
    assert result.verdict == "not reproduced"
    assert "description=400" in result.reason and "line 7" in result.reason
    assert new_children() == set()


async def test_a_timeout_stops_everything(tmp_path, new_children):
    text = """
        name: slow
        doc: d
        timeout: 3s
        server: node@4.8.1
        client: node@4.8.1
        steps: [connect, wait: 30s]
        expect: [connected: {}]
    """
    started = time.monotonic()
    (result,) = await _run(_write(tmp_path, text))
    assert time.monotonic() - started < 8
    assert result.verdict == "error" and "timed out after 3.0 s" in result.reason
    pids = [e.data["pid"] for e in result.main.timeline.events(kind="hello")]
    assert pids and not [p for p in pids if _alive(p)]   # (1 s was shorter than a loaded CI's start-up)
    assert new_children() == set()


async def test_a_crashed_peer_is_reported_with_its_stderr(tmp_path, new_children):
    script = tmp_path / "crash.py"
    script.write_text("import json, sys\n"
                      "print(json.dumps({'event': 'hello', 'role': 'server', 'impl': 'mine', 'version': '0'}), flush=True)\n"
                      "sys.stdin.readline()\n"
                      "sys.stderr.write('boom: the server blew up')\n"
                      "sys.exit(3)\n")
    text = f"""
        name: crash
        doc: d
        server: {{command: {sys.executable} {script}}}
        expect: [connected: {{}}]
    """
    (result,) = await _run(_write(tmp_path, text))
    assert result.verdict == "error"
    assert "boom: the server blew up" in result.reason and "code 3" in result.reason
    assert new_children() == set()


def test_ctrl_c_leaves_no_peer_behind(tmp_path):
    path = _write(tmp_path, """
        name: long
        doc: d
        server: node@4.8.1
        client: python
        steps: [connect, wait: 60s]
        expect: [connected: {}]
    """)
    cli = subprocess.Popen([sys.executable, "-m", "harness.cli", "run", str(path)], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        peers: set[int] = set()
        while time.monotonic() < deadline and len(peers) < 2:
            time.sleep(0.2)
            peers = children(cli.pid)
        time.sleep(1.5)  # let the run reach its wait step
        peers |= children(cli.pid)
        assert len(peers) >= 2, "the run never started its peers"
        cli.send_signal(signal.SIGINT)
        out, err = cli.communicate(timeout=20)
    finally:
        if cli.poll() is None:
            cli.kill()
    assert cli.returncode == 130, err
    assert "interrupted" in err
    time.sleep(0.2)
    assert not [p for p in peers if _alive(p)]


def test_cli_reports_broken_files_and_runs_the_rest(tmp_path):
    _write(tmp_path, VERSION_PAIR, "good.yaml")
    _write(tmp_path, "name: bad\ndoc: d\nserver: node@7\nexpect: [connected: {}]\n", "bad.yaml")
    out = subprocess.run([sys.executable, "-m", "harness.cli", "run", str(tmp_path), "--json",
                          str(tmp_path / "r.json")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert "bad.yaml:3: unknown server peer 'node@7'" in out.stderr and "Traceback" not in out.stderr
    assert "reproduced" in out.stdout
    import json
    document = json.loads((tmp_path / "r.json").read_text())
    (entry,) = document["scenarios"]
    assert entry["verdict"] == "reproduced" and entry["peers"]["server:0"]["version"] == "4.8.1"
    assert entry["control"]["result"] == "symptom absent" and entry["evidence"][0]["present"]
    assert document["load_errors"][0]["line"] == 3
