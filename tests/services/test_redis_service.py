"""services: [redis]: the runner's own redis-server, the scenario spelling and its checks."""

import asyncio
import os
import shutil
import socket

import pytest

from harness._run import Run
from harness.errors import ScenarioError
from harness.scenario import load_cases
from harness.services import SERVICES, substitute, unknown_fields
from harness.services._redis import RedisService

needs_redis = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")

APP = ('name: s\ndoc: d\n{services}servers:\n'
       '  - {{app: "node index.js", env: {{PORT: "{{port}}", REDIS_URL: "{{redis_url}}"}}}}\n'
       'expect:\n  - connected: {{}}\ncontrol:\n  server: {{env: {{PORT: "{{port}}"}}}}\n')


def _load(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return load_cases(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:   # a zombie is gone for our purposes
        return f.read().split(")")[-1].split()[0] != "Z"


def test_services_are_loaded_and_inherited_by_the_control(tmp_path):
    (case,) = _load(tmp_path, APP.format(services="services: [redis]\n"))
    assert case.services == ("redis",) and case.control.services == ("redis",)
    assert ("REDIS_URL", "{redis_url}") in case.servers[0].spec.app.env


def test_an_unknown_service_names_the_valid_ones(tmp_path):
    with pytest.raises(ScenarioError) as info:
        _load(tmp_path, APP.format(services="services: [mysql]\n"))
    assert info.value.line == 3 and "redis" in info.value.choices


def test_a_service_field_without_its_service_is_a_load_error(tmp_path):
    with pytest.raises(ScenarioError, match=r"\{redis_url\} needs its service") as info:
        _load(tmp_path, APP.format(services=""))
    assert info.value.line == 4


def test_fields_are_filled_in_app_env_and_argv(tmp_path):
    (case,) = _load(tmp_path, APP.format(services="services: [redis]\n"))
    run = Run(case, pool=None, compressed=True)
    run.service_fields = {"{redis_url}": "redis://127.0.0.1:1234", "{redis_port}": "1234"}
    spec = run._with_services(case.servers[0].spec)
    assert dict(spec.app.env) == {"PORT": "{port}", "REDIS_URL": "redis://127.0.0.1:1234"}
    assert substitute("-p {redis_port}", run.service_fields) == "-p 1234"
    assert unknown_fields(["{redis_port}"], ()) == ["{redis_port}"] and unknown_fields(["x"], ()) == []
    assert SERVICES["redis"] is RedisService


@needs_redis
def test_redis_answers_on_a_free_port_and_leaves_nothing_behind():
    async def go():
        service = RedisService()
        info = await service.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", info["port"])
        writer.write(b"SET k v\r\nGET k\r\n")
        answers = [await reader.readline() for _ in range(3)]
        writer.close()
        pid = service.proc.pid
        await service.stop()
        return info, answers, pid, service

    info, answers, pid, service = asyncio.run(go())
    assert answers == [b"+OK\r\n", b"$1\r\n", b"v\r\n"]
    assert info["url"] == f"redis://127.0.0.1:{info['port']}"
    assert service.fields["{redis_port}"] == str(info["port"])
    assert not _alive(pid)
    with socket.socket() as probe:   # the port is free again
        probe.bind(("127.0.0.1", info["port"]))


@needs_redis
def test_a_cancelled_run_still_stops_its_redis():
    async def go():
        service = RedisService()
        task = asyncio.ensure_future(service.start())
        while service.proc is None:
            await asyncio.sleep(0.001)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        pid = service.proc.pid
        await service.stop()
        return pid

    assert not _alive(asyncio.run(go()))


def test_a_missing_redis_server_is_a_skip_reason(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert "redis-server is not installed" in RedisService.unavailable_reason()


def test_a_run_without_redis_server_is_skipped_and_starts_nothing(tmp_path, monkeypatch):
    (case,) = _load(tmp_path, APP.format(services="services: [redis]\n"))
    monkeypatch.setattr(RedisService, "unavailable_reason", staticmethod(lambda: "redis-server is not installed"))
    result = asyncio.run(Run(case, pool=None, compressed=True).execute())
    assert result.skipped == "redis-server is not installed" and result.error is None


def test_another_program_on_the_port_is_not_taken_for_our_redis(monkeypatch):
    import harness.services._redis as redis_module

    monkeypatch.setattr(redis_module, "_READY_S", 0.3)

    async def go():
        async def answer(reader, writer):   # a redis that is not ours: its process_id differs
            await reader.readline()
            body = b"# Server\r\nprocess_id:1\r\n"
            writer.write(b"$%d\r\n%s\r\n" % (len(body), body))
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        service = RedisService()
        service.port = server.sockets[0].getsockname()[1]
        service.proc = type("Proc", (), {"pid": os.getpid(), "returncode": None})()
        try:
            return await service._ready()
        finally:
            server.close()

    assert asyncio.run(go()) is False
