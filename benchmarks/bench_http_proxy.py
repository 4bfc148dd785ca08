"""Benchmark the HTTP proxies in one run: direct, plain `mitmdump --mode reverse:...`,
sockfault's HttpLink (no fault, own process) and nginx (nginx-correct).
Targets: sockfault (fastpath false: every WebSocket message decoded onto the timeline by
mitmproxy's hook, the slow path), sockfault-fastpath-record (the default: spliced, every
message decoded onto the timeline by the fast path's tap), sockfault-fastpath (record_ws
false: spliced, nothing recorded), sockfault-norecord (record_ws false, fastpath false:
mitmproxy relays without recording) and sockfault-relay (engine relay: the wire-speed HTTP/1.1
relay of proxies/http/relay.py, recording every exchange and message; what `auto` picks when no
fault needs mitmproxy).

Figures per target: websocket ack p50/p99, polling ack p50, 1 KB messages/s, 100 KB MB/s,
N clients connecting at once, proxy RSS before/after M 1 KB messages and the proxy's CPU
per message over them (microseconds per 1 KB ack: steadier than msg/s on a busy machine).
Usage: .venv/bin/python benchmarks/bench_http_proxy.py [--quick] [--targets direct,mitmdump,sockfault,nginx]
       [--bulk N] (acks of the RSS/CPU phase: 100 000 = 200 000 recorded messages)
       [--baseline DIR] (adds target sockfault-relay-baseline: the relay of another checkout, e.g.
       `git archive <commit> proxies harness | tar -x -C DIR`, for a before/after in one run)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "harness" / "peers" / "node" / "node_modules"
sys.path.insert(0, str(ROOT))

SERVER_JS = r"""
const http=require('http'); const {Server}=require('sio-4.8.1'); const s=http.createServer();
const io=new Server(s,{maxHttpBufferSize:1e7}); io.on('connection',k=>k.on('echo',(d,cb)=>cb(d===undefined?0:1)));
s.listen(0,'127.0.0.1',()=>console.log(s.address().port));
"""

LOAD_JS = r"""
const io=require('sioc-4.8.1'); const url=process.env.URL; const cfg=JSON.parse(process.env.CFG);
const pct=(a,p)=>{a=[...a].sort((x,y)=>x-y); return +a[Math.min(a.length-1,Math.floor(a.length*p))].toFixed(3)};
const connect=(o)=>new Promise((res,rej)=>{const s=io(url,Object.assign({forceNew:true,reconnection:false},o));
  s.on('connect',()=>res(s)); s.on('connect_error',e=>rej(e));});
const ack=(s,d)=>new Promise(r=>s.emit('echo',d,r));
async function seq(s,n,d){const t=[]; for(let i=0;i<n;i++){const a=process.hrtime.bigint(); await ack(s,d); t.push(Number(process.hrtime.bigint()-a)/1e6);} return t;}
async function flood(s,size,ms,window){const d='x'.repeat(size); let done=0, inflight=0; const t0=Date.now();
  await new Promise(r=>{const pump=()=>{while(inflight<window && Date.now()-t0<ms){inflight++; s.emit('echo',d,()=>{inflight--;done++; if(Date.now()-t0>=ms){ if(inflight===0) r(); } else pump();});}}; pump();});
  return {n:done, secs:(Date.now()-t0)/1000};}
async function count(s,n,size,window){const d='x'.repeat(size); let done=0,inflight=0,sent=0;
  await new Promise(r=>{const pump=()=>{while(inflight<window && sent<n){inflight++;sent++; s.emit('echo',d,()=>{inflight--;done++; if(done===n) r(); else pump();});}}; pump();});}
