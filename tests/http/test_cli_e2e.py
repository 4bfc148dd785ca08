"""`sockfault proxy http` as a subprocess in front of a real node socket.io 4.8.1 server."""

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from _sfnode import NodeServer, first, node_available, run_client

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not node_available(), reason="node or node_modules missing")]

ROOT = Path(__file__).resolve().parents[2]


async def start_cli(*argv):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "harness.cli", "proxy", "http", *argv, cwd=str(ROOT),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    first_line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
    return proc, first_line


async def stop_cli(proc):
    proc.send_signal(signal.SIGINT)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 10)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return out.decode(), err.decode()


def refused(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


async def test_cli_prints_the_handshake_and_the_upgrade_and_stops_on_sigint():
    async with NodeServer() as srv:
        proc, line = await start_cli("--upstream", f"http://127.0.0.1:{srv.port}")
        try:
            assert line.startswith("listening on http://127.0.0.1:") and line.rstrip().endswith(f"-> http://127.0.0.1:{srv.port}")
            port = int(line.split()[2].rsplit(":", 1)[1])
            events = await run_client(f"http://127.0.0.1:{port}", duration_ms=2000)   # 800 ms: no upgrade yet at load 15
        finally:
            out, err = await stop_cli(proc)
    assert first(events, "upgrade")["transport"] == "websocket"
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert any("HTTP GET polling -> 200" in l and 'open {"sid":' in l for l in lines), out
    assert any("HTTP GET websocket sid=" in l and "-> 101" in l for l in lines), out
    assert any("WS   client -> server" in l and "ping probe" in l for l in lines), out
    assert any("WS   server -> client" in l and "pong probe" in l for l in lines), out
    assert any("WS   client -> server" in l and " upgrade " in l for l in lines), out
    assert lines[-1] == "stopping" and "Traceback" not in err
    assert refused(port)


async def test_cli_fault_and_fixed_listen_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        fixed = s.getsockname()[1]
    async with NodeServer() as srv:
        proc, line = await start_cli("--upstream", f"http://127.0.0.1:{srv.port}", "--listen", f"127.0.0.1:{fixed}",
                                     "--fault", "strip_upgrade:mode=reject,status=418")
        try:
            assert line.startswith(f"listening on http://127.0.0.1:{fixed} ")
            events = await run_client(f"http://127.0.0.1:{fixed}", duration_ms=800)
        finally:
            out, err = await stop_cli(proc)
    assert "upgrade" not in [e["k"] for e in events] and first(events, "upgradeError")
    assert proc.returncode == 0, err
    assert 'fault strip_upgrade mode="reject" status=418' in out
    assert any("HTTP GET websocket" in l and "-> 418" in l and "[fault: strip_upgrade:reject]" in l
               for l in out.splitlines()), out
    assert refused(fixed)
