"""One execution of one Case: peers up, proxy chain up, faults in, steps, symptoms, all down.

Everything started here is stopped in `finally`, whatever happened — a failed symptom, a
crashed peer, a timeout (cancellation) or Ctrl-C.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import socket
import time
import traceback
from typing import Callable

from ._steps import run_step
from ._timescale import SCALE, server_options, scaled_options, uncompressed_reason
from ._tls import HOST_OPTION, PAGE_ORIGIN_OPTION, SCHEME_OPTION, TLS_OPTION, self_signed, wants_tls, with_ca, with_origin
from .errors import HarnessError, PeerError, SymptomMismatch
from .faults import FaultContext, load_fault
from .links import ProxyLink, load_link
from .peers import PeerPool, PeerProcess, unavailable_reason
from .peers.app import AppServer
from .peers._catalog import CLOSED_PORT_FIELD
from .results import CheckResult, RunResult
from .scenario import Case, Expectation
from .services import SERVICES, substitute
from .symptoms import Observation, check
from .timeline import Event, Timeline

__all__ = ["Run"]

_START_TIMEOUT = 15.0


class Run:
    def __init__(self, case: Case, pool: PeerPool, compressed: bool, heartbeat_compressed: bool | None = None):
        """heartbeat_compressed: whether the servers' heartbeat is scaled too (harness/_heartbeat_use.py);
        `$scaled` values follow `compressed` alone."""
        self.case, self.pool, self.compressed = case, pool, compressed
        self.heartbeat_compressed = compressed if heartbeat_compressed is None else heartbeat_compressed
        self.timeline = Timeline()
        self.servers: list[PeerProcess] = []
        self.server_addresses: list[tuple[str, int]] = []
        self.clients: list[PeerProcess] = []
        self.links: dict[str, ProxyLink] = {}
        self.entry: tuple[str, int] | None = None
        self.fault_ctx = FaultContext(self.timeline)
        self.faults: dict[str, object] = {}
        self.active: set[str] = set()
        self.waited_s = 0.0
        self._tasks: list[asyncio.Task] = []
        self.services: list = []          # `services:` started for this run (redis), stopped last
        self.service_fields: dict[str, str] = {}
        self.certificate = None           # the run's self-signed certificate, once a server asks `$tls`
        self.tls_servers: set[int] = set()

    # -- helpers the steps use ------------------------------------------------------------------
    def heartbeat_s(self) -> float:
        try:
            return Observation(self.timeline, float("inf")).heartbeat_ms() / 1000
        except SymptomMismatch:  # no Socket.IO server to advertise one (a plain WebSocket server, nothing)
            return 30.0 * SCALE if self.compressed else 30.0

    def address(self, target: str) -> tuple[str, int]:
        if target == "proxy":
            return self.entry or self.server_addresses[0]
        if target == "server":
            return self.server_addresses[0]
        if target.startswith("server:"):
            return self.server_addresses[int(target[7:])]
        if target == "nowhere":
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                return probe.getsockname()
        raise HarnessError(f"unknown target {target!r}")

    async def sleep(self, seconds: float) -> None:
        self.waited_s += seconds
        await asyncio.sleep(seconds)

    async def wait_for(self, predicate: Callable[[Event], bool], timeout: float) -> Event | None:
        started = time.monotonic()
        try:
            return await self.timeline.wait_for(predicate, timeout)
        finally:
            self.waited_s += time.monotonic() - started

    async def connect_client(self, index: int) -> None:
        config = self.case.clients[index]
        host, port = self.address(config.target)
        if config.spec.family == "page":  # the app's own page: its own scripts decide where to connect
            url = config.page if "://" in config.page else f"http://{host}:{port}/{config.page.lstrip('/')}"
            self.timeline.add("runner", "connect", {"client": index, "url": url, "page": True})
            await self.clients[index].send({"cmd": "connect", "url": url, "actions": list(config.actions)})
            return
        options = scaled_options(config.options, self.compressed)
        try:
            options = with_ca(options, self.certificate)
        except ValueError as exc:
            raise HarnessError(f"client {index}: {exc}") from None
        scheme = options.pop(SCHEME_OPTION, None) or ("https" if self._reaches_tls(config.target) else "http")
        if scheme not in ("http", "https"):
            raise HarnessError(f"client {index}: option {SCHEME_OPTION} is http or https, not {scheme!r}")
        name = options.pop(HOST_OPTION, None) or host
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9.-]+", name):
            raise HarnessError(f"client {index}: option {HOST_OPTION} is a host name (e.g. sio.test), not {name!r}")
        host = name
        page = options.get(PAGE_ORIGIN_OPTION)
        if page is not None and (config.spec.family != "browser" or not isinstance(page, str)
                                 or not re.fullmatch(r"https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.test", page)):
            raise HarnessError(f"client {index}: option {PAGE_ORIGIN_OPTION} is http(s)://<name>.test, for a "
                               f"browser client (its page's origin; Chromium maps *.test to 127.0.0.1), not {page!r}")
        url = f"{scheme}://{host}:{port}{config.url_path}"
        options = with_origin(options, f"{scheme}://{host}:{port}")
        self.timeline.add("runner", "connect", {"client": index, "url": url, "options": options})
        await self.clients[index].send({"cmd": "connect", "url": url, "options": options})

    def _reaches_tls(self, target: str) -> bool:
        """Whether the client's target speaks TLS: a `$tls` server, directly or through TCP proxies only."""
        if target == "nowhere":
            return False
        if target.startswith("server"):
            return int(target[7:] or 0) in self.tls_servers
        kinds = {p.kind for p in self.case.proxies}
        return 0 in self.tls_servers and kinds <= {"toxiproxy"}

    async def apply_fault(self, label: str) -> None:
        if label in self.active:
            return
        # stamped before it takes effect: a symptom measured `from: fault` may land while apply() returns
        self.timeline.add("runner", "fault_applied", {"fault": label})
        await self.faults[label].apply(self.fault_ctx)
        self.active.add(label)

    async def remove_fault(self, label: str) -> None:
        if label not in self.active:
            return
        await self.faults[label].remove(self.fault_ctx)
        self.active.discard(label)
        self.timeline.add("runner", "fault_removed", {"fault": label})

    # -- the run --------------------------------------------------------------------------------
    async def execute(self) -> RunResult:
        started = time.monotonic()
        result = RunResult(self.case.case_id, self.timeline)
        try:
            link_classes = [load_link(p.kind) for p in self.case.proxies]
            reasons = [r for r in (cls.unavailable_reason() for cls in link_classes) if r]
            reasons += [r for r in (unavailable_reason(p.spec) for p in self.case.servers + self.case.clients) if r]
            reasons += [r for r in (SERVICES[s].unavailable_reason() for s in self.case.services) if r]
            if reasons:
                result.skipped = "; ".join(reasons)
                return result
            for fault in self.case.faults:
                self.faults[fault.label] = load_fault(fault.name)(**fault.params)
            await self._start_services()
            await self._start_peers()
            await self._start_links(link_classes)
            for fault in self.case.faults:
                if fault.at is None:
                    await self.apply_fault(fault.label)
                else:
                    self._tasks.append(asyncio.ensure_future(self._scheduled(fault)))
            for step in self.case.steps:
                self.timeline.add("runner", "step", {"step": step.kind, "line": step.line})
                await run_step(self, step)
            end_ms = self.timeline.now()
            self._check_crashes()
            result.checks = self._evaluate(self.case.expect, end_ms)
            result.control_checks = self._evaluate(self.case.control_expect, end_ms)
            try:
                result.heartbeat_ms = Observation(self.timeline, end_ms).heartbeat_ms()
            except SymptomMismatch:
                pass
        except HarnessError as exc:
            result.error = str(exc)
            self.timeline.add("runner", "error", {"message": str(exc)[:4000]})
        except Exception as exc:  # a bug of ours or a link's: report it on this case, keep the session
            result.error = f"internal error: {exc!r}\n{traceback.format_exc(limit=8)}"
            self.timeline.add("runner", "error", {"message": result.error[:4000]})
        finally:
            await self._teardown()
            result.peers = self._peer_versions()
            result.duration_s = time.monotonic() - started
            result.overhead_s = max(0.0, result.duration_s - self.waited_s)
        return result

    async def _start_peers(self) -> None:
        acquire = [self._app(self._with_services(s.spec)) if s.spec.app else self.pool.acquire(s.spec) for s in self.case.servers] + \
                  [self.pool.acquire(self._client_spec(i, c.spec)) for i, c in enumerate(self.case.clients)]
        tasks = [asyncio.ensure_future(a) for a in acquire]
        try:
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        except BaseException:   # a scenario timeout or Ctrl-C mid start-up: the peers already started go too
            await _stop_started(tasks)
            raise
        peers = [o for o in outcomes if isinstance(o, (PeerProcess, AppServer))]
        n = len(self.case.servers)
        self.servers, self.clients = peers[:n], peers[n:]
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        if failures:
            raise failures[0] if isinstance(failures[0], HarnessError) else HarnessError(repr(failures[0]))
        for i, peer in enumerate(self.servers):
            peer.attach(self.timeline, f"server:{i}")
        for i, peer in enumerate(self.clients):
            peer.attach(self.timeline, f"client:{i}")
        self.fault_ctx.servers, self.fault_ctx.clients = self.servers, self.clients
        starts = [self._start_server(i, peer) for i, peer in enumerate(self.servers)]
        self.server_addresses = list(await asyncio.gather(*starts))

    async def _start_services(self) -> None:
        for name in self.case.services:
            service = SERVICES[name]()
            self.services.append(service)   # before start(): a cancelled start is still stopped
            self.timeline.add(f"service:{name}", "listening", await service.start())
            self.service_fields.update(service.fields)

    def _client_spec(self, index: int, spec):
        """A client's `env` with {closed_port} filled in (a 127.0.0.1 port bound and released here, so
        nothing listens on it: HTTP_PROXY=http://127.0.0.1:{closed_port} is a proxy that is down),
        recorded on the timeline (runner `client_env`)."""
        if not spec.env:
            return spec
        if any(CLOSED_PORT_FIELD in v for _, v in spec.env):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = str(probe.getsockname()[1])
            spec = dataclasses.replace(spec, env=tuple((k, v.replace(CLOSED_PORT_FIELD, port)) for k, v in spec.env))
        self.timeline.add("runner", "client_env", {"client": index, "env": dict(spec.env)})
        return spec

    def _with_services(self, spec):
        """An app's `app`/`env` with the services' {fields} (e.g. {redis_url}) filled in."""
        if not self.service_fields:
            return spec
        app = spec.app
        return dataclasses.replace(spec, app=dataclasses.replace(
            app, argv=tuple(substitute(a, self.service_fields) for a in app.argv),
            env=tuple((k, substitute(v, self.service_fields)) for k, v in app.env)))

    def _note_real_heartbeat(self, index: int) -> None:
        if self.compressed and not self.heartbeat_compressed:
            self.timeline.add("runner", "timescale", {"server": index, "compressed": False, "reason": (
                "nothing in this case waits on the heartbeat: its servers keep their real one "
                "(harness/_heartbeat_use.py)")})

    @staticmethod
    async def _app(spec) -> AppServer:
        return AppServer(spec)   # started in _start_server, once the timeline is attached

    async def _start_server(self, index: int, peer: PeerProcess | AppServer, port: int = 0) -> tuple[str, int]:
        config = self.case.servers[index]
        if isinstance(peer, AppServer):  # the user's app: options go through its hook, if it has one
            self._note_real_heartbeat(index)
            return await peer.start(scaled_options(config.options, self.compressed), self.heartbeat_compressed)
        spec, hello = config.spec, peer.hello   # a `command:` server's hello names its defaults
        options = server_options(spec.family, spec.version, config.options, self.heartbeat_compressed, hello)
        reason = uncompressed_reason(spec.family, spec.version, config.options, self.heartbeat_compressed, hello)
        self._note_real_heartbeat(index)
        try:
            tls = wants_tls(options)
        except ValueError as exc:
            raise HarnessError(f"server {index}: {exc}") from None
        if tls:
            self.certificate = self.certificate or self_signed()
            options[TLS_OPTION] = {"cert": self.certificate.cert_pem, "key": self.certificate.key_pem}
            self.tls_servers.add(index)
        if reason:
            self.timeline.add("runner", "timescale", {"server": index, "compressed": False, "reason": reason})
        command = {"cmd": "start", "host": "127.0.0.1", "port": port, "options": options,
                   "namespaces": list(config.namespaces)}
        event = await peer.request(command, {"listening"}, _START_TIMEOUT)
        return "127.0.0.1", int(event["port"])

    async def _start_links(self, classes: list[type[ProxyLink]]) -> None:
        upstreams = self.server_addresses
        for config, cls in reversed(list(zip(self.case.proxies, classes))):
            link = cls(config.name, config.options, self.timeline)
            link.planned_faults = list(self.faults.values())   # e.g. the http link picks its engine from them
            self.links[config.name] = link
            address = await link.start(upstreams)
            self.timeline.add(link.source, "listening", {"kind": config.kind, "address": list(address),
                                                          "upstreams": [list(u) for u in upstreams]})
            upstreams = [address]
        self.fault_ctx.links = self.links
        self.entry = upstreams[0] if self.links else None

    async def _scheduled(self, fault) -> None:
        await asyncio.sleep(fault.at.resolve(self.heartbeat_s()))
        await self.apply_fault(fault.label)
        if fault.duration is not None:
            await asyncio.sleep(fault.duration.resolve(self.heartbeat_s()))
            await self.remove_fault(fault.label)

    def _check_crashes(self) -> None:
        for event in self.timeline.events(kind="peer_exit"):
            raise PeerError(f"exited with code {event.data.get('code')} during the run", event.source,
                            event.data.get("stderr", ""))

    def _evaluate(self, expectations: tuple[Expectation, ...], end_ms: float) -> list[CheckResult]:
        observation = Observation(self.timeline, end_ms)
        out = []
        for expectation in expectations:
            try:
                evidence = check(expectation.kind, observation, expectation.params)
                out.append(CheckResult(expectation.kind, expectation.describe(), expectation.line, True,
                                       evidence.text, [e.to_dict() for e in evidence.events]))
            except SymptomMismatch as exc:
                out.append(CheckResult(expectation.kind, expectation.describe(), expectation.line, False,
                                       str(exc), [e.to_dict() for e in exc.evidence if isinstance(e, Event)]))
        return out

    def _peer_versions(self) -> dict[str, dict]:
        out = {}
        for source, peers, configs in (("server", self.servers, self.case.servers),
                                       ("client", self.clients, self.case.clients)):
            for i, (peer, config) in enumerate(zip(peers, configs)):
                hello = peer.hello or {}
                out[f"{source}:{i}"] = {"peer": config.spec.label, "impl": hello.get("impl"),
                                        "version": hello.get("version")}
                if config.spec.app is not None:  # a user's app: say whether a hook saw it or only the wire
                    out[f"{source}:{i}"]["observed"] = f"hook ({hello['hook']})" if hello.get("hook") else "wire only"
        return out

    async def _teardown(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for label in list(self.active):
            try:
                await asyncio.wait_for(self.remove_fault(label), 2.0)
            except Exception:
                pass
        # clients and proxies first, all at once; then the servers, which shut down faster with
        # nobody connected (python-socketio waits on open websockets)
        await asyncio.gather(*(p.stop() for p in self.clients),
                             *(link.stop() for link in self.links.values()), return_exceptions=True)
        await asyncio.gather(*(p.stop() for p in self.servers), return_exceptions=True)
        await asyncio.gather(*(s.stop() for s in self.services), return_exceptions=True)


async def _stop_started(tasks: list[asyncio.Future]) -> None:
    """Cancel the acquisitions still running and stop what the finished ones started (a cancelled gather
    drops their results: a CI run's timed-out case left a node client alive and its event loop hung)."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    started = [t.result() for t in tasks if t.done() and not t.cancelled() and t.exception() is None]
    await asyncio.gather(*(peer.stop() for peer in started), return_exceptions=True)
