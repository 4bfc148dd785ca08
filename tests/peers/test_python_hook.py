"""The Python app hook (harness/peers/app/python_hook): an unmodified python-socketio app, started
with the hook's directory on PYTHONPATH, reports like a bundled server peer over a UNIX socket
and takes the runner's commands. The app runs as a real subprocess (e2e); the option table, the
inert case and the sitecustomize chaining are checked without an app."""
import asyncio
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
import socketio

REPO = Path(__file__).resolve().parents[2]
HOOK_DIR = REPO / "harness" / "peers" / "app" / "python_hook"
CHAT_APP = REPO / "tests" / "apps" / "python-chat" / "app.py"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Listener:
    """The runner's end of the side channel: collects event lines, sends command lines."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sf-pyhook-")  # short: AF_UNIX paths are limited
        self.path = os.path.join(self.dir, "hook.sock")
        self.lines: list[str] = []
        self.events: list[dict] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.changed = asyncio.Event()

    async def __aenter__(self):
        self.server = await asyncio.start_unix_server(self._serve, path=self.path)
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        for writer in self.writers:
            writer.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    async def _serve(self, reader, writer):
        self.writers.append(writer)
        async for raw in reader:
            line = raw.decode().strip()
            self.lines.append(line)
            self.events.append(json.loads(line))
            self.changed.set()

    async def wait(self, event: str, timeout: float = 10.0, where=None, **fields) -> dict:
        async def find():
            seen = 0
            while True:
                for ev in self.events[seen:]:
                    if ev["event"] == event and all(ev.get(k) == v for k, v in fields.items()) \
                            and (where is None or where(ev)):
                        return ev
                seen = len(self.events)
                self.changed.clear()
                await self.changed.wait()
        try:
            return await asyncio.wait_for(find(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"no {event} {fields or ''} event; saw:\n" + "\n".join(self.lines)) from None

    async def send(self, command: dict) -> None:
        assert self.writers, "the hook never connected"
        self.writers[-1].write(json.dumps(command).encode() + b"\n")
        await self.writers[-1].drain()


@asynccontextmanager
async def running(argv, port, env_extra, cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCKFAULT_HOOK_")}
    env.update(PORT=str(port), PYTHONPATH=str(HOOK_DIR), **env_extra)
    log = tempfile.TemporaryFile()
    proc = await asyncio.create_subprocess_exec(*argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                                stdout=log, stderr=log)
    try:
        for _ in range(200):
            if proc.returncode is not None:
                break
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        if proc.returncode is not None:
            log.seek(0)
            raise AssertionError(f"the app exited {proc.returncode}:\n{log.read().decode()}")
        yield proc
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
        log.close()


def _inbox(client: socketio.AsyncClient, event: str) -> asyncio.Queue:
    queue: asyncio.Queue = asyncio.Queue()

    async def on(*args):
        await queue.put(args)
    client.on(event, on)
    return queue


@pytest.mark.e2e
async def test_chat_app_reports_with_the_scenario_options_and_takes_commands():
    port = _free_port()
    async with Listener() as hook:
        options = {"pingInterval": 2000, "pingTimeout": 1000, "allowEIO3": True}
        env = {"SOCKFAULT_HOOK_SOCKET": hook.path, "SOCKFAULT_HOOK_OPTIONS": json.dumps(options)}
        async with running([sys.executable, str(CHAT_APP)], port, env) as proc:
            hello = await hook.wait("hello")
            assert hello["role"] == "server" and hello["impl"] == "python-socketio"
            assert hello["hook"] == "python" and hello["pid"] == proc.pid
            assert hello["version"] and hello["engineio"] and hello["options_merged"] is True
            announced = await hook.wait("options", instance=0)
            assert announced["options"]["pingInterval"] == 2000  # the scenario's, not the app's 10 s
            assert announced["options"]["pingTimeout"] == 1000
            assert announced["options"]["maxHttpBufferSize"] == 1_000_000
            assert announced["options"]["transports"] == ["polling", "websocket"]
            assert announced["ignored"] == ["allowEIO3"]

            client = socketio.AsyncClient(reconnection=False)
            chat, pushed = _inbox(client, "chat message"), _inbox(client, "from-runner")
            await client.connect(f"http://127.0.0.1:{port}", wait_timeout=5)
            try:
                assert client.eio.ping_interval == 2  # the merge reached the wire (the OPEN packet)
                sid = client.get_sid()
                conn = await hook.wait("connection", id=sid)
                assert conn["namespace"] == "/" and conn["eio"] == 4 and conn["instance"] == 0
                upgrade = await hook.wait("upgrade")
                assert upgrade["transport"] == "websocket" and upgrade["eio_sid"] == conn["eio_sid"]

                # the app's behaviour is its own: its ack, its broadcast
                assert await client.call("chat message", "hello", timeout=5) == {"ok": True}
                assert await asyncio.wait_for(chat.get(), 5) == ("hello",)
                msg = await hook.wait("message", id=sid)
                assert msg["name"] == "chat message" and msg["size"] == 9 and msg["args"] == ["hello"]
                await client.emit("chat message", "x" * 2000)
                big = await hook.wait("message", id=sid, size=2004)  # ["xx…x"]
                assert "args" not in big  # only sizes <= 1024 carry their args

                await hook.send({"cmd": "emit", "event": "from-runner", "args": [1, "two"], "to": sid})
                assert await asyncio.wait_for(pushed.get(), 5) == (1, "two")
                await hook.send({"cmd": "emit", "event": "from-runner", "args": ["all"]})
                assert await asyncio.wait_for(pushed.get(), 5) == ("all",)
                await hook.send({"cmd": "emit", "event": "x", "to": "nobody"})
                assert (await hook.wait("error", cmd="emit"))["message"] == "LookupError: no socket nobody"
                await hook.send({"cmd": "fly"})
                await hook.wait("error", cmd="fly")
            finally:
                await client.disconnect()
            gone = await hook.wait("disconnect", id=sid)
            assert gone["namespace"] == "/" and gone["reason"]
        print("\n".join(hook.lines))


@pytest.mark.e2e
async def test_without_hook_options_the_apps_own_heartbeat_is_reported():
    port = _free_port()
    async with Listener() as hook:
        async with running([sys.executable, str(CHAT_APP)], port, {"SOCKFAULT_HOOK_SOCKET": hook.path}):
            assert (await hook.wait("hello"))["options_merged"] is False
            announced = await hook.wait("options")
            assert announced["options"]["pingInterval"] == 10000  # app.py's ping_interval=10
            assert announced["options"]["pingTimeout"] == 5000
            assert announced["ignored"] == []

            # a request python-engineio rejects: an Engine.IO v3 client
            async with aiohttp.ClientSession() as http:
                url = f"http://127.0.0.1:{port}/socket.io/?EIO=3&transport=polling"
                async with http.get(url) as response:
                    assert response.status == 400
            rejected = await hook.wait("connection_error")
            assert rejected["code"] == 5 and rejected["status"] == 400
            assert "unsupported version" in rejected["message"] and "EIO=3" in rejected["url"]

            client = socketio.AsyncClient(reconnection=False)
            closed = asyncio.Event()
            client.on("disconnect", lambda *a: closed.set())
            await client.connect(f"http://127.0.0.1:{port}", transports=["websocket"], wait_timeout=5)
            assert client.eio.ping_interval == 10
            sid = client.get_sid()
            assert (await hook.wait("connection", id=sid))["transport"] == "websocket"
            await hook.send({"cmd": "disconnect"})  # every socket, server side
            await asyncio.wait_for(closed.wait(), 5)
            assert (await hook.wait("disconnect", id=sid))["reason"] == "server disconnect"
            await client.disconnect()
            assert not [e for e in hook.events if e["event"] == "upgrade"]  # websocket from the start
        print("\n".join(hook.lines))


SYNC_APP = """
import os
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import socketio

