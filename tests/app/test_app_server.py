"""AppServer with small Python programs (no Node): ready at the handshake, errors carry the app's output,
the whole process group goes at stop, fixed ports take turns."""

import asyncio
import os
import socket
import sys
import textwrap

import pytest

from harness.errors import PeerError
from harness.peers.app import AppServer, app_spec
from harness.peers.app._channel import HookChannel
from harness.peers.app._ports import PortLock
from harness.peers.app._ready import NotReady, wait_ready
from harness.timeline import Timeline

# an ordinary python-socketio app; it forks a child that must die with it
APP = textwrap.dedent("""
    import os, subprocess, sys
    import socketio
    from aiohttp import web
    print("booting", flush=True)
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    sio = socketio.AsyncServer(async_mode="aiohttp", ping_interval=7, ping_timeout=3)
    app = web.Application()
    sio.attach(app)
    web.run_app(app, host="127.0.0.1", port=int(os.environ["PORT"]), print=None)
""")


def _spec(tmp_path, source: str, **extra):
    (tmp_path / "app.py").write_text(source)
    raw = {"app": [sys.executable, "app.py"], "cwd": str(tmp_path), "env": {"PORT": "{port}"}, "hook": False, **extra}
    return app_spec(raw, None)


def _live_in_group(pgid: int) -> list[int]:
    live = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[2]) == pgid and stat[0] != "Z":
                live.append(int(entry))
    return live


async def test_ready_at_the_handshake_and_the_group_dies_at_stop(tmp_path):
    server, timeline = AppServer(_spec(tmp_path, APP, start_timeout=20)), Timeline()
    server.attach(timeline, "server:0")
    try:
        host, port = await server.start({}, compressed=True)
        ready, = timeline.events(kind="ready")
        assert ready.data["handshake"]["pingInterval"] == 7000 and ready.data["handshake"]["pingTimeout"] == 3000
        listening, = timeline.events(kind="listening")    # no hook: what the wire advertised
        assert listening.data["observed"] == "wire" and listening.data["options"]["pingTimeout"] == 3000
        assert timeline.events(kind="observer")[0].data["hook"] is False
        assert any(e.data["line"] == "booting" for e in timeline.events(kind="log"))
        pgid = server.proc.pid
    finally:
        await server.stop()
    await asyncio.sleep(0.1)
    assert _live_in_group(pgid) == []      # the app and the child it forked are gone (zombies aside)
    with socket.socket() as probe:
        assert probe.connect_ex((host, port)) != 0


async def test_an_app_that_crashes_reports_its_output(tmp_path):
    server = AppServer(_spec(tmp_path, "import sys\nprint('migrating database', flush=True)\nsys.exit('no DATABASE_URL')\n"))
    with pytest.raises(PeerError) as info:
        await server.start({}, compressed=False)
    await server.stop()
    text = str(info.value)
    assert "exited with code 1" in text and "migrating database" in text and "no DATABASE_URL" in text


async def test_an_app_on_the_wrong_port_times_out_with_a_hint(tmp_path):
    spec = _spec(tmp_path, "import time\nprint('listening on 3000', flush=True)\ntime.sleep(30)\n", start_timeout=0.6)
    server = AppServer(spec)
    with pytest.raises(PeerError) as info:
        await server.start({}, compressed=False)
    await server.stop()
    assert "no Engine.IO handshake" in str(info.value) and "listening on 3000" in str(info.value)


async def test_ready_check_names_what_answered_instead(tmp_path):
    from aiohttp import web
    app = web.Application()
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        with pytest.raises(NotReady, match="HTTP 404"):
            await wait_ready(f"http://127.0.0.1:{port}", "/socket.io/", 0.3, lambda: None)
        with pytest.raises(NotReady, match="gone"):
            await wait_ready(f"http://127.0.0.1:{port}", "/socket.io/", 5, lambda: "gone")
    finally:
        await runner.cleanup()


