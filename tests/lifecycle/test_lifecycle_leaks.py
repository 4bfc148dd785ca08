"""Nothing outlives a run: no process, no listening port, no temp dir, no Chromium profile.

After every way a case can end (it passes, its symptom is missing, a peer crashes, the app
never becomes ready, the scenario times out) and after Ctrl-C / SIGTERM in the middle of
`pytest -n 2` over scenario files. Only what the run under test started is compared (_lifecycle).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from _cases import CASES, write_all
from _lifecycle import PYTHON, ROOT, Terminal, Watcher, env_for, own_tmp, tmp_left  # noqa: F401 (own_tmp: a fixture)

pytestmark = pytest.mark.e2e

CRASH = ("import json, sys\n"
         "print(json.dumps({'event': 'hello', 'role': 'server', 'impl': 'mine', 'version': '0'}), flush=True)\n"
         "sys.stdin.readline()\n"
         "sys.exit(3)\n")

ENDINGS = {
    "passes": CASES["quick"],
    "browser-passes": """
        name: lc-browser-passes
        doc: d
        server: {peer: node@4.8.1, options: {cors: {origin: "*"}}}
        client: browser@4.8.1
        expect: [connected: {}]
    """,
    "fails": """
        name: lc-fails
        doc: d
        server: node@4.8.1
        client: {peer: python, options: {reconnection: false}}
        proxies: [{name: edge, kind: http}]
        steps: [connect, wait: 0.5s]
        expect: [disconnect: {reason: ping timeout}]
    """,
    "crashes": """
        name: lc-crashes
        doc: d
        server: {command: %s %s}
        client: node@4.8.1
        expect: [connected: {}]
    """,
    "app-never-ready": """
        name: lc-app-never-ready
        doc: d
        server: {app: "node -e \\"setInterval(() => {}, 1000)\\"", env: {X: "{port}"}, start_timeout: 1s}
        client: node@4.8.1
        proxies: [{name: web, kind: nginx}]
        expect: [connected: {}]
    """,
    "times-out": """
        name: lc-times-out
        doc: d
        timeout: 1s
        server: node@4.8.1
        client: python
        proxies: [{name: net, kind: toxiproxy}]
        steps: [connect, wait: 30s]
        expect: [connected: {}]
    """,
}


def test_every_ending_of_a_case_leaves_nothing(tmp_path, own_tmp):
    script = tmp_path / "crash.py"
    script.write_text(CRASH)
    folder = tmp_path / "cases"
    folder.mkdir()
    for name, text in ENDINGS.items():
        text = text % (sys.executable, script) if name == "crashes" else text
        (folder / f"{name}.yaml").write_text(text.replace("\n        ", "\n").strip() + "\n")
    tmp = own_tmp
    cli = subprocess.Popen([PYTHON, "-m", "harness.cli", "run", str(folder), "-j", str(len(ENDINGS))], cwd=ROOT,
                           env=env_for(tmp), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        with Watcher(cli.pid) as watcher:
            out = cli.communicate(timeout=120)[0].decode()
            watcher.stop()
            left = watcher.left(settle=2.0)
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
            cli.wait()
    assert cli.returncode == 1, out
    # the browser's verdict is not the point (a loaded machine may give it no hello in 20 s): that it ran is
    for verdict, case in (("works", "lc-quick"), ("", "lc-browser-passes"), ("not reproduced", "lc-fails"),
                          ("error", "lc-crashes"), ("error", "lc-app-never-ready"), ("error", "lc-times-out")):
        assert any(verdict in line and line.endswith(case) for line in out.splitlines()), (case, out[-6000:])
    assert "code 3" in out and "not ready" in out and "timed out after 1.0 s" in out, out
    assert len(watcher.procs) > 10 and len(watcher.listening) >= 3   # it did start what it should not leave
    assert left == {"processes": [], "listeners": []}, left
    assert tmp_left(tmp) == []


def _pytest_cases(tmp_path, own_tmp):
    folder = tmp_path / "cases"
    folder.mkdir()
    for kind in ("toxiproxy", "http-python"):
        (folder / f"{kind}.sockfault.yaml").write_text(CASES[kind].replace("\n        ", "\n").strip() + "\n")
    tmp = own_tmp
    argv = [PYTHON, "-m", "pytest", "-n", "2", "-p", "no:cacheprovider", "-q", "--rootdir", str(folder), str(folder)]
    return argv, folder, tmp


def _wait_listeners(watcher, n, alive, timeout=90.0):
    deadline = time.monotonic() + timeout
    while len(watcher.listening) < n:
        assert alive(), "pytest ended before it was interrupted"
        assert time.monotonic() < deadline, f"only {len(watcher.listening)} listeners after {timeout:.0f} s"
        time.sleep(0.1)
    time.sleep(1.0)


def test_ctrl_c_in_pytest_n_2_leaves_nothing(tmp_path, own_tmp):
    argv, folder, tmp = _pytest_cases(tmp_path, own_tmp)
    term = Terminal(argv, tmp, cwd=folder)
    try:
        with Watcher(term.pid) as watcher:
            _wait_listeners(watcher, 4, lambda: term.proc.poll() is None)   # both workers' servers and proxies
            sent = time.monotonic()
            term.ctrl_c()
            code = term.wait(30)
            took = time.monotonic() - sent
            watcher.stop()
            left = watcher.left(settle=2.0)
        assert code == 2, term.text()          # pytest's "interrupted"
        assert took < 30, f"pytest took {took:.1f} s to stop"   # measured ~20 s: the plugin (not sockfault run) is slow here
        assert "KeyboardInterrupt" in term.text()
        assert left == {"processes": [], "listeners": []}, left
        assert tmp_left(tmp) == []
    finally:
        term.close()


@pytest.mark.parametrize("to", ["controller", "group"])
def test_sigterm_in_pytest_n_2_leaves_nothing(tmp_path, own_tmp, to):
    """SIGTERM to the xdist controller alone (`kill <pid>`) or to the whole group (a CI cancel): the
    workers' peers, warm spares and their temp dirs go too (before the plugin's handler a SIGTERMed
    worker left its spares' empty sockfault-peer-* dirs)."""
    argv, folder, tmp = _pytest_cases(tmp_path, own_tmp)
    term = Terminal(argv, tmp, cwd=folder)
    try:
        with Watcher(term.pid) as watcher:
            _wait_listeners(watcher, 4, lambda: term.proc.poll() is None)
            if to == "controller":
                os.kill(term.pid, signal.SIGTERM)
            else:
                os.killpg(term.pid, signal.SIGTERM)
            code = term.wait(30)
            watcher.stop()
            left = watcher.left(settle=2.0)
        assert code == -signal.SIGTERM, term.text()
        assert left == {"processes": [], "listeners": []}, left
        assert tmp_left(tmp) == []
    finally:
        term.close()