sio = socketio.Server(async_mode="threading", transports=["polling"], ping_interval=20)


@sio.event
def connect(sid, environ, auth):
    if auth and auth.get("deny"):
        return False


@sio.on("shout")
def shout(sid, text):
    return text.upper()


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


make_server("127.0.0.1", int(os.environ["PORT"]), socketio.WSGIApp(sio), server_class=Server,
            handler_class=Quiet).serve_forever()
"""


@pytest.mark.e2e
async def test_a_sync_server_app_is_observed_too(tmp_path):
    (tmp_path / "sync_app.py").write_text(SYNC_APP)
    port = _free_port()
    async with Listener() as hook:
        env = {"SOCKFAULT_HOOK_SOCKET": hook.path, "SOCKFAULT_HOOK_OPTIONS": json.dumps({"pingInterval": 3000})}
        async with running([sys.executable, "sync_app.py"], port, env, cwd=tmp_path):
            announced = await hook.wait("options")
            assert announced["options"]["pingInterval"] == 3000 and announced["options"]["transports"] == ["polling"]

            refused = socketio.AsyncClient(reconnection=False)
            with pytest.raises(socketio.exceptions.ConnectionError):
                await refused.connect(f"http://127.0.0.1:{port}", transports=["polling"], auth={"deny": True},
                                      wait_timeout=5)
            await refused.disconnect()

            client = socketio.AsyncClient(reconnection=False)
            pushed = _inbox(client, "from-runner")
            await client.connect(f"http://127.0.0.1:{port}", transports=["polling"], wait_timeout=5)
            sid = client.get_sid()
            assert (await hook.wait("connection", id=sid))["transport"] == "polling"
            assert await client.call("shout", "hi", timeout=5) == "HI"
            assert (await hook.wait("message", id=sid, name="shout"))["args"] == ["hi"]
            await hook.send({"cmd": "emit", "event": "from-runner", "args": [{"k": 1}], "to": sid})
            assert await asyncio.wait_for(pushed.get(), 5) == ({"k": 1},)
            await client.disconnect()
            await hook.wait("disconnect", id=sid)
            # the refused client never became a connection
            assert [e["id"] for e in hook.events if e["event"] == "connection"] == [sid]

            async with aiohttp.ClientSession() as http:
                url = f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
                async with http.get(url) as response:
                    assert response.status == 400
            # the refused client's last poll may be answered 400 as well (code 3): take the websocket one
            rejected = await hook.wait("connection_error", where=lambda e: "transport=websocket" in e["url"])
            assert rejected["code"] == 0 and rejected["message"] == "Invalid transport"
        print("\n".join(hook.lines))


# -- without an app ------------------------------------------------------------------------------
PROBE = """
import json, sys
import socketio
from socketio import base_server
sio = socketio.AsyncServer(ping_interval=7)
print(json.dumps({"hook": "_sockfault_hook" in sys.modules,
                  "wrapped": hasattr(base_server.BaseServer.__init__, "_sockfault"),
                  "finders": [type(f).__name__ for f in sys.meta_path],
                  "ping_interval": sio.eio.ping_interval,
                  "site": getattr(sys.modules.get("sitecustomize"), "__file__", None)}))
