"""The matrix without peers: the page's tables as data, the cells chosen, a cell measured from a
timeline, the HTML view, and --shard's deal."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from harness._shard import parse_shard, shard_of
from harness.matrix import Cell, cells, measure, page_says
from harness.matrix._cells import PAYLOADS, case_of
from harness.matrix._run import document
from harness.report._matrix_html import render_matrix_html
from harness.timeline import Timeline


@pytest.mark.parametrize("client,server,eio3,said", [
    ("node@1.7.4", "node@1.7.4", False, "yes"), ("node@1.7.4", "node@2.4.1", False, "no"),
    ("node@2.4.0", "node@4.8.1", False, "no"), ("node@2.4.0", "node@4.8.1", True, "yes"),
    ("node@3.1.3", "node@4.8.1", False, "yes"), ("node@4.8.1", "node@2.5.1", False, "no"),
    ("browser@4.8.1", "node@3.1.2", False, "yes"), ("java@1.0.2", "node@4.8.1", True, "yes"),
    ("java@2.1.0", "node@2.4.1", False, "no"), ("python@5.18.1", "node@4.8.1", False, "not in the page's tables"),
    ("node@4.8.1", "python@5.18.1", False, "not in the page's tables"),
])
def test_the_page_tables(client, server, eio3, said):
    assert page_says(client, server, eio3) == said


def test_allow_eio3_is_added_only_where_the_page_depends_on_it():
    chosen = cells(["node@2.4.0", "node@4.8.1"], ["node@2.4.1", "node@4.8.1"], ["polling"])
    assert [c.id for c in chosen] == [
        "node@2.4.0 -> node@2.4.1 [polling]", "node@4.8.1 -> node@2.4.1 [polling]",
        "node@2.4.0 -> node@4.8.1 [polling]", "node@2.4.0 -> node@4.8.1 +allowEIO3 [polling]",
        "node@4.8.1 -> node@4.8.1 [polling]"]


def test_a_cell_is_a_real_case_with_its_options():
    case = case_of(Cell("node@2.4.0", "node@4.8.1", "websocket", allow_eio3=True), ["ascii", "utf8"])
    assert case.servers[0].options == {"allowEIO3": True}
    assert case.clients[0].options == {"reconnection": False, "transports": ["websocket"]}
    emits = [s.params for s in case.steps if s.kind == "emit"]
    assert [e["args"] for e in emits] == [["ascii", PAYLOADS["ascii"]], ["utf8", PAYLOADS["utf8"]]]


def _result(events, verdict="not reproduced"):
    tl = Timeline()
    for source, kind, data in events:
        tl.add(source, kind, data)
    return SimpleNamespace(verdict=verdict, reason="", duration_s=1.0, main=SimpleNamespace(timeline=tl, skipped=None))


def test_a_corrupted_utf8_payload_is_measured():
    sent = ["utf8", PAYLOADS["utf8"]]
    result = _result([
        ("client:0", "connect", {"transport": "polling"}),
        ("server:0", "message", {"name": "echo", "args": ["ascii", PAYLOADS["ascii"]]}),
        ("client:0", "event", {"name": "echo", "args": ["ascii", PAYLOADS["ascii"]]}),
        ("client:0", "ack", {"ack": "ascii"}),
        ("server:0", "message", {"name": "echo", "args": ["utf8", "hÃ©llo"]}),
        ("client:0", "event", {"name": "echo", "args": sent}),
        ("client:0", "ack", {"ack": "utf8"}),
    ])
    m = measure(Cell("node@1.7.4", "node@2.4.1", "polling"), result, ["ascii", "utf8"])
    assert not m.works and m.payloads["ascii"] == {"to_server": "intact", "to_client": "intact", "ack": "yes"}
    assert m.payloads["utf8"]["to_server"] == "corrupted" and "utf8: corrupted" in m.symptom
    assert m.agrees is True          # the page says no, and polling indeed breaks


def test_a_refused_connection_names_its_error():
    m = measure(Cell("node@4.8.1", "node@2.4.1", "default"),
                _result([("client:0", "connect_error", {"message": "server error"})]), ["ascii"])
    assert m.result == "fails" and "server error" in m.symptom and m.agrees is True


def test_the_html_marks_and_explains_disagreements():
    works = measure(Cell("node@1.7.4", "node@2.4.1", "websocket"), _result([
        ("client:0", "connect", {"transport": "websocket"}),
        ("server:0", "message", {"name": "echo", "args": ["ascii", PAYLOADS["ascii"]]}),
        ("client:0", "event", {"name": "echo", "args": ["ascii", PAYLOADS["ascii"]]}),
        ("client:0", "ack", {"ack": "ascii"})]), ["ascii"])
    doc = document([works], {"payloads": ["ascii"]})
    assert doc["summary"]["disagree_with_page"] == 1 and doc["schema"] == "sockfault-matrix/1"
    page = render_matrix_html(doc)
    assert "&ne; page" in page and "the page says NO, but the client connects over websocket" in page
    assert "Swift client" in page and "not measured here" in page


def test_shards_are_stable_complete_and_balanced():
    ids = [f"case-{i}" for i in range(40)]
    durations = {f"case-{i}": float(1 + i % 7) for i in range(35)}        # 5 unknown: the median
    shards = [shard_of(ids, k, 4, durations) for k in (1, 2, 3, 4)]
    assert set().union(*shards) == set(ids) and sum(map(len, shards)) == len(ids)
    assert shards == [shard_of(list(reversed(ids)), k, 4, durations) for k in (1, 2, 3, 4)]   # order-free
    loads = [sum(durations.get(i, 4.0) for i in s) for s in shards]
    assert max(loads) - min(loads) <= 7.0, loads                              # at most one case apart


@pytest.mark.parametrize("text", ["0/2", "3/2", "2", "a/b", ""])
def test_a_bad_shard_says_how(text):
    with pytest.raises(ValueError, match="K/N"):
        parse_shard(text)


def test_the_default_peers_are_the_installed_node_python_java_ones(monkeypatch):
    import harness.peers as peers
    from harness.matrix.cli import _installed
    monkeypatch.setattr(peers, "installed_peers", lambda: {"client": [
        "node@4.8.1: socket.io-client 4.8.1", "browser@4.8.1: socket.io-client 4.8.1 in headless Chromium",
        "java@1.0.2: UNAVAILABLE: no JDK/Maven", "java@2.1.2: socket.io-client-java 2.1.2 (x.jar)",
        "python@5.18.1: python-socketio 5.18.1", "node@1.7.4: socket.io-client NOT INSTALLED (make setup)"]})
    assert _installed("client") == ["node@4.8.1", "java@2.1.2", "python@5.18.1"]
