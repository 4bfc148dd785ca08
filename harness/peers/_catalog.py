"""Which peers exist on this machine, and the command line that runs each."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from ..errors import ScenarioError

__all__ = ["PEER_FAMILIES", "PeerSpec", "resolve_peer", "page_spec", "installed_peers", "unavailable_reason", "NODE_DIR"]

CLOSED_PORT_FIELD = "{closed_port}"   # in a client's `env` values: a free 127.0.0.1 port nothing listens on
NODE_DIR = Path(__file__).parent / "node"
ROOT = Path(__file__).resolve().parents[2]
LEGACY_PYTHON = ROOT / ".venv-sio4"   # python-socketio 4.x (Engine.IO 3) in its own virtualenv, built by make
JAVA_DIR = Path(__file__).parent / "java"
_NODE_PREFIX = {"server": "sio-", "client": "sioc-"}
_PYTHON_RUNNERS = {
    ("python", "server"): "harness.peers.python.server",
    ("python", "client"): "harness.peers.python.client",
    ("plain-ws", "server"): "harness.peers.python.plain_ws",
    ("plain-http", "server"): "harness.peers.python.plain_http",
}
# every peer family and where it lives: docs/extension-points.md is generated from this table
PEER_FAMILIES = {
    "node": ("server, client", "harness/peers/node/server.js, client.js: socket.io / socket.io-client 1.x-4.x (npm aliases)"),
    "browser": ("client", "harness/peers/browser/client.py: a socket.io-client bundle in headless Chromium (one shared per run: host.py)"),
    "swarm": ("client", "harness/peers/node/swarm.js: option `$count` socket.io-client sockets in one Node process"),
    "python": ("server, client", "harness/peers/python/server.py, client.py: python-socketio (aiohttp)"),
    "plain-ws": ("server", "harness/peers/python/plain_ws.py: a plain WebSocket server (websockets), not Socket.IO"),
    "plain-http": ("server", "harness/peers/python/plain_http.py: a plain HTTP server (aiohttp), not Socket.IO"),
    "java": ("client", "harness/peers/java/: socket.io-client-java 1.x / 2.x (Maven, one jar per version, `make`)"),
    "command": ("server, client", "`command:` any program speaking docs/peer-protocol.md"),
    "app": ("server", "harness/peers/app/: `app:` / `url:` the user's own unmodified app, with hooks (docs/your-app.md)"),
    "page": ("client", "harness/peers/browser/page_client.py: `page:` the app's own page in Chromium, with actions"),
}
_BROWSER_MODULE = "harness.peers.browser.peer"  # a socket.io-client bundle in headless Chromium (the run's shared one)
_PAGE_ARGV = ("-m", "harness.peers.browser.peer", "--page")  # the user's own page in headless Chromium (page_client.py)


@dataclass(frozen=True)
class PeerSpec:
    label: str            # what the report shows: "node@4.8.1", "python@5.18.1", "command:…"
    role: str             # "server" | "client"
    family: str           # "node" | "browser" | "swarm" | "java" | "python" | "plain-ws" | "plain-http" | "command" | "app" | "page"
    version: str          # the package version we expect the peer to report ("" if unknown)
    argv: tuple[str, ...]
    cwd: str | None = None
    max_spares: int = 2   # warm spares worth keeping: a browser peer holds ~0.9 GB, so one
    app: Any = None       # family "app": its AppConfig (harness/peers/app), started once per run, never warm
    env: tuple[tuple[str, str], ...] = ()   # a client's `env:`: extra environment of its process (never warm)


@lru_cache(maxsize=None)
def _node_versions(role: str) -> tuple[str, ...]:
    package = json.loads((NODE_DIR / "package.json").read_text())
    prefix = _NODE_PREFIX[role]
    return tuple(name[len(prefix):] for name in package["dependencies"] if name.startswith(prefix))


@lru_cache(maxsize=None)
def _python_socketio_version() -> str:
    return metadata.version("python-socketio")


@lru_cache(maxsize=None)
def _legacy_python_version() -> str | None:
    """python-socketio 4.x in .venv-sio4, or None when make has not built it."""
    found = sorted(LEGACY_PYTHON.glob("lib/python*/site-packages/python_socketio-*.dist-info"))
    return found[-1].name.removesuffix(".dist-info").split("-")[1] if found else None


def _legacy_python(spec: str, role: str, wanted: str, module: str) -> PeerSpec:
    legacy = _legacy_python_version()
    if legacy is None or not (legacy == wanted or legacy.startswith(wanted + ".")):
        raise ScenarioError(f"python-socketio {wanted} is not installed ({LEGACY_PYTHON.name} has "
                            f"{legacy or 'nothing: run make setup'})", choices=_choices(role))
    return PeerSpec(f"python@{legacy}", role, "python", legacy,
                    (str(LEGACY_PYTHON / "bin" / "python"), "-u", "-m", module), str(ROOT))


@lru_cache(maxsize=None)
def _java_versions() -> tuple[str, ...]:
    """socket.io-client-java versions: the pom's `sioc-<version>` profiles (one jar each)."""
    return tuple(re.findall(r"<id>sioc-([^<]+)</id>", (JAVA_DIR / "pom.xml").read_text()))


