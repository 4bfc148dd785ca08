"""NginxLink: the real nginx in front of one or more Socket.IO servers.

options:
  preset:        nginx-correct | nginx-missing-upgrade | nginx-short-read-timeout | nginx-tls-termination
                 (default nginx-correct)
  read_timeout:  proxy_read_timeout in seconds (nginx-short-read-timeout: default 10, else 60)
  ip_hash:       true = sticky by client address (default: round-robin over the upstreams)
  forwarded_proto: nginx-tls-termination: false leaves out `proxy_set_header X-Forwarded-Proto $scheme`
                 (default true); the listener is https with a self-signed certificate made at launch
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ._launch import BinaryLink

__all__ = ["NginxLink"]


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
        }

    def command(self, config: Path) -> list[str]:
        return [self.executable(), "-p", str(self.dir), "-c", str(config), "-e", str(self.dir / "error.log")]

    def logs(self) -> str:
        log = self.dir / "error.log" if self.dir else None
        return ("\n--- error.log ---\n" + log.read_text(errors="replace")) if log and log.exists() else ""
