"""The warm pool: spares are ready before they are asked for, bounded, and all stopped at close."""

import dataclasses
import os
import sys

from harness.peers import PeerPool, resolve_peer

HELLO = ("import json, os, sys; print(json.dumps({'event': 'hello', 'role': 'server', 'impl': 'echo', "
         "'version': '0', 'pid': os.getpid()}), flush=True); sys.stdin.read()")


def _spec(max_spares=2, family="python"):
    spec = resolve_peer(None, "server", command=f"{sys.executable} -c \"{HELLO}\"")
    return dataclasses.replace(spec, family=family, max_spares=max_spares)  # a bundled family gets spares


def _alive(pid):
    try:
        os.kill(pid, 0)
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except (ProcessLookupError, FileNotFoundError):
        return False


async def test_spares_are_warm_bounded_and_stopped():
    pool = PeerPool(spares=2)
    spec = _spec(max_spares=1)
    first = await pool.acquire(spec)
    assert first.hello["impl"] == "echo"
    (spare_task,) = pool._idle[spec.argv]             # max_spares=1 caps the pool's 2
    spare = await spare_task
    second = await pool.acquire(spec)
    assert second is spare                             # handed out warm
    pids = [first.hello["pid"], second.hello["pid"]]
    await first.stop()
    await second.stop()
    spare_pids = [(await t).hello["pid"] for t in pool._idle[spec.argv]]
    await pool.close()
    assert not [p for p in pids + spare_pids if _alive(p)]


async def test_a_users_command_never_gets_warm_spares():
    pool = PeerPool(spares=2)
    spec = _spec(family="command")                      # what `server: {command: ...}` resolves to
    assert resolve_peer(None, "server", command="node my-server.js").family == "command"
    peers = []
    try:
        peers.append(await pool.acquire(spec))
        assert pool._idle.get(spec.argv, []) == []      # nothing started ahead: its start-up may do real work
        peers.append(await pool.acquire(spec))          # started on demand, each time
        assert peers[1].hello["pid"] != peers[0].hello["pid"]
    finally:
        for peer in peers:
            await peer.stop()
        await pool.close()
