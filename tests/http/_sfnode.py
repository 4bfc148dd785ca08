"""Real Node Socket.IO peers for the proxy e2e tests: a server printing its port, a client
printing JSON-line events (connect, upgrade, upgradeError, ack, connect_error, disconnect, end)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

NODE_MODULES = Path(__file__).resolve().parents[2] / "harness" / "peers" / "node" / "node_modules"

SERVER_JS = r"""
const v=process.env.SIO; const http=require('http'); const s=http.createServer();
const o=Object.assign({pingInterval:+process.env.PI, pingTimeout:+process.env.PT}, JSON.parse(process.env.SOPTS));
let io; if(v.startsWith('2')) io=require('sio-'+v)(s,o); else { const {Server}=require('sio-'+v); io=new Server(s,o); }
io.on('connection',k=>{ k.on('echo',(d,cb)=>cb&&cb(d)); k.on('blast',(n,size,cb)=>{cb&&cb(n)}); });
s.listen(0,'127.0.0.1',()=>console.log(s.address().port));
"""

CLIENT_JS = r"""
const io=require('sioc-'+process.env.SIOC); const opts=JSON.parse(process.env.OPTS); const dur=+process.env.DUR;
const t0=Date.now(); const out=(k,d)=>console.log(JSON.stringify(Object.assign({t:Date.now()-t0,k},d||{})));
const s=io(process.env.URL,Object.assign({reconnection:false, forceNew:true},opts));
const eng=()=>s.io&&s.io.engine; const tn=()=>{const e=eng(); return e&&e.transport?e.transport.name:null};
s.io.on('open',()=>{const e=eng(); e.on('upgrade',t=>out('upgrade',{transport:t.name}));
  e.on('upgradeError',err=>out('upgradeError',{message:String(err&&err.message||err)}));});
let timer=null;
s.on('connect',()=>{ out('connect',{transport:tn()}); let i=0;
  const pad='x'.repeat(+process.env.PAD); const arg=()=>pad?pad+(i++):i++;
  const tick=()=>{const t=Date.now(); s.emit('echo',arg(),()=>out('ack',{rtt:Date.now()-t,transport:tn()}))};
  tick(); timer=setInterval(tick,+process.env.EVERY);});
const d=e=>e&&e.description!==undefined?(e.description&&e.description.message||e.description):undefined;
s.on('connect_error',e=>out('connect_error',{message:String(e&&e.message||e),description:d(e)}));
s.on('error',e=>out('error',{message:String(e&&e.message||e)}));
s.on('disconnect',r=>{out('disconnect',{reason:r}); if(timer) clearInterval(timer);});
setTimeout(()=>{out('end',{transport:tn(),connected:s.connected}); process.exit(0)},dur);
"""


def node_available() -> bool:
    return shutil.which("node") is not None and NODE_MODULES.is_dir()


def _env(**extra: str) -> dict:
    env = dict(os.environ, NODE_PATH=str(NODE_MODULES))
    env.update({k: str(v) for k, v in extra.items()})
    return env


class _Server:
    """A server subprocess on 127.0.0.1:port, killed on exit if still running."""

    proc: asyncio.subprocess.Process | None = None
    port = 0

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    async def _kill(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


class NodeServer(_Server):
    """`options`: more Server options (e.g. {"perMessageDeflate": true})."""

    def __init__(self, version: str = "4.8.1", ping: tuple[int, int] = (500, 300), options: dict | None = None):
        self.version, self.ping, self.options = version, ping, options or {}

    async def __aenter__(self) -> "NodeServer":
        self.proc = await asyncio.create_subprocess_exec(
            "node", "-e", SERVER_JS, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=_env(SIO=self.version, PI=self.ping[0], PT=self.ping[1], SOPTS=json.dumps(self.options)))
        line = await asyncio.wait_for(self.proc.stdout.readline(), 10)
        if not line.strip():
            err = await self.proc.stderr.read()
            raise RuntimeError(f"node server failed: {err.decode()[-2000:]}")
        self.port = int(line)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._kill()


async def run_client(url: str, version: str = "4.8.1", duration_ms: int = 2500, every_ms: int = 100,
                     pad: int = 0, **opts) -> list[dict]:
    """Run one client for duration_ms; return its events (each {t, k, ...}). `pad`: each echo
    carries a string that long (the server echoes it back) instead of a counter."""
    proc = await asyncio.create_subprocess_exec(
        "node", "-e", CLIENT_JS, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=_env(SIOC=version, URL=url, OPTS=json.dumps(opts), DUR=duration_ms, EVERY=every_ms, PAD=pad))
    try:
        out, err = await asyncio.wait_for(proc.communicate(), duration_ms / 1000 + 15)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    events = [json.loads(l) for l in out.decode().splitlines() if l.startswith("{")]
    if not events:
        raise RuntimeError(f"client printed nothing: {err.decode()[-2000:]}")
    return events


def kinds(events: list[dict]) -> list[str]:
    return [e["k"] for e in events]


def first(events: list[dict], kind: str) -> dict | None:
    return next((e for e in events if e["k"] == kind), None)


ROOT = Path(__file__).resolve().parents[2]


class PythonServer(_Server):
    """python-socketio (aiohttp) through the JSON-lines server runner, harness/peers/python/server.py."""

    version = "python"

    def __init__(self, options: dict | None = None):
        self.options = options or {}

    async def _event(self, name: str) -> dict:
        while True:
            line = await asyncio.wait_for(self.proc.stdout.readline(), 20)
            if not line:
                err = await self.proc.stderr.read()
                raise RuntimeError(f"python server exited: {err.decode()[-2000:]}")
            msg = json.loads(line)
            if msg.get("event") == name:
                return msg
            if msg.get("event") == "error":
                raise RuntimeError(f"python server: {msg}")

    async def __aenter__(self) -> "PythonServer":
        import sys
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "harness.peers.python.server", cwd=str(ROOT), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        await self._event("hello")
        self.proc.stdin.write(json.dumps({"cmd": "start", "host": "127.0.0.1", "port": 0,
                                          "options": self.options}).encode() + b"\n")
        await self.proc.stdin.drain()
        self.port = (await self._event("listening"))["port"]
        return self

    async def __aexit__(self, *exc) -> None:
        if self.proc and self.proc.returncode is None:
            try:
                self.proc.stdin.write(b'{"cmd":"stop"}\n')
                await self.proc.stdin.drain()
                await asyncio.wait_for(self.proc.wait(), 5)
            except (OSError, asyncio.TimeoutError):
                pass
        await self._kill()
