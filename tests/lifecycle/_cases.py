"""Scenario files of each kind for the lifecycle tests: each one waits long enough to be interrupted."""

from __future__ import annotations

import textwrap
from pathlib import Path

from _lifecycle import ROOT

APPS = ROOT / "tests" / "apps"

CASES = {
    # a Node pair through our Toxiproxy-compatible TCP proxy
    "toxiproxy": """
        name: lc-toxiproxy
        doc: d
        server: node@4.8.1
        client: {peer: node@4.8.1, options: {transports: [websocket]}}
        proxies: [{name: net, kind: toxiproxy}]
        steps: [connect, wait: 60s]
        expect: [connected: {}]
    """,
    # python-socketio server and client through the mitmproxy-based HTTP proxy
    "http-python": """
        name: lc-http-python
        doc: d
        server: python
        client: python
        proxies: [{name: edge, kind: http}]
        steps: [connect, wait: 60s]
        expect: [connected: {}]
    """,
    # socket.io-client in headless Chromium, through the HTTP proxy
    "browser": """
        name: lc-browser
        doc: d
        server: {peer: node@4.8.1, options: {cors: {origin: "*"}}}
        client: browser@4.8.1
        proxies: [{name: edge, kind: http}]
        steps: [connect, wait: 60s]
        expect: [connected: {}]
    """,
    # nginx and HAProxy in a chain, in front of a Node server
    "nginx-haproxy": """
        name: lc-nginx-haproxy
        doc: d
        server: node@4.8.1
        client: node@4.8.1
        proxies:
          - {name: web, kind: nginx}
          - {name: lb, kind: haproxy, options: {preset: haproxy-cookie}}
        steps: [connect, wait: 60s]
        expect: [connected: {}]
    """,
    # a user's app (Node, with the hook) and a redis service
    "app-redis": f"""
        name: lc-app-redis
        doc: d
        services: [redis]
        server: {{app: "node index.js", cwd: {APPS / 'redis-nodes'}, env: {{PORT: "{{port}}", REDIS_URL: "{{redis_url}}"}}}}
        client: node@4.8.1
        steps: [connect, wait: 60s]
        expect: [connected: {{}}]
    """,
    # a user's Python app (aiohttp + python-socketio, the sitecustomize hook)
    "app-python": f"""
        name: lc-app-python
        doc: d
        server: {{app: "{ROOT / '.venv' / 'bin' / 'python'} app.py", cwd: {APPS / 'python-chat'}, env: {{PORT: "{{port}}"}}}}
        client: python
        steps: [connect, wait: 60s]
        expect: [connected: {{}}]
    """,
}


def write(tmp: Path, kind: str, text: str | None = None) -> Path:
    path = tmp / f"{kind}.yaml"
    path.write_text(textwrap.dedent(text if text is not None else CASES[kind]))
    return path

# a plain WebSocket server and a plain HTTP server (the other server families), and a case that ends at once
CASES.update({
    "plain-ws": """
        name: lc-plain-ws
        doc: d
        server: plain-ws
        client: {peer: node@4.8.1, options: {transports: [websocket]}}
        steps: [connect, wait: 60s]
        expect: [connected: {}]
    """,
    "plain-http": """
        name: lc-plain-http
        doc: d
        server: plain-http
        client: python
        steps: [connect, wait: 60s]
        expect: [connected: {}]
    """,
    "quick": """
        name: lc-quick
        doc: d
        server: node@4.8.1
        client: node@4.8.1
        expect: [connected: {}]
    """,
})


def write_all(tmp: Path, kinds: list[str]) -> Path:
    folder = tmp / "cases"
    folder.mkdir()
    for kind in kinds:
        write(folder, kind)
    return folder
