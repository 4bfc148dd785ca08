"""The deployment being diagnosed: its URL taken apart, the user's options, a request budget and a
deadline (safe by default: few requests, bounded time, nothing but the given host), and what the
checks learnt so far (the handshake, the path that answered), shared by the checks that follow."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp

from harness.errors import HarnessError
from harness.probe import handshake, request, upgrade

__all__ = ["Target", "BadTarget", "REQUEST_BUDGET", "INTRUSIVE_BUDGET", "DEFAULT_PATH"]

REQUEST_BUDGET = 48          # "a few dozen requests at most"
INTRUSIVE_BUDGET = 120       # plus the payload bisection (about 14 sessions per transport)
DEFAULT_PATH = "/socket.io/"


class BadTarget(HarnessError):
    """The URL cannot be diagnosed at all (exit 2)."""


class OutOfBudget(HarnessError):
    """The request budget or the deadline is spent."""


def _norm_path(path: str) -> str:
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


@dataclass
class Target:
    url: str
    origin: str | None = None
    path: str | None = None              # --path; None: the default, /socket.io/
    namespace: str | None = None         # --namespace; None: "/" (or the URL's path, see url_path)
    client_version: str | None = None
    intrusive: bool = False
    timeout: float = 15.0
    insecure: bool = False
    base: str = ""                       # scheme://host:port
    host: str = ""
    url_path: str = ""                   # the URL's own path ("/my-custom-path/"), "" when none
    started: float = field(default_factory=time.monotonic)
    requests: int = 0
    # learnt by the reachable check
    server_path: str | None = None       # where the handshake answered
    open4: object | None = None          # ProbeResult of EIO=4 at server_path
    open3: object | None = None          # ProbeResult of EIO=3 at server_path
    hello: object | None = None          # the ProbeResult whose open packet the other checks use
    tried: dict = field(default_factory=dict)   # path -> its EIO=4 handshake (reachable)
    unreachable: str = ""                # no HTTP answer at all: its kind (refused, timeout, dns, ...)
    tls: object | None = None            # the certificate check's TLS handshake (_tls.TlsView), https only

    def __post_init__(self) -> None:
        raw = self.url.strip()
        if "://" not in raw:
            raise BadTarget(f"{self.url!r} is not a URL: give the scheme, e.g. http://{raw or 'host:3000'}")
        split = urlsplit(raw)
        scheme = {"ws": "http", "wss": "https"}.get(split.scheme, split.scheme)
        if scheme not in ("http", "https"):
            raise BadTarget(f"unsupported scheme {split.scheme!r} (valid: http, https, ws, wss)")
        if not split.hostname:
            raise BadTarget(f"{self.url!r} has no host")
        try:
            split.port
        except ValueError as exc:
            raise BadTarget(f"{self.url!r}: {exc}") from None
        self.base = f"{scheme}://{split.netloc}"
        self.host = split.hostname
        self.url_path = _norm_path(split.path) if split.path.strip("/") else ""
        if self.path is not None:
            self.path = _norm_path(self.path)
        if self.timeout <= 0:
            raise BadTarget("--timeout must be positive")

    # -- budget -------------------------------------------------------------------------------
    @property
    def wanted_path(self) -> str:
        return self.path or DEFAULT_PATH

    @property
    def budget(self) -> int:
        return INTRUSIVE_BUDGET if self.intrusive else REQUEST_BUDGET

    def remaining(self) -> float:
        return self.timeout - (time.monotonic() - self.started)

    def _spend(self) -> float:
        left = self.remaining()
        if self.requests >= self.budget:
            raise OutOfBudget(f"the request budget ({self.budget}) is spent")
        if left <= 0:
            raise OutOfBudget(f"--timeout {self.timeout:g} s is spent")
        self.requests += 1
        return max(left, 0.5)

    @property
    def ssl(self):
        return False if self.insecure else None

    # -- requests, all to the given host ----------------------------------------------------------
    async def handshake(self, eio: int, path: str | None = None, origin: str | None = None, timeout: float = 5.0):
        left = self._spend()
        return await handshake(self.base, eio=eio, path=path or self.server_path or self.wanted_path,
                               origin=origin, timeout=min(timeout, left), ssl=self.ssl)

    async def request(self, timeout: float = 5.0, **kw):
        left = self._spend()
        kw.setdefault("path", self.server_path or self.wanted_path)
        return await request(self.base, timeout=min(timeout, left), ssl=self.ssl, **kw)

    async def upgrade(self, timeout: float = 3.0, **kw):
        left = self._spend()
        kw.setdefault("path", self.server_path or self.wanted_path)
        return await upgrade(self.base, timeout=min(timeout, left), ssl=self.ssl, **kw)

    def ws_session(self) -> aiohttp.ClientSession:
        """An aiohttp session for the checks' own websockets, bounded by what is left of --timeout (aiohttp's
        default would wait 300 s for an upgrade that hangs) and following no redirect: ws_connect would
        follow a 30x to wherever it points, and a diagnosis contacts nothing but the given host."""
        async def refuse(session, context, params):
            raise aiohttp.ClientError(f"HTTP {params.response.status} redirect to "
                                      f"{params.response.headers.get('Location', '?')} not followed (only {self.base})")
        trace = aiohttp.TraceConfig()
        trace.on_request_redirect.append(refuse)
        return aiohttp.ClientSession(trace_configs=[trace],
                                     timeout=aiohttp.ClientTimeout(total=max(self.remaining(), 0.5)))

    @property
    def eio(self) -> int:
        """The revision to talk: 4 when the server speaks it, else 3."""
        return 4 if self.open4 is not None and self.open4.open is not None and self.open4.server_eio == 4 else 3
