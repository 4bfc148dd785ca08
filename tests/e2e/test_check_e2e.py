"""`sockfault check` against tests/apps/node-chat (an ordinary Express app): exit codes, JSON, --strict."""

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from harness.peers.app._ports import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
CHAT = ROOT / "tests" / "apps" / "node-chat"
SOCKFAULT = [sys.executable, "-m", "harness.cli", "check"]

if not (CHAT / "node_modules" / "socket.io").exists():
    pytest.skip(f"{CHAT}/node_modules missing (run `make setup`)", allow_module_level=True)


def _check(*args, cwd=CHAT, timeout=240):
    return subprocess.run(SOCKFAULT + ["-j", "1"] + list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))


def test_check_reports_exposures_with_evidence_and_fix(tmp_path):
    out = tmp_path / "check.json"
    done = _check("--server", "node index.js", "--only", "upgrade-refused,client-versions,sticky-sessions,"
                  "state-recovery", "--json", str(out), "--html", str(tmp_path / "check.html"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "socket.io 4.8.1; hook: yes" in done.stdout
    assert "pingInterval 10000 ms + pingTimeout 5000 ms" in done.stdout     # the app's own, unscaled
    states = {c["name"]: c for c in json.loads(out.read_text())["check"]["checks"]}
    assert states["upgrade-refused"]["state"] == "exposed"
    assert states["sticky-sessions"]["state"] == "exposed"
    assert "Session ID unknown" in states["sticky-sessions"]["cells"][0]["evidence"]
    assert states["state-recovery"]["state"] == "exposed"           # the app has no connection state recovery
    cells = {c["case"].split("client=")[1].rstrip("]"): c["state"] for c in states["client-versions"]["cells"]}
    assert cells["node@2.4.0"] == "exposed" and cells["node@4.8.1"] == "ok"
    assert "fix: let every proxy pass the upgrade" in done.stdout
    assert (tmp_path / "check.html").read_text().startswith("<!doctype html>")


def test_check_sees_the_fix_when_the_app_has_it():
    done = _check("--server", "node index.js", "--only", "state-recovery", cwd=CHAT)
    assert "[EXPOSED" in done.stdout
    recovered = subprocess.run(SOCKFAULT + ["--server", "node index.js", "--only", "state-recovery"], cwd=CHAT,
                               capture_output=True, text=True, timeout=120,
                               env=dict(os.environ, PYTHONPATH=str(ROOT), CHAT_RECOVERY="1"))
    assert "[OK" in recovered.stdout, recovered.stdout


def test_strict_fails_on_an_exposure():
    done = _check("--server", "node index.js", "--only", "upgrade-refused", "--strict")
    assert done.returncode == 1 and "[EXPOSED" in done.stdout


def test_an_app_that_cannot_start_exits_2_with_its_output(tmp_path):
    done = _check("--server", "node -e \"console.error('Error: Cannot find module express'); process.exit(3)\"",
                  cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert "could not be started" in done.stderr and "Cannot find module express" in done.stderr


def test_check_a_running_app_by_url():
    port = free_port()
    proc = subprocess.Popen(["node", "index.js"], cwd=CHAT, env=dict(os.environ, PORT=str(port)),
                            stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        done = _check("--url", f"http://127.0.0.1:{port}", "--only", "client-versions,sticky-sessions,state-recovery",
                      "--clients", "node@4.8.1")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "hook: no" in done.stdout
        assert "skipped: two instances" in done.stdout and "skipped: the app has no hook" in done.stdout
        assert proc.poll() is None
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_compression_hidden_is_exposed_only_when_the_app_compresses():
    """node-chat with CHAT_DEFLATE=1 (perMessageDeflate on, as a user would set it) is exposed; at socket.io's
    default (off) the same check is OK."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    args = SOCKFAULT + ["-j", "1", "--server", "node index.js", "--only", "compression-hidden"]
    on = subprocess.run(args, cwd=CHAT, capture_output=True, text=True, timeout=120, env=dict(env, CHAT_DEFLATE="1"))
    assert "[EXPOSED" in on.stdout and "probe error" in on.stdout, on.stdout + on.stderr
    off = subprocess.run(args, cwd=CHAT, capture_output=True, text=True, timeout=120, env=env)
    assert "[OK" in off.stdout and "websocket" in off.stdout.split("[OK", 1)[1], off.stdout + off.stderr


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="no nginx")
def test_tls_termination_exposes_python_socketio_not_node():
    """Behind nginx terminating TLS without X-Forwarded-Proto: python-socketio (same-origin default) refuses
    the https Origin with 400; socket.io on Node checks no Origin and connects."""
    python_app = ROOT / "tests" / "apps" / "python-chat"
    done = _check("--server", f"{sys.executable} app.py", "--only", "tls-termination", cwd=python_app)
    assert "[EXPOSED" in done.stdout and "description=400" in done.stdout, done.stdout + done.stderr
    node = _check("--server", "node index.js", "--only", "tls-termination")
    assert "[OK" in node.stdout and "connected as" in node.stdout, node.stdout + node.stderr