def _java_jar(version: str) -> Path:
    return JAVA_DIR / "target" / version / "sockfault-java-peer.jar"


def _choices(role: str) -> list[str]:
    node = [f"node@{v}" for v in _node_versions(role)]
    browser = [f"browser@{v}" for v in _node_versions(role)] if role == "client" else []
    browser += [f"swarm@{v}" for v in _node_versions(role)] if role == "client" else []
    java = [f"java@{v}" for v in _java_versions()] if role == "client" else []
    plain = ["plain-ws", "plain-http"] if role == "server" else []
    legacy = [f"python@{_legacy_python_version()}"] if _legacy_python_version() else []
    return node + browser + java + [f"python@{_python_socketio_version()}"] + legacy + plain + ["{command: ...}"]


def resolve_peer(spec: str | None, role: str, command: str | None = None) -> PeerSpec:
    """Turn "node@4.8.1" / "node@4" / "browser@4.8.1" / "java@2.1.x" / "python" / "plain-ws" / a user command into a PeerSpec."""
    if command:
        return PeerSpec(f"command:{command}", role, "command", "", tuple(shlex.split(command)))
    if not spec:
        raise ScenarioError(f"a {role} needs `peer:` or `command:`", choices=_choices(role))
    family, _, wanted = spec.partition("@")
    if family == "browser" and role == "client":  # the same socket.io-client packages, bundled
        version = _node_version_match(spec, role, wanted)
        return PeerSpec(f"browser@{version}", role, "browser", version,
                        (sys.executable, "-u", "-m", _BROWSER_MODULE, _NODE_PREFIX[role] + version), max_spares=1)
    if family == "swarm" and role == "client":   # many sockets in one process: the same packages
        version = _node_version_match(spec, role, wanted)
        return PeerSpec(f"swarm@{version}", role, "swarm", version,
                        (shutil.which("node") or "node", str(NODE_DIR / "swarm.js"), _NODE_PREFIX[role] + version),
                        str(NODE_DIR))
    if family == "node":
        versions = _node_versions(role)
        matches = [v for v in versions if v == wanted] or [v for v in versions if v.startswith(wanted + ".")]
        if len(matches) != 1:
            raise ScenarioError(f"unknown {role} peer {spec!r}", choices=_choices(role))
        node = shutil.which("node") or "node"
        script = NODE_DIR / ("server.js" if role == "server" else "client.js")
        version = matches[0]
        return PeerSpec(f"node@{version}", role, "node", version,
                        (node, str(script), _NODE_PREFIX[role] + version), str(NODE_DIR))
    if family == "java" and role == "client":  # "java@2.1.x" is "java@2.1"
        versions, wanted = _java_versions(), wanted.removesuffix(".x")
        matches = [v for v in versions if v == wanted] or [v for v in versions if v.startswith(wanted + ".")]
        if len(matches) != 1:
            raise ScenarioError(f"unknown {role} peer {spec!r}", choices=_choices(role))
        java = shutil.which("java") or "java"
        return PeerSpec(f"java@{matches[0]}", role, "java", matches[0],
                        (java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", str(_java_jar(matches[0]))))
    module = _PYTHON_RUNNERS.get((family, role))
    if module is None:
        raise ScenarioError(f"unknown {role} peer {spec!r}", choices=_choices(role))
    if family == "python" and wanted.split(".")[0] == "4":
        return _legacy_python(spec, role, wanted, module)
    version = _python_socketio_version() if family == "python" else ""
    if family == "python" and wanted and not (version == wanted or version.startswith(wanted + ".")):
        raise ScenarioError(f"python-socketio {wanted} is not installed (this machine has {version})",
                            choices=_choices(role))
    label = f"python@{version}" if family == "python" else family
    return PeerSpec(label, role, family, version, (sys.executable, "-u", "-m", module))


def page_spec(page: str) -> PeerSpec:
    """`client: {page: "/"}`: the app's own page (and whatever socket.io-client it bundles) in Chromium."""
    return PeerSpec(f"page:{page}", "client", "page", "", (sys.executable, "-u", *_PAGE_ARGV), max_spares=1)


def _node_version_match(spec: str, role: str, wanted: str) -> str:
    versions = _node_versions(role)
    matches = [v for v in versions if v == wanted] or [v for v in versions if v.startswith(wanted + ".")]
    if len(matches) != 1:
        raise ScenarioError(f"unknown {role} peer {spec!r}", choices=_choices(role))
    return matches[0]


def _browser_unavailable() -> str | None:
    from .browser._chromium import missing_reason  # no playwright import until a browser runs
    return missing_reason()


def unavailable_reason(spec: PeerSpec) -> str | None:
    """Why this machine cannot run the peer (the scenario is then skipped, not failed), or None."""
    if spec.family in ("node", "browser", "swarm"):
        alias = spec.argv[-1]
        if not (NODE_DIR / "node_modules" / alias / "package.json").exists():
            return f"{spec.label}: {alias} is not installed in {NODE_DIR} (run `make setup`)"
    if spec.family in ("browser", "page"):
        missing = _browser_unavailable()
        return f"{spec.label}: {missing}" if missing else None
    if spec.family == "java":
        return _java_unavailable(spec.version)
    return None


def _java_unavailable(version: str) -> str | None:
    """A built jar needs `java` to run; an unbuilt one `mvn` (and `make`) too."""
    built = _java_jar(version).exists()
    tools = [t for t in ("java", "mvn") if not shutil.which(t) and (t == "java" or not built)]
    if tools:
        return f"no JDK/Maven: java@{version} needs {' and '.join(tools)} on PATH (a JDK 11+ and Maven, then make)"
    if not built:
        return f"not built: run make (java@{version}: {_java_jar(version)} is missing)"
    return None


def installed_peers() -> dict[str, list[str]]:
    """role -> each peer with the version really installed (read from node_modules / the venv)."""
    out: dict[str, list[str]] = {}
    for role in ("server", "client"):
        rows = []
        for version in _node_versions(role):
            package = NODE_DIR / "node_modules" / (_NODE_PREFIX[role] + version) / "package.json"
            found = json.loads(package.read_text())["version"] if package.exists() else "NOT INSTALLED (make setup)"
            rows.append(f"node@{version}: {'socket.io' if role == 'server' else 'socket.io-client'} {found}")
        if role == "client":
            missing = _browser_unavailable()
            for version in _node_versions(role):
                package = NODE_DIR / "node_modules" / (_NODE_PREFIX[role] + version)
                state = ("UNAVAILABLE: " + missing if missing else
                         f"socket.io-client {json.loads((package / 'package.json').read_text())['version']} "
                         "(dist/socket.io.js) in headless Chromium" if (package / "dist" / "socket.io.js").exists()
                         else "NOT INSTALLED (make setup)")
                rows.append(f"browser@{version}: {state}")
            for version in _java_versions():
                missing = _java_unavailable(version)
                rows.append(f"java@{version}: " + (f"UNAVAILABLE: {missing}" if missing else
                                                   f"socket.io-client-java {version} ({_java_jar(version)})"))
        rows.append(f"python@{_python_socketio_version()}: python-socketio {_python_socketio_version()}, "
                    f"python-engineio {metadata.version('python-engineio')}")
        if _legacy_python_version():
            rows.append(f"python@{_legacy_python_version()}: python-socketio {_legacy_python_version()} "
                        f"(Engine.IO 3) in {LEGACY_PYTHON.name}")
        if role == "server":
            rows += [f"plain-ws: websockets {metadata.version('websockets')}",
                     f"plain-http: aiohttp {metadata.version('aiohttp')}"]
        out[role] = rows
    return out
