"""Scenario file -> validated Cases (one per matrix cell), each with its control Case."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import re
from pathlib import Path
from typing import Any

from .._http2 import HTTP2_OPTION, check_http2
from ..errors import ScenarioError
from ..faults import FAULTS, load_fault
from ..peers import page_spec, resolve_peer
from ..peers.app import APP_KEYS, app_spec
from ..symptoms import PAIRED, SYMPTOM_CHOICES, SYMPTOM_PARAMS, valid_choice
from ._duration import DURATION_CHOICES, Duration, parse_duration
from ._model import Case, Expectation, FaultConfig, PeerConfig, ProxyConfig, Step
from ._validate import check_dataclass_params, check_params, check_schema
from ._yaml import LList, LMap, line_of, load_yaml

__all__ = ["load_cases", "STEP_PARAMS"]

_NUM = (int, float)
STEP_PARAMS: dict[str, dict[str, Any]] = {
    "connect": {"client": int},
    "disconnect": {"client": int},
    "emit": {"client": int, "event": str, "bytes": int, "args": list, "ack": str},
    "emit_every": {"client": int, "event": str, "interval_ms": (int, float), "off": bool},
    "server_emit": {"server": int, "event": str, "args": list, "to": str},
    "server_disconnect": {"server": int},
    "restart_server": {"server": int, "down_for": (str, int, float), "signal": str},
    "wait_for": {"event": (str, list), "source": str, "timeout": (str, int, float), "match": dict},
    "probe": {"eio": int, "path": str, "method": str, "origin": str, "transport": str, "query": dict,
              "target": str, "body": str},
}
_FAULT_TIMING = ("at", "for")
PAGE_ACTIONS = ("click", "fill", "press", "wait", "wait_for", "reload", "emit", "evaluate")
DEFAULT_TIMEOUT = {"compressed": Duration(seconds=60), "faithful": Duration(seconds=300)}
DEFAULT_STEPS = (Step("connect", {}), Step("wait_for", {"event": ["connect", "connect_error"], "timeout": Duration(seconds=5)}))


def load_cases(path: str | Path, substitute: dict[str, Any] | None = None, drop: tuple[str, ...] = ()) -> list[Case]:
    """substitute: a value that is exactly "$name" becomes substitute["$name"] (sockfault check's templates);
    drop: top-level keys read by the caller, not by the scenario format."""
    file = str(path)
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise ScenarioError("a scenario file must be a mapping", file, line_of(raw) or 1,
                            ["a mapping with name, doc and expect"])
    for key in drop:
        raw.pop(key, None)
    if substitute:
        _substitute(raw, substitute)
    check_schema(raw, file)
    return _Builder(raw, file).cases()


def _substitute(node: Any, values: dict[str, Any]) -> None:
    """In place, so that the containers keep their line marks."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in list(items):
        if isinstance(value, str) and value in values:
            node[key] = copy.deepcopy(values[value])
        else:
            _substitute(value, values)


class _Builder:
    def __init__(self, raw: dict, file: str):
        self.raw, self.file = raw, file

    def err(self, message: str, node: Any = None, key: Any = None, choices: list | None = None) -> ScenarioError:
        return ScenarioError(message, self.file, line_of(node if node is not None else self.raw, key), choices)

    def duration(self, value: Any, what: str, line: int | None) -> Duration:
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise ScenarioError(f"{what}: {exc}", self.file, line, DURATION_CHOICES) from None

    # -- top level ---------------------------------------------------------------------------
    def cases(self) -> list[Case]:
        raw = self.raw
        if "server" in raw and "servers" in raw:
            raise self.err("use either `server` or `servers`, not both", raw, "servers")
        if "client" in raw and "clients" in raw:
            raise self.err("use either `client` or `clients`, not both", raw, "clients")
        servers_raw = raw.get("servers") or (_single(raw, "server") if "server" in raw else None)
        clients_raw = raw.get("clients") or (_single(raw, "client") if "client" in raw else [])
        if servers_raw is None and not raw.get("matrix"):
            raise self.err("a scenario needs a `server` (or `servers`, or a `matrix`)", raw,
                           "matrix" if "matrix" in raw else None, ["server", "servers", "matrix"])
        matrix = raw.get("matrix")
        if not matrix:
            return [self.case(raw["name"], servers_raw, clients_raw, raw["expect"], raw.get("control"))]
        return self.matrix_cases(matrix, servers_raw or ["?"], clients_raw)

    def matrix_cases(self, matrix: dict, servers_raw: list, clients_raw: list) -> list[Case]:
        if servers_raw == ["?"] and not matrix.get("server") and not matrix.get("pairs"):
            raise self.err("a scenario needs a `server` (or `servers`, or a matrix `server` or `pairs`)", self.raw,
                           "matrix", ["server", "servers", "matrix: {server: [...]}", "matrix: {pairs: [...]}"])
        if "pairs" in matrix and not matrix["pairs"]:
            raise self.err("matrix `pairs` is empty: no case to run", matrix, "pairs")
        if "pairs" in matrix:
            pairs = [(p["server"], p["client"], p, line_of(p, "server"), line_of(p, "client")) for p in matrix["pairs"]]
        else:
            servers = [(s, line_of(matrix["server"], i)) for i, s in enumerate(matrix.get("server") or [])] or [(None, 0)]
            clients = [(c, line_of(matrix["client"], i)) for i, c in enumerate(matrix.get("client") or [])] or [(None, 0)]
            pairs = [(s, c, matrix, s_line, c_line) for (s, s_line), (c, c_line) in itertools.product(servers, clients)]
        faults = list(enumerate(matrix["fault"])) if "fault" in matrix else [(None, None)]
        proxies = list(enumerate(matrix["proxy"])) if "proxy" in matrix else [(None, None)]
        overrides = matrix.get("cells", [])
        cases = []
        for (server, client, node, s_line, c_line), (fault_index, fault), (proxy_index, proxy) in \
                itertools.product(pairs, faults, proxies):
            expect, control = self.raw["expect"], self.raw.get("control")
            for cell in overrides:
                if cell.get("server", server) == server and cell.get("client", client) == client:
                    expect, control = cell.get("expect", expect), cell.get("control", control)
            # every node of a multi-node set-up runs the cell's version
            s_raw = _lined([_with_peer(raw_server, server, s_line) for raw_server in servers_raw],
                           [s_line] * len(servers_raw)) if server else servers_raw
            c_raw = _lined([_with_peer((clients_raw or ["?"])[0], client, c_line)] + list(clients_raw[1:]),
                           [c_line] + [line_of(clients_raw, i) for i in range(1, len(clients_raw))]) \
                if client else clients_raw
            labels = [f"{k}={v}" for k, v in (("server", server), ("client", client)) if v]
            if fault is not None:
                labels.append(f"fault={_fault_label(fault)}")
            if proxy is not None:
                labels.append(f"proxy={proxy.get('name') or _proxy_label(proxy)}")
            faults_raw = _single(matrix, "fault", fault_index) if fault is not None else None
            proxies_raw = _single(matrix, "proxy", proxy_index) if proxy is not None else None
            cases.append(self.case(f"{self.raw['name']}[{','.join(labels)}]", s_raw, c_raw, expect, control,
                                   line=line_of(node), faults_raw=faults_raw, proxies_raw=proxies_raw))
        return cases

    def case(self, case_id: str, servers_raw: list, clients_raw: list, expect_raw: list, control_raw: Any,
             line: int | None = None, faults_raw: list | None = None, proxies_raw: list | None = None) -> Case:
        raw = self.raw
        timing = raw.get("timing", "compressed")
        faults_raw = raw.get("faults", []) if faults_raw is None else faults_raw
        faults = tuple(self.fault(f, i, faults_raw) for i, f in enumerate(faults_raw))
        labels = [f.label for f in faults]
        steps = tuple(self.step(s, raw["steps"], i, labels) for i, s in enumerate(raw["steps"])) \
            if raw.get("steps") else DEFAULT_STEPS
        base = Case(
            name=raw["name"], case_id=case_id, file=self.file, line=line or line_of(raw, "name") or 1,
            doc=raw["doc"], timing=timing,
            timeout=self.duration(raw["timeout"], "timeout", line_of(raw, "timeout")) if "timeout" in raw
            else DEFAULT_TIMEOUT[timing],
            tags=tuple(raw.get("tags", [])),
            servers=tuple(self.peer(p, "server", servers_raw, i) for i, p in enumerate(servers_raw)),
            clients=tuple(self.peer(p, "client", clients_raw, i) for i, p in enumerate(clients_raw)),
            proxies=self.proxies(raw.get("proxies", []) if proxies_raw is None else proxies_raw),
            faults=faults, steps=steps, expect=self.expectations(expect_raw), negative=bool(raw.get("negative")),
            services=tuple(raw.get("services", [])),
        )
        self.check_targets(base)
        self.check_services(base)
        if faults and control_raw is None:
            control_raw = {}
        if control_raw is None:
            return dataclasses.replace(base, cause="baseline")
        control = self.control(base, control_raw)
        cause = "fault" if faults and not control_raw.get("keep_faults") else "pair"
        if cause == "pair" and not any(k in control_raw for k in ("server", "client", "proxies", "steps")):
            raise self.err("a control with no fault must name the compatible `server`, `client`, `proxies` "
                           "or `steps` to compare with", raw, "control")
        return dataclasses.replace(base, control=control, cause=cause)

    def control(self, base: Case, raw: dict) -> Case:
        servers = list(base.servers)
        clients = list(base.clients)
        if "server" in raw:  # every node: the nodes of a multi-node set-up are alike
            servers = [self.override(server, raw["server"], "server", raw) for server in servers]
        if "client" in raw:
            if not clients:
                raise self.err("control overrides a client but the scenario has none", raw, "client")
            clients[0] = self.override(clients[0], raw["client"], "client", raw)
        steps = tuple(self.step(s, raw["steps"], i, [f.label for f in base.faults]) for i, s in enumerate(raw["steps"])) \
            if "steps" in raw else base.steps
        keep = bool(raw.get("keep_faults"))
        return dataclasses.replace(
            base, case_id=base.case_id + "#control", servers=tuple(servers), clients=tuple(clients),
            proxies=self.proxy_overrides(base.proxies, raw.get("proxies", [])),
            faults=base.faults if keep else (),
            steps=tuple(s for s in steps if keep or s.kind not in ("apply_fault", "remove_fault")),
            control_expect=self.expectations(raw.get("expect", [])), is_control=True)

    # -- pieces ------------------------------------------------------------------------------
    def peer(self, raw: Any, role: str, parent: list, index: int) -> PeerConfig:
        line = line_of(parent, index) if isinstance(parent, list) else None
        if isinstance(raw, str):
            raw = {"peer": raw}
        self.check_peer_keys(raw, role, line)
        try:
            if any(k in raw for k in APP_KEYS if not (role == "client" and k == "env")):
                spec = app_spec(raw, self.file)
            elif "page" in raw:
                spec = page_spec(str(raw["page"]))
            else:
                spec = resolve_peer(raw.get("peer"), role, raw.get("command"))
        except ScenarioError as exc:
            key = next((k for k in ("peer", "app", "url", "page", "command") if k in raw), None)
            raise ScenarioError(exc.message, self.file, line_of(raw, key, line), exc.choices) from None
        except ValueError as exc:  # shlex: `command: node "unclosed`
            raise ScenarioError(f"command {raw.get('command')!r}: {exc}", self.file, line_of(raw, "command", line)) \
                from None
        if role == "client" and "env" in raw:
            spec = dataclasses.replace(spec, env=self.client_env(raw))
        if role == "server" and ("url_path" in raw or "target" in raw):
            raise self.err("`url_path` and `target` are client settings", raw, "url_path" if "url_path" in raw else "target")
        if role == "server":
            self.check_http2(raw, spec.family, line)
        return PeerConfig(spec=spec, options=copy.deepcopy(dict(raw.get("options", {}))),
                          namespaces=tuple(raw.get("namespaces", [])), url_path=raw.get("url_path", ""),
                          target=raw.get("target", "proxy"), line=line or 0, page=str(raw.get("page", "")),
                          actions=tuple(copy.deepcopy(list(raw.get("actions", [])))), raw=dict(raw))

    def check_http2(self, raw: dict, family: str, line: int | None) -> None:
        options = raw.get("options")
        problem = check_http2(options, family) if isinstance(options, dict) else None
        if problem:
            message, key, choices = problem
            value = options.get(HTTP2_OPTION)
            at = line_of(value, key) if key is not None and isinstance(value, dict) else None
            raise ScenarioError(message, self.file, at or line_of(options, HTTP2_OPTION, line_of(raw, "options", line)),
                                choices)

    def client_env(self, raw: dict) -> tuple[tuple[str, str], ...]:
        """A client's `env:` (NAME: string or number): extra environment of its process, e.g. HTTP_PROXY;
        {closed_port} in a value is a free port nothing listens on."""
        env = raw["env"]
        if not isinstance(env, dict):
            raise self.err("a client's `env` is a mapping of NAME: value (e.g. env: {HTTP_PROXY: "
                           "\"http://127.0.0.1:{closed_port}\"})", raw, "env")
        out = []
        for name, value in env.items():
            if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise self.err(f"env: {name!r} is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
                               env, name)
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                kind = "list" if isinstance(value, list) else "mapping" if isinstance(value, dict) else type(value).__name__
                raise self.err(f"env {name}: a string or a number, not {kind}", env, name)
            fields = set(re.findall(r"\{[a-z_]+\}", str(value))) - {"{closed_port}"}
            if fields:
                raise self.err(f"env {name}: unknown field {sorted(fields)[0]} in a client's env", env, name,
                               ["{closed_port}"])
            out.append((name, str(value)))
        return tuple(out)

    def check_peer_keys(self, raw: dict, role: str, line: int | None) -> None:
        wrong = [k for k in APP_KEYS if k in raw and k != "env"] if role == "client" else \
            [k for k in ("page", "actions") if k in raw]
        if wrong:
            owner = "an app server (`server:`)" if role == "client" else "a page client (`client:`)"
            raise self.err(f"`{wrong[0]}` belongs to {owner}", raw, wrong[0])
        kinds = [k for k in ("peer", "command", "app", "url", "page") if k in raw]
        if len(kinds) > 1:
            raise self.err(f"a {role} is one of `peer`, `command`, `app`, `url` or `page`; this one has "
                           f"{' and '.join('`' + k + '`' for k in kinds)}", raw, kinds[1])
        if "actions" in raw and "page" not in raw:
            raise self.err("`actions` need a `page:` client", raw, "actions")
        for i, action in enumerate(raw.get("actions", [])):
            if not isinstance(action, dict) or len(action) != 1 or next(iter(action)) not in PAGE_ACTIONS:
                raise self.err(f"action {i} must be one of {', '.join(PAGE_ACTIONS)} (a one-key mapping)",
                               raw["actions"], i, list(PAGE_ACTIONS))

    def override(self, peer: PeerConfig, raw: Any, role: str, parent: dict) -> PeerConfig:
        if isinstance(raw, str):
            raw = {"peer": raw}
        if peer.spec.family in ("app", "page") and not any(k in raw for k in ("peer", "command", "app", "url", "page")):
            merged = {**peer.raw, **raw, "options": {**peer.options, **raw.get("options", {})}}
            return dataclasses.replace(self.peer(merged, role, [raw], 0), line=line_of(parent, role) or peer.line)
        merged = {"peer": peer.spec.label if peer.spec.family != "command" else None,
                  "command": peer.spec.argv and " ".join(peer.spec.argv) if peer.spec.family == "command" else None,
                  "options": {**peer.options, **raw.get("options", {})}, "namespaces": list(peer.namespaces),
                  "url_path": raw.get("url_path", peer.url_path), "target": raw.get("target", peer.target),
                  "env": raw["env"] if "env" in raw else dict(peer.spec.env) or None}   # a control's env replaces it
        if "peer" in raw or "command" in raw:
            merged["peer"], merged["command"] = raw.get("peer"), raw.get("command")
        if role == "server":
            merged.pop("url_path"), merged.pop("target"), merged.pop("env")
        merged = {k: v for k, v in merged.items() if v is not None}
        return dataclasses.replace(self.peer(merged, role, [raw], 0), line=line_of(parent, role) or peer.line)

    def proxies(self, raw: list) -> tuple[ProxyConfig, ...]:
        out, names = [], set()
        for i, item in enumerate(raw):
            name = item.get("name") or item["kind"]
            if name in names:
                raise self.err(f"two proxies are named {name!r}: give each a `name`", raw, i)
            names.add(name)
            out.append(ProxyConfig(name, item["kind"], dict(item.get("options", {})), line_of(raw, i) or 0))
        return tuple(out)

    def proxy_overrides(self, proxies: tuple[ProxyConfig, ...], raw: list) -> tuple[ProxyConfig, ...]:
        names = [p.name for p in proxies]
        by_name = {item["name"]: item for item in raw}
        for i, item in enumerate(raw):
            if item["name"] not in names:
                raise self.err(f"control overrides unknown proxy {item['name']!r}", raw, i, names)
        return tuple(dataclasses.replace(p, options={**p.options, **by_name[p.name].get("options", {})})
                     if p.name in by_name else p for p in proxies)

    def fault(self, raw: dict, index: int, siblings: list) -> FaultConfig:
        (name, params), = raw.items()
        line = line_of(raw, name)
        if name not in FAULTS:
            raise self.err(f"unknown fault {name!r}", raw, name, sorted(FAULTS))
        params = dict(params)
        timing = {k: params.pop(k) for k in _FAULT_TIMING if k in params}
        at = self.duration(timing["at"], f"fault {name}: at", line_of(raw[name], "at", line)) if "at" in timing else None
        duration = self.duration(timing["for"], f"fault {name}: for", line_of(raw[name], "for", line)) \
            if "for" in timing else None
        check_dataclass_params(load_fault(name), params, f"fault {name!r}", self.file, line)
        label = name if name not in [next(iter(f)) for f in siblings[:index]] else f"{name}#{index}"
        return FaultConfig(name, label, params, at, duration, line or 0)

    def step(self, raw: Any, parent: list, index: int, fault_labels: list[str]) -> Step:
        line = line_of(parent, index) or 0
        if isinstance(raw, str):
            return Step(raw, {}, line)
        (kind, params), = raw.items()
        if kind == "wait":
            return Step(kind, self.duration(params, "wait", line), line)
        if kind in ("apply_fault", "remove_fault"):
            label = fault_labels[params] if isinstance(params, int) and 0 <= params < len(fault_labels) else params
            if label not in fault_labels:
                raise ScenarioError(f"{kind}: no fault {params!r} in this scenario", self.file, line, fault_labels)
            return Step(kind, label, line)
        params = check_params(params, STEP_PARAMS[kind], f"step {kind!r}", self.file, line)
        for key in ("timeout", "down_for"):
            if key in params:
                params[key] = self.duration(params[key], f"step {kind}: {key}", line_of(params, key, line))
        return Step(kind, params, line)

    def expectations(self, raw: list) -> tuple[Expectation, ...]:
        out = []
        for i, item in enumerate(raw):
            (kind, params), = item.items()
            line = line_of(raw, i) or 0
            params = check_params(params, SYMPTOM_PARAMS[kind], f"expectation {kind!r}", self.file, line)
            for key, choices in SYMPTOM_CHOICES.items():
                if key in params and not valid_choice(key, params[key]):
                    also = " (or a pair [a, b] of them)" if key in PAIRED else ""
                    raise ScenarioError(f"expectation {kind}: {key} {params[key]!r} is not a valid choice{also}",
                                        self.file, line_of(params, key, line), list(choices))
            for key in [k for k in params if k.endswith("_matches") and isinstance(params[k], str)]:
                try:
                    re.compile(params[key])
                except re.error as exc:   # else the run ends in a traceback when the symptom is checked
                    raise ScenarioError(f"expectation {kind}: {key} {params[key]!r} is not a regular expression "
                                        f"({exc})", self.file, line) from None
            for key in ("at", "tolerance", "for", "within", "window"):
                if key in params:
                    params[key] = self.duration(params[key], f"expectation {kind}: {key}", line_of(params, key, line))
            out.append(Expectation(kind, params, line))
        return tuple(out)

    def check_services(self, case: Case) -> None:
        from ..services import unknown_fields
        for server in case.servers:
            app = server.spec.app
            missing = unknown_fields([*app.argv, *(v for _, v in app.env)], case.services) if app else []
            if missing:
                raise ScenarioError(f"{missing[0]} needs its service in `services:` (e.g. services: [redis])",
                                    self.file, server.line, ["services: [redis]"])

    def check_targets(self, case: Case) -> None:
        for client in case.clients:
            if client.target.startswith("server:") and int(client.target[7:]) >= len(case.servers):
                raise ScenarioError(f"client target {client.target!r}: there are {len(case.servers)} server(s)",
                                    self.file, client.line,
                                    ["proxy", "server", "nowhere"] + [f"server:{i}" for i in range(len(case.servers))])


def _single(raw: Any, key: Any, index: int | None = None) -> LList:
    """`server: x` (or item `index` of the list at `key`) as a one-item list that still knows its line."""
    value = raw[key] if index is None else raw[key][index]
    line = line_of(raw, key) if index is None else line_of(raw[key], index)
    out = LList([value])
    out.line, out.item_lines = line, [line]
    return out


def _proxy_label(proxy: dict) -> str:
    preset = (proxy.get("options") or {}).get("preset")
    return f"{proxy['kind']}({preset})" if preset else proxy["kind"]


def _fault_label(fault: dict) -> str:
    (name, params), = fault.items()
    inner = ",".join(f"{k}={v}" for k, v in (params or {}).items() if k not in ("at", "for", "proxy"))
    return f"{name}({inner})" if inner else name


def _with_peer(raw: Any, peer: str, line: int | None) -> Any:
    """The scenario's peer with a matrix cell's version, marked with the line of that version."""
    if isinstance(raw, str) or raw == "?":
        return peer
    out = LMap(raw)
    out.line, out.key_lines = line_of(raw) or line, {**getattr(raw, "key_lines", {}), "peer": line}
    out["peer"] = peer
    out.pop("command", None)
    return out


def _lined(items: list, lines: list) -> LList:
    out = LList(items)
    out.line, out.item_lines = lines[0] if lines else 0, lines
    return out
