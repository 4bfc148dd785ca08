"""What each scenario step does to a running case. One function per step kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import HarnessError
from .scenario import Duration, Step

if TYPE_CHECKING:
    from ._run import Run

__all__ = ["STEPS", "run_step"]

DEFAULT_WAIT_FOR = Duration(seconds=5, heartbeats=1)


def _clients(run: "Run", params: dict) -> list[int]:
    if "client" in params:
        return [params["client"]]
    return list(range(len(run.clients)))


async def _connect(run: "Run", params: dict) -> None:
    for index in _clients(run, params):
        await run.connect_client(index)


async def _disconnect(run: "Run", params: dict) -> None:
    for index in _clients(run, params):
        await run.clients[index].send({"cmd": "disconnect"})


async def _emit(run: "Run", params: dict) -> None:
    args = list(params.get("args", []))
    if "bytes" in params:
        args.append({"$bytes": params["bytes"]})
    command = {"cmd": "emit", "event": params.get("event", "message"), "args": args}
    if "ack" in params:
        command["ack"] = params["ack"]
    await run.clients[params.get("client", 0)].send(command)


async def _emit_every(run: "Run", params: dict) -> None:
    """A page-side setInterval emitter (browser peers): emits that run inside a timer callback."""
    command = {"cmd": "emit_every", **{k: v for k, v in params.items() if k != "client"}}
    await run.clients[params.get("client", 0)].send(command)


async def _server_emit(run: "Run", params: dict) -> None:
    command = {"cmd": "emit", "event": params["event"], "args": params.get("args", [])}
    if "to" in params:
        command["to"] = params["to"]
    await run.servers[params.get("server", 0)].send(command)


async def _server_disconnect(run: "Run", params: dict) -> None:
    await run.servers[(params or {}).get("server", 0)].send({"cmd": "disconnect"})


async def _restart_server(run: "Run", params: dict) -> None:
    """Kill server N (SIGKILL by default: a crash, an OOM kill, `kill -9`, a container killed) and start
    the same peer spec with the same options on the same port `down_for` later (default 1 s): a deploy
    or a supervisor's restart. The new process is server:N on the timeline and is stopped at the end."""
    import signal as _signal
    from .peers.app import AppServer

    params = params or {}
    index = params.get("server", 0)
    if not 0 <= index < len(run.servers):
        raise HarnessError(f"restart_server: server {index}, but the scenario has {len(run.servers)} server(s)")
    old = run.servers[index]
    if isinstance(old, AppServer):
        raise HarnessError(f"restart_server: server {index} is an app (`app:`/`url:`); only peers can be restarted")
    name = params.get("signal", "KILL")
    host, port = run.server_addresses[index]
    down_s = params.get("down_for", Duration(seconds=1)).resolve(run.heartbeat_s())
    killed_at = run.timeline.add("runner", "server_killed", {"server": index, "pid": old.proc.pid, "signal": name,
                                                              "port": port}).t
    await old.kill(getattr(_signal, "SIG" + name))
    await run.sleep(down_s)
    peer = await run.pool.acquire(run.case.servers[index].spec)
    run.servers[index] = peer
    peer.attach(run.timeline, f"server:{index}")
    run.fault_ctx.servers = run.servers
    await run._start_server(index, peer, port)
    run.timeline.add("runner", "server_restarted", {"server": index, "pid": peer.proc.pid, "port": port,
                                                     "down_ms": round(run.timeline.now() - killed_at)})


async def _wait(run: "Run", duration: Duration) -> None:
    await run.sleep(duration.resolve(run.heartbeat_s()))


def _check_source(run: "Run", source: str) -> None:
    """`client:N` / `server:N` must name a peer the scenario has (else the wait could only time out)."""
    side, _, index = source.partition(":")
    peers = {"client": run.clients, "server": run.servers}.get(side)
    if peers is not None and index.isdigit() and int(index) >= len(peers):
        raise HarnessError(f"wait_for: source {source!r}, but the scenario has {len(peers)} {side}(s) "
                           f"({', '.join(f'{side}:{i}' for i in range(len(peers))) or 'none'})")


async def _wait_for(run: "Run", params: dict) -> None:
    """Until an event of one of the kinds is on the timeline from `source`: a prefix, so `client`
    is any client and `client:1` only the second one."""
    kinds = params.get("event", "connect")
    kinds = {kinds} if isinstance(kinds, str) else set(kinds)
    source = params.get("source", "client")
    match = params.get("match", {})
    _check_source(run, source)

    def wanted(event) -> bool:
        in_source = event.source == source or event.source.startswith(source + ":")
        return in_source and event.kind in kinds and all(event.data.get(k) == v for k, v in match.items())

    timeout = params.get("timeout", DEFAULT_WAIT_FOR).resolve(run.heartbeat_s())
    found = await run.wait_for(wanted, timeout)
    if found is None:
        run.timeline.add("runner", "wait_for_timeout", {"event": sorted(kinds), "source": source,
                                                        "timeout_s": round(timeout, 3)})


async def _probe(run: "Run", params: dict) -> None:
    from . import probe  # imported on use: only scenarios with a probe step pay for it

    params = dict(params or {})
    host, port = run.address(params.pop("target", "proxy"))
    base = f"http://{host}:{port}"
    await probe.request(base, timeline=run.timeline, **params)


async def _apply_fault(run: "Run", label: str) -> None:
    await run.apply_fault(label)


async def _remove_fault(run: "Run", label: str) -> None:
    await run.remove_fault(label)


STEPS = {
    "connect": _connect, "disconnect": _disconnect, "emit": _emit, "emit_every": _emit_every,
    "server_emit": _server_emit,
    "server_disconnect": _server_disconnect, "restart_server": _restart_server, "wait": _wait, "wait_for": _wait_for, "probe": _probe,
    "apply_fault": _apply_fault, "remove_fault": _remove_fault,
}


async def run_step(run: "Run", step: Step) -> None:
    handler = STEPS.get(step.kind)
    if handler is None:
        raise HarnessError(f"line {step.line}: unknown step {step.kind!r}")
    await handler(run, step.params)