"""


def _probe(env_extra: dict, pythonpath: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCKFAULT_HOOK_")}
    env.update(PYTHONPATH=pythonpath, **env_extra)
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_hook_is_inert_without_its_socket():
    seen = _probe({"SOCKFAULT_HOOK_OPTIONS": json.dumps({"pingInterval": 1000})}, str(HOOK_DIR))
    assert seen["hook"] is False and seen["wrapped"] is False
    assert "_Finder" not in seen["finders"]
    assert seen["ping_interval"] == 7  # options are not merged either


def test_a_dead_runner_socket_leaves_the_app_alone(tmp_path):
    seen = _probe({"SOCKFAULT_HOOK_SOCKET": str(tmp_path / "nobody.sock"),
                   "SOCKFAULT_HOOK_OPTIONS": json.dumps({"pingInterval": 1000})}, str(HOOK_DIR))
    assert seen["hook"] is True and seen["wrapped"] is True
    assert "_Finder" not in seen["finders"]  # removed once socketio was patched
    assert seen["ping_interval"] == 1.0


@pytest.mark.parametrize("with_socket", [False, True])
def test_the_users_own_sitecustomize_still_runs(tmp_path, with_socket):
    user = tmp_path / "user_site"
    user.mkdir()
    (user / "sitecustomize.py").write_text("import builtins\nbuiltins.USER_SITECUSTOMIZE = True\n")
    env = {"SOCKFAULT_HOOK_SOCKET": str(tmp_path / "nobody.sock")} if with_socket else {}
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SOCKFAULT_HOOK_")}, **env,
           "PYTHONPATH": os.pathsep.join([str(HOOK_DIR), str(user)])}
    code = "import builtins, sys; print(getattr(builtins, 'USER_SITECUSTOMIZE', False), sys.modules['sitecustomize'].__file__)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    ran, site = done.stdout.split()
    assert ran == "True" and Path(site) == user / "sitecustomize.py"


def _hook_module():
    spec = importlib.util.spec_from_file_location("_sockfault_hook_under_test", HOOK_DIR / "_sockfault_hook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scenario_options_are_translated_and_merged_over_the_apps(monkeypatch):
    monkeypatch.setenv("SOCKFAULT_HOOK_OPTIONS", json.dumps(
        {"pingInterval": 300, "maxHttpBufferSize": 1e3, "cors": {"origin": "http://a"},
         "transports": ["websocket"], "connectionStateRecovery": {}}))
    monkeypatch.delenv("SOCKFAULT_HOOK_SCALE", raising=False)
    hook = _hook_module()._Hook("/nowhere")
    merged, ignored = hook.merged_kwargs({"ping_interval": 10, "ping_timeout": 5, "async_mode": "aiohttp"})
    assert merged == {"ping_interval": 0.3, "ping_timeout": 5, "async_mode": "aiohttp", "max_http_buffer_size": 1000,
                      "cors_allowed_origins": "http://a", "transports": ["websocket"]}
    assert ignored == ["connectionStateRecovery"]


@pytest.mark.parametrize("text", [None, "", "  "])
def test_absent_or_empty_options_leave_the_app_untouched(monkeypatch, text):
    if text is None:
        monkeypatch.delenv("SOCKFAULT_HOOK_OPTIONS", raising=False)
    else:
        monkeypatch.setenv("SOCKFAULT_HOOK_OPTIONS", text)
    monkeypatch.setenv("SOCKFAULT_HOOK_SCALE", "0.025")
    hook = _hook_module()._Hook("/nowhere")
    assert hook.merged_kwargs({"ping_interval": 10}) == ({"ping_interval": 10}, [])


def test_compressed_time_scales_the_apps_heartbeat_unless_the_scenario_set_it(monkeypatch):
    monkeypatch.setenv("SOCKFAULT_HOOK_OPTIONS", json.dumps({"pingTimeout": 400}))
    monkeypatch.setenv("SOCKFAULT_HOOK_SCALE", "0.025")
    hook = _hook_module()._Hook("/nowhere")
    # python-engineio advertises whole seconds, so a scaled heartbeat stays whole (at least 1 s)
    merged, _ = hook.merged_kwargs({"ping_interval": 10})
    assert merged == {"ping_interval": 1.0, "ping_timeout": 0.4}  # the scenario's pingTimeout as it is
    merged, _ = hook.merged_kwargs({"ping_interval": (80, 20)})  # python-engineio's (interval, grace)
    assert merged["ping_interval"] == (2.0, 0.5)
    monkeypatch.setenv("SOCKFAULT_HOOK_OPTIONS", "{}")
    hook = _hook_module()._Hook("/nowhere")
    assert hook.merged_kwargs({})[0] == {"ping_interval": 1.0, "ping_timeout": 1.0}  # the defaults, 25 s / 20 s
    assert hook.merged_kwargs({"ping_timeout": 120})[0]["ping_timeout"] == 3.0


def test_the_hook_stands_alone():
    # it runs in the app's interpreter, where sockfault need not be installed
    source = (HOOK_DIR / "_sockfault_hook.py").read_text() + (HOOK_DIR / "sitecustomize.py").read_text()
    assert not re.search(r"^\s*(from|import)\s+(harness|proxies)\b", source, re.M)