(async()=>{
  const out={};
  const ws=await connect({transports:['websocket']});
  await seq(ws,200,1); const w=await seq(ws,cfg.acks,1); out.ws_ack_p50_ms=pct(w,.5); out.ws_ack_p99_ms=pct(w,.99);
  const pl=await connect({transports:['polling']}); const p=await seq(pl,cfg.packs,1); out.polling_ack_p50_ms=pct(p,.5); pl.close();
  let r=await flood(ws,1024,cfg.ms,100); out.msgs_1k_per_s=Math.round(r.n/r.secs);
  r=await flood(ws,100*1024,cfg.ms,8); out.mb_100k_per_s=+(r.n*100/1024/r.secs).toFixed(1);
  if(process.env.RSS_PID){ process.stdout.write(JSON.stringify({rss_mark:'before'})+'\n'); await new Promise(r=>process.stdin.once('data',r));
    const t=Date.now(); await count(ws,cfg.bulk,1024,100); out.bulk_secs=(Date.now()-t)/1000;
    process.stdout.write(JSON.stringify({rss_mark:'after'})+'\n'); await new Promise(r=>process.stdin.once('data',r)); }
  ws.close();
  const t0=Date.now(); const many=await Promise.allSettled(Array.from({length:cfg.clients},()=>Promise.race([
      connect({}), new Promise((_,rej)=>setTimeout(()=>rej(new Error('timeout')),15000))])));
  out.clients_connected=many.filter(x=>x.status==='fulfilled').length; out.clients_secs=(Date.now()-t0)/1000;
  many.forEach(x=>x.value&&x.value.close());
  process.stdout.write(JSON.stringify(out)+'\n'); process.exit(0);
})().catch(e=>{process.stdout.write(JSON.stringify({error:String(e)})+'\n'); process.exit(1)});
"""

SOCKFAULT_RUNNER = r"""
import asyncio, os, sys
sys.path.insert(0, sys.argv[1])
from harness.timeline import Timeline
from proxies.http.link import HttpLink
async def main():
    link = HttpLink("bench", {"record_ws": sys.argv[4] == "1", "fastpath": sys.argv[5] == "1",
                              "engine": sys.argv[6]}, Timeline())
    host, port = await link.start([("127.0.0.1", int(sys.argv[2]))])
    print(port, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await link.stop()
asyncio.run(main())
"""


SOCKFAULT = {   # target: (record_ws, fastpath, engine)
    "sockfault": ("1", "0", "mitmproxy"), "sockfault-fastpath-record": ("1", "1", "mitmproxy"),
    "sockfault-fastpath": ("0", "1", "mitmproxy"), "sockfault-norecord": ("0", "0", "mitmproxy"),
    "sockfault-relay": ("1", "1", "relay"),
}


def env() -> dict:
    return dict(os.environ, NODE_PATH=str(NODE_MODULES))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_s(pid: int) -> float:
    """utime + stime of the process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def wait_port(port: int, timeout: float = 20) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        try:
            _, w = await asyncio.open_connection("127.0.0.1", port)
            w.close()
            return
        except OSError:
            if loop.time() > end:
                raise
            await asyncio.sleep(0.05)


async def load(url: str, cfg: dict, pid: int | None) -> dict:
    proc = await asyncio.create_subprocess_exec(
        "node", "-e", LOAD_JS, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        env=dict(env(), URL=url, CFG=json.dumps(cfg), RSS_PID=str(pid or "")))
    rss, cpu = {}, {}
    try:
        while True:
            line = await asyncio.wait_for(proc.stdout.readline(), 300)
            if not line:
                raise RuntimeError("load generator died")
            msg = json.loads(line)
            if "rss_mark" in msg:
                rss[msg["rss_mark"]], cpu[msg["rss_mark"]] = rss_kb(pid), cpu_s(pid)
                proc.stdin.write(b"\n")
                await proc.stdin.drain()
                continue
            if rss:
                msg["rss_before_mb"] = round(rss["before"] / 1024, 1)
                msg["rss_after_mb"] = round(rss["after"] / 1024, 1)
                msg["cpu_us_per_ack"] = round((cpu["after"] - cpu["before"]) / cfg["bulk"] * 1e6, 1)
            return msg
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller counts")
    ap.add_argument("--targets", default="direct,mitmdump,sockfault,sockfault-fastpath-record,sockfault-relay,sockfault-fastpath,nginx")
    ap.add_argument("--bulk", type=int, default=None, help="acks of the RSS/CPU phase (default 100 000, --quick 10 000)")
    ap.add_argument("--baseline", type=Path, default=None, help="a checkout whose relay is target sockfault-relay-baseline")
    args = ap.parse_args()
    cfg = dict(acks=2000, packs=300, ms=3000, bulk=100_000, clients=1000)
    if args.quick:
        cfg = dict(acks=300, packs=50, ms=1000, bulk=10_000, clients=200)
    if args.bulk:
        cfg["bulk"] = args.bulk
    server = await asyncio.create_subprocess_exec("node", "-e", SERVER_JS, stdout=asyncio.subprocess.PIPE, env=env())
    results: dict[str, dict] = {}
    try:
        up = int(await server.stdout.readline())
        for target in args.targets.split(","):
            proc, link, pid = None, None, None
            try:
                if target == "direct":
                    port, pid = up, None
                elif target == "mitmdump":
                    port = free_port()
                    exe = shutil.which("mitmdump", path=str(ROOT / ".venv" / "bin")) or "mitmdump"
                    proc = await asyncio.create_subprocess_exec(
                        exe, "-q", "--mode", f"reverse:http://127.0.0.1:{up}@{port}", "--listen-host", "127.0.0.1",
                        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
                    await wait_port(port)
                    pid = proc.pid
                elif target in SOCKFAULT or target == "sockfault-relay-baseline":
                    record_ws, fastpath, engine = SOCKFAULT.get(target, SOCKFAULT["sockfault-relay"])
                    root = args.baseline if target == "sockfault-relay-baseline" else ROOT
                    if root is None:
                        raise SystemExit("target sockfault-relay-baseline needs --baseline DIR")
                    proc = await asyncio.create_subprocess_exec(
                        sys.executable, "-c", SOCKFAULT_RUNNER, str(root), str(up), "0", record_ws, fastpath, engine,
                        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
                    port, pid = int(await proc.stdout.readline()), proc.pid
                elif target == "nginx":
                    from harness.timeline import Timeline
                    from proxies.nginx.link import NginxLink
                    if NginxLink.unavailable_reason():
                        results[target] = {"skipped": NginxLink.unavailable_reason()}
                        continue
                    link = NginxLink("bench", {"preset": "nginx-correct"}, Timeline())
                    _, port = await link.start([("127.0.0.1", up)])
                    pid = int((link.dir / "nginx.pid").read_text()) if (link.dir / "nginx.pid").exists() else link.proc.pid
                    # the worker, not the master, carries the traffic
                    kids = Path(f"/proc/{pid}/task/{pid}/children")
                    if kids.exists() and kids.read_text().split():
                        pid = int(kids.read_text().split()[0])
                else:
                    raise SystemExit(f"unknown target {target}")
                results[target] = await load(f"http://127.0.0.1:{port}", cfg, pid)
                print(target, json.dumps(results[target]), flush=True)
            finally:
                if link is not None:
                    await link.stop()
                if proc is not None and proc.returncode is None:
                    proc.kill()
                    await proc.wait()
    finally:
        server.kill()
        await server.wait()
    direct = results.get("direct", {}).get("msgs_1k_per_s")
    mitm = results.get("mitmdump", {}).get("msgs_1k_per_s")
    print("\n| target | ws ack p50/p99 ms | polling ack p50 ms | 1 KB msg/s (x direct, x mitmdump) | 100 KB MB/s | clients | RSS before/after MB | CPU us/ack |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        if "msgs_1k_per_s" not in r:
            print(f"| {name} | {r} |")
            continue
        ratio = ", ".join(f"{r['msgs_1k_per_s'] / base:.2f}x" for base in (direct, mitm) if base)
        ratio = f" ({ratio})" if ratio else ""
        rss = f"{r['rss_before_mb']}/{r['rss_after_mb']}" if "rss_before_mb" in r else "-"
        cpu = r.get("cpu_us_per_ack", "-")
        print(f"| {name} | {r['ws_ack_p50_ms']}/{r['ws_ack_p99_ms']} | {r['polling_ack_p50_ms']} | "
              f"{r['msgs_1k_per_s']}{ratio} | {r['mb_100k_per_s']} | {r['clients_connected']}/{cfg['clients']} "
              f"in {r['clients_secs']} s | {rss} | {cpu} |")


if __name__ == "__main__":
    asyncio.run(main())