async def test_fixed_ports_take_turns_and_a_foreign_listener_is_named():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        first = PortLock(port, "app")
        await first.acquire(timeout=1)
        second = PortLock(port, "app")
        with pytest.raises(PeerError, match="stayed taken"):
            await second.acquire(timeout=0.2)
        first.release()
        holder.listen()
        with pytest.raises(PeerError, match="already in use"):
            await second.acquire(timeout=1)


async def test_a_turn_lock_leaves_no_file_and_still_excludes_a_waiter_on_the_removed_file():
    """release() removes the lock file (no `sockfault-port-*.lock` outlives a run); a waiter already
    blocked on the removed file must not then share the turn with a newcomer on a new file."""
    port = 1  # nothing listens on port 1: only the lock is exercised
    first = PortLock(port, "app")
    await first.acquire(timeout=1)
    assert os.path.exists(first.path)
    waiter = PortLock(port, "app")
    waiting = asyncio.ensure_future(waiter.acquire(timeout=3))
    await asyncio.sleep(0.15)              # the waiter now holds an fd on the file first will remove
    newcomer = PortLock(port, "app")
    first.release()
    await waiting
    assert os.path.exists(waiter.path)
    with pytest.raises(PeerError, match="stayed taken"):
        await newcomer.acquire(timeout=0.3)
    waiter.release()
    assert not os.path.exists(first.path)


async def test_hook_channel_carries_events_and_commands():
    seen = []
    channel = HookChannel(lambda kind, data: seen.append((kind, data)))
    path = await channel.start()
    reader, writer = await asyncio.open_unix_connection(path)
    writer.write(b'{"event":"hello","impl":"socket.io","version":"4.8.1"}\nnot json\n')
    await writer.drain()
    for _ in range(50):
        if len(seen) == 2:
            break
        await asyncio.sleep(0.01)
    assert seen[0] == ("hello", {"impl": "socket.io", "version": "4.8.1"})
    assert seen[1][0] == "hook_garbage"
    await channel.send({"cmd": "emit", "event": "news"})
    assert b'"emit"' in await asyncio.wait_for(reader.readline(), 2)
    writer.close()
    await channel.close()
    assert not os.path.exists(path)


async def test_a_single_instance_app_takes_turns_per_folder_and_program(tmp_path):
    """`single_instance: true`: an app that refuses a second instance in its folder (laravel-echo-server's
    lock file) runs one instance at a time, across cases and processes; another folder is free."""
    from harness.peers.app._ports import InstanceLock
    first = InstanceLock(str(tmp_path), ("node", "server.js"), "app")
    await first.acquire(timeout=1)
    with pytest.raises(PeerError, match="single instance of node server.js"):
        await InstanceLock(str(tmp_path), ("node", "server.js"), "app").acquire(timeout=0.2)
    elsewhere = InstanceLock(str(tmp_path / "other"), ("node", "server.js"), "app")
    await elsewhere.acquire(timeout=0.2)
    elsewhere.release()
    first.release()
    again = InstanceLock(str(tmp_path), ("node", "server.js"), "app")
    await again.acquire(timeout=0.2)
    again.release()


def test_the_runner_runs_a_single_instance_apps_main_and_control_in_turn(tmp_path):
    from harness.runner import _one_at_a_time
    (tmp_path / "s.yaml").write_text(
        "name: s\ndoc: d\nserver: {app: \"node index.js\", env: {PORT: \"{port}\"}, single_instance: true}\n"
        "client: node@4.8.1\nexpect: [connected: {}]\ncontrol: {client: node@4.1.3, expect: [connected: {}]}\n")
    from harness.scenario import load_cases
    case, = load_cases(tmp_path / "s.yaml")
    assert _one_at_a_time(case)
    (tmp_path / "s.yaml").write_text((tmp_path / "s.yaml").read_text().replace(", single_instance: true", ""))
    case, = load_cases(tmp_path / "s.yaml")
    assert not _one_at_a_time(case)
