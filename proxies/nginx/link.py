"""NginxLink: the real nginx in front of one or more Socket.IO servers.

options:
  preset:        nginx-correct | nginx-missing-upgrade | nginx-short-read-timeout | nginx-tls-termination
                 (default nginx-correct)
  read_timeout:  proxy_read_timeout in seconds (nginx-short-read-timeout: default 10, else 60)
  ip_hash:       true = sticky by client address (default: round-robin over the upstreams)
  forwarded_proto: nginx-tls-termination: false leaves out `proxy_set_header X-Forwarded-Proto $scheme`
                 (default true); the listener is https with a self-signed certificate made at launch
  access_log:    true = nginx's access log (JSON lines) read every 100 ms onto the timeline: one `http`
                 event per request nginx answered (method, url, status, upstream_status, msec,
                 request_time), what an operator counts 502s from; no body (default false: off)
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import ClassVar

from ._launch import BinaryLink

__all__ = ["NginxLink"]

# one JSON object a line; $status is what nginx answered (502 when the upstream refused or reset),
# $upstream_status what the server did ("-" when none answered)
_ACCESS_LOG = ("log_format sockfault escape=json '{\"method\":\"$request_method\",\"url\":\"$request_uri\","
               "\"status\":$status,\"upstream_status\":\"$upstream_status\",\"msec\":$msec,"
               "\"request_time\":$request_time}';\n    access_log @@DIR@@/access.log sockfault;")


class NginxLink(BinaryLink):
    kind: ClassVar[str] = "nginx"
    binary = "nginx"
    package = "nginx"
    here = Path(__file__).parent
    default_preset = "nginx-correct"
    PRESETS = {
        "nginx-correct": "nginx-correct.conf",
        "nginx-missing-upgrade": "nginx-missing-upgrade.conf",
        "nginx-short-read-timeout": "nginx-short-read-timeout.conf",
        "nginx-tls-termination": "nginx-tls-termination.conf",
    }

    def values(self, upstreams, port):
        if self.preset == "nginx-tls-termination" and self.dir is not None and self.dir.is_dir():
            from harness._tls import self_signed
            cert = self_signed()
            (self.dir / "cert.pem").write_text(cert.cert_pem)
            key = self.dir / "key.pem"
            key.write_text(cert.key_pem)
            key.chmod(0o644)     # nginx reads it as the user it runs as; the folder is the run's own
        forwarded = self.options.get("forwarded_proto", True)
        default_timeout = 10 if self.preset == "nginx-short-read-timeout" else 60
        return {
            "DIR": str(self.dir), "PORT": str(port),
            "SERVERS": "\n        ".join(f"server {h}:{p};" for h, p in upstreams),
            "BALANCE": "ip_hash;" if self.options.get("ip_hash") else "",
            "FORWARDED_PROTO": "proxy_set_header X-Forwarded-Proto $scheme;" if forwarded else "# no X-Forwarded-Proto",
            "READ_TIMEOUT": f"{round(float(self.options.get('read_timeout', default_timeout)) * 1000)}ms",
            "ACCESS_LOG": _ACCESS_LOG.replace("@@DIR@@", str(self.dir)) if self.options.get("access_log") else "access_log off;",
        }

    async def start(self, upstreams):
        address = await super().start(upstreams)
        if self.options.get("access_log"):
            self._offset, self._tail = 0, asyncio.ensure_future(self._follow())
        return address

    async def stop(self) -> None:
        tail, self._tail = getattr(self, "_tail", None), None
        if tail is not None:
            tail.cancel()
            await asyncio.gather(tail, return_exceptions=True)
            self._read_log()   # what nginx wrote since the last read (it writes each line when a request ends)
        await super().stop()

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(0.1)
            self._read_log()

    def _read_log(self) -> None:
        log = self.dir / "access.log" if self.dir else None
        if log is None or not log.exists():
            return
        with log.open("rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        end = chunk.rfind(b"\n") + 1      # complete lines only
        self._offset += end
        for line in chunk[:end].splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            entry["from"] = "access_log"
            self.timeline.add(self.source, "http", entry)

    def command(self, config: Path) -> list[str]:
        return [self.executable(), "-p", str(self.dir), "-c", str(config), "-e", str(self.dir / "error.log")]

    def logs(self) -> str:
        log = self.dir / "error.log" if self.dir else None
        return ("\n--- error.log ---\n" + log.read_text(errors="replace")) if log and log.exists() else ""
