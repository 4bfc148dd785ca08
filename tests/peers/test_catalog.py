"""Peer specs: what a scenario's `peer:` string runs, and why a machine cannot run it."""

import dataclasses

import pytest

from harness.errors import ScenarioError
from harness.peers import resolve_peer, unavailable_reason


def test_node_specs_resolve_to_the_aliased_package():
    spec = resolve_peer("node@3", "client")          # a unique prefix is enough
    assert spec.label == "node@3.1.3" and spec.argv[-1] == "sioc-3.1.3" and spec.argv[1].endswith("client.js")
    assert resolve_peer("node@2.4.1", "server").argv[-1] == "sio-2.4.1"


def test_an_ambiguous_or_unknown_version_lists_the_choices():
    with pytest.raises(ScenarioError) as info:
        resolve_peer("node@2", "client")           # 2.4.0 and 2.5.0
    assert "node@2.4.0" in info.value.choices and "browser@4.8.1" in info.value.choices
    with pytest.raises(ScenarioError):
        resolve_peer("plain-ws", "client")         # a server only


def test_a_missing_package_or_browser_is_a_reason_to_skip(monkeypatch):
    spec = resolve_peer("node@4.8.1", "server")
    assert unavailable_reason(spec) is None
    ghost = dataclasses.replace(spec, argv=spec.argv[:-1] + ("sio-0.0.0",))
    assert "sio-0.0.0 is not installed" in unavailable_reason(ghost)
    from harness.peers.browser import _chromium
    monkeypatch.setattr(_chromium, "CHROMIUM", "/nonexistent/chromium")
    reason = unavailable_reason(resolve_peer("browser@4.8.1", "client"))
    assert reason and "/nonexistent/chromium not found" in reason


def test_the_2_4_0_cors_versions_resolve_and_2_4_is_ambiguous():
    assert resolve_peer("node@2.4.0", "server").argv[-1] == "sio-2.4.0"     # origins [] by default
    assert resolve_peer("node@2.3.0", "server").argv[-1] == "sio-2.3.0"
    assert resolve_peer("browser@2.3.0", "client").argv[-1] == "sioc-2.3.0"
    with pytest.raises(ScenarioError) as info:
        resolve_peer("node@2.4", "server")         # 2.4.0 and 2.4.1
    assert "node@2.4.0" in info.value.choices and "node@2.4.1" in info.value.choices
