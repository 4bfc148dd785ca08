"""Compressed time shortens the heartbeat only where a case waits on it (harness/_heartbeat_use.py)."""

import textwrap

import pytest

from harness._heartbeat_use import uses_heartbeat
from harness.scenario import load_cases

CONNECT_ONLY = """
    name: c
    doc: d
    server: {peer: node@4.8.1, options: {cors: {origin: "*"}}}
    client: {peer: node@4.8.1, options: {reconnection: false}}
    proxies: [{name: edge, kind: http}]
    faults:
      - strip_cors: {}
    steps:
      - connect
      - wait_for: {event: [connect, connect_error], timeout: 5s}
      - emit: {event: hi, ack: a1}
      - wait: 300ms
    expect:
      - connect_error: {message: xhr poll error}
    control:
      expect: [connected: {}]
"""


def _case(tmp_path, text: str):
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(text))
    (case,) = load_cases(path)
    return case


def test_a_connect_only_case_keeps_the_real_heartbeat(tmp_path):
    assert uses_heartbeat(_case(tmp_path, CONNECT_ONLY)) is False


@pytest.mark.parametrize("change", [
    ("      - wait: 300ms", "      - wait: 3 heartbeats"),                                     # a wait in heartbeats
    ("timeout: 5s}", "timeout: 5s}\n      - wait_for: {event: disconnect, timeout: 5s}"),   # waits for a disconnect
    ("      - connect_error: {message: xhr poll error}", "      - disconnect: {reason: ping timeout}"),
    ("  expect: [connected: {}]", "  expect: [no_disconnect: {for: 2s}]"),                # in the control only
    ('options: {cors: {origin: "*"}}', "options: {pingTimeout: {$scaled: 20000}}"),         # a compressed value
    ("      - emit: {event: hi, ack: a1}", "      - restart_server: {}"),                   # a step not known free
])
def test_anything_about_the_heartbeat_keeps_it_compressed(tmp_path, change):
    old, new = change
    assert old in CONNECT_ONLY
    assert uses_heartbeat(_case(tmp_path, CONNECT_ONLY.replace(old, new))) is True


def test_a_timer_fault_keeps_it_compressed(tmp_path):
    text = CONNECT_ONLY.replace("      - strip_cors: {}", "      - strip_cors: {}\n      - engine_packets: {types: [ping], action: drop}")
    assert uses_heartbeat(_case(tmp_path, text)) is True


def test_page_actions_and_socket_ids_are_heartbeat_free(tmp_path):
    """two-tabs-two-ids: waits for page actions and checks socket ids; a -j 4 round lost a tab's
    session to the compressed heartbeat before its first poll."""
    text = CONNECT_ONLY.replace("timeout: 5s}", "timeout: 5s}\n      - wait_for: {event: action, source: client, timeout: 5s}")
    text = text.replace("      - connect_error: {message: xhr poll error}", "      - socket_ids: {distinct: true}")
    assert uses_heartbeat(_case(tmp_path, text)) is False


def test_no_disconnect_without_for_is_heartbeat_free_with_for_it_is_not(tmp_path):
    free = CONNECT_ONLY.replace("  expect: [connected: {}]", "  expect: [connected: {}, no_disconnect: {}]")
    assert uses_heartbeat(_case(tmp_path, free)) is False
    timed = CONNECT_ONLY.replace("  expect: [connected: {}]", "  expect: [connected: {}, no_disconnect: {for: 2s}]")
    assert uses_heartbeat(_case(tmp_path, timed)) is True
