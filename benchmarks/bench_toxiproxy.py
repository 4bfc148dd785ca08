"""Benchmark the Toxiproxy-compatible proxy against a direct loopback connection, same run.

    python benchmarks/bench_toxiproxy.py [--mb 1024] [--round-trips 5000] [--conns 1000] [--in-process]

1. throughput: a peer streams --mb MiB; direct vs through a proxy with no toxic (target >= 0.5)
2. latency: 64-byte echo round trips; p50/p99 direct vs proxy and the difference (target p50 < 0.2 ms)
3. concurrency: --conns connections opened and held at once through one proxy, each echoing

The peers run in their own processes; the proxy runs as `toxiproxy-server` in its own
process (the way a user runs it), or with --in-process on a thread of this process (the
way the scenario runner uses it; there it shares the GIL with this benchmark's client).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


# -- peers (own processes) -----------------------------------------------------------
def _blast(sock: socket.socket, total: int) -> None:
    block = b"\xab" * (1 << 20)
    while True:
        conn, _ = sock.accept()
        with conn:
            left = total
            view = memoryview(block)
            while left > 0:
                n = conn.send(view[:min(left, len(block))])
                left -= n
            conn.shutdown(socket.SHUT_WR)
            conn.recv(1)


def _echo(sock: socket.socket) -> None:
    async def main():
        async def handle(reader, writer):
            while data := await reader.read(65536):
                writer.write(data)
            writer.close()
        server = await asyncio.start_server(handle, sock=sock, backlog=4096)
        await server.serve_forever()
    asyncio.run(main())


def peer(target, *args) -> tuple[mp.Process, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4096)
    port = sock.getsockname()[1]
    proc = mp.get_context("fork").Process(target=target, args=(sock, *args), daemon=True)
    proc.start()
    sock.close()
    return proc, port


# -- the proxy -------------------------------------------------------------------------
class ProxyUnderTest:
    def __init__(self, in_process: bool):
        self.in_process = in_process
        self.proc = self.server = None
        if in_process:
            from proxies.toxiproxy import ToxiproxyServer
            self.server = ToxiproxyServer("127.0.0.1", 0).start()
            self.url = self.server.url
        else:
            self.proc = subprocess.Popen([sys.executable, "-m", "proxies.toxiproxy.cli", "--port", "0"],
                                         cwd=ROOT, stderr=subprocess.PIPE, text=True)
            while True:
                line = self.proc.stderr.readline()
                if not line:
                    raise SystemExit("toxiproxy-server did not start")
                m = re.search(r"API on (http://\S+)", line)
                if m:
                    self.url = m.group(1)
                    break

    def create(self, name: str, upstream_port: int) -> int:
        import requests
        r = requests.post(self.url + "/proxies", json={"name": name, "listen": "127.0.0.1:0",
                                                       "upstream": f"127.0.0.1:{upstream_port}"})
        r.raise_for_status()
        return int(r.json()["listen"].rpartition(":")[2])

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
        if self.proc is not None:
            self.proc.send_signal(2)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# -- measurements --------------------------------------------------------------------
def throughput(port: int, total: int) -> float:
    buf = bytearray(1 << 20)
    got = 0
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as c:
        while (n := c.recv_into(buf)) > 0:
            got += n
        elapsed = time.perf_counter() - start
    assert got == total, (got, total)
    return total / elapsed / 1e6


def round_trips(port: int, n: int) -> list[float]:
    payload = b"r" * 64
    out = []
    with socket.create_connection(("127.0.0.1", port)) as c:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(n + 200):
            start = time.perf_counter()
            c.sendall(payload)
            left = 64
            while left:
                left -= len(c.recv(left))
            if i >= 200:       # warm-up
                out.append((time.perf_counter() - start) * 1e6)
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


async def concurrent(port: int, n: int) -> tuple[float, float, int]:
    start = time.perf_counter()
    conns = await asyncio.gather(*(asyncio.open_connection("127.0.0.1", port) for _ in range(n)))
    opened = time.perf_counter() - start

    async def once(i, reader, writer):
        msg = b"%08d" % i
        writer.write(msg)
        return await asyncio.wait_for(reader.readexactly(8), 30) == msg

    start = time.perf_counter()
    ok = sum(await asyncio.gather(*(once(i, r, w) for i, (r, w) in enumerate(conns))))
    await asyncio.sleep(0.5)          # all held open at once
    ok2 = sum(await asyncio.gather(*(once(i, r, w) for i, (r, w) in enumerate(conns))))
    echoed = time.perf_counter() - start
    for _, w in conns:
        w.close()
    return opened, echoed, min(ok, ok2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=1024, help="MiB per throughput run (default 1024)")
    ap.add_argument("--runs", type=int, default=3, help="throughput runs, best kept (default 3)")
    ap.add_argument("--round-trips", type=int, default=5000)
    ap.add_argument("--conns", type=int, default=1000)
    ap.add_argument("--in-process", action="store_true", help="run the proxy on a thread of this process")
    args = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, args.conns * 4 + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    total = args.mb << 20
    blast, blast_port = peer(_blast, total)
    echo, echo_port = peer(_echo)
    proxy = ProxyUnderTest(args.in_process)
    try:
        p_blast = proxy.create("blast", blast_port)
        p_echo = proxy.create("echo", echo_port)
        where = "thread of this process" if args.in_process else "own process"
        print(f"proxy: {proxy.url} ({where}); {os.cpu_count()} CPUs; python {sys.version.split()[0]}")

        direct = max(throughput(blast_port, total) for _ in range(args.runs))
        proxied = max(throughput(p_blast, total) for _ in range(args.runs))
        ratio = proxied / direct
        print(f"throughput  direct {direct:8.0f} MB/s   proxy {proxied:8.0f} MB/s   ratio {ratio:.2f} "
              f"(target >= 0.5: {'ok' if ratio >= 0.5 else 'MISSED'})")

        d = round_trips(echo_port, args.round_trips)
        p = round_trips(p_echo, args.round_trips)
        added50 = statistics.median(p) - statistics.median(d)
        added99 = pct(p, 99) - pct(d, 99)
        print(f"64 B round trip (us)  direct p50 {statistics.median(d):6.1f} p99 {pct(d, 99):6.1f}   "
              f"proxy p50 {statistics.median(p):6.1f} p99 {pct(p, 99):6.1f}   "
              f"added p50 {added50:6.1f} p99 {added99:6.1f} (target p50 < 200: {'ok' if added50 < 200 else 'MISSED'})")

        opened, echoed, ok = asyncio.run(concurrent(p_echo, args.conns))
        print(f"concurrency  {args.conns} connections held through one proxy: opened in {opened * 1000:.0f} ms, "
              f"2 echo rounds in {echoed * 1000:.0f} ms (incl. 500 ms hold), {ok}/{args.conns} ok")
        return 0 if ratio >= 0.5 and added50 < 200 and ok == args.conns else 1
    finally:
        proxy.close()
        for proc in (blast, echo):
            proc.terminate()
            proc.join(5)


if __name__ == "__main__":
    sys.exit(main())
