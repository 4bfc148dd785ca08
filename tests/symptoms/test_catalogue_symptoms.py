"""unanswered, wire_sequence, transport_names and socket_ids against hand-built timelines."""

import pytest

from harness.errors import SymptomMismatch
from harness.symptoms import SYMPTOM_PARAMS, SYMPTOMS, check


# -- unanswered -----------------------------------------------------------------------------------
def _hello(tl, client, ack, t, answered=True, received=True, sid="s0", args=({"handled": 1},)):
    tl.at(t, f"client:{client}", "emitted", name="hello", ack=ack, size=3)
    if received:
        tl.at(t + 0.001, "server:0", "message", name="hello", id=sid, size=3)
    if answered:
        tl.at(t + 0.002, f"client:{client}", "ack", ack=ack, args=list(args))


def test_unanswered_counts_the_emits_without_an_answer(tl):
    tl.at(0.1, "client:0", "connect", id="s0", transport="polling")
    _hello(tl, 0, "a1", 0.2, answered=False)
    _hello(tl, 0, "a2", 0.3, answered=False)
    _hello(tl, 0, "a3", 0.4)
    obs = tl.observe()
    ev = check("unanswered", obs, {"name": "hello", "min_count": 2, "max_count": 2, "received": True})
    assert "2 of 3 'hello' packet(s) unanswered (a1, a2)" in ev.text and "3 received by the server" in ev.text
    with pytest.raises(SymptomMismatch, match="at least 3"):
        check("unanswered", obs, {"name": "hello", "min_count": 3})
    with pytest.raises(SymptomMismatch, match="at most 0"):
        check("unanswered", obs, {"name": "hello", "max_count": 0})


def test_unanswered_none_lost_is_a_max_count_of_zero_and_absent_by_default(tl):
    tl.at(0.1, "client:0", "connect", id="s0", transport="polling")
    _hello(tl, 0, "a1", 0.2)
    obs = tl.observe()
    assert check("unanswered", obs, {"name": "hello", "max_count": 0}).text.startswith("0 of 1")
    with pytest.raises(SymptomMismatch):          # the control's view: the symptom is absent
        check("unanswered", obs, {"name": "hello"})


def test_an_empty_ack_is_not_an_answer_and_received_tells_lost_on_the_way(tl):
    tl.at(0.1, "client:0", "connect", id="s0", transport="polling")
    _hello(tl, 0, "a1", 0.2, args=())              # python-socketio acks an event it has no handler for
    _hello(tl, 0, "a2", 0.3, answered=False, received=False)
    obs = tl.observe()
    assert check("unanswered", obs, {"name": "hello", "min_count": 2}).text.startswith("2 of 2")
    with pytest.raises(SymptomMismatch, match="received by the server"):
        check("unanswered", obs, {"name": "hello", "received": True})


def test_unanswered_any_client_names_each(tl):
    tl.at(0.1, "client:0", "connect", id="s0", transport="polling")
    tl.at(0.1, "client:1", "connect", id="s1", transport="polling")
    _hello(tl, 0, "a1", 0.2, answered=False)
    _hello(tl, 1, "b1", 0.2, sid="s1")
    ev = check("unanswered", tl.observe(), {"client": "any", "name": "hello"})
    assert "client:0: 1 of 1" in ev.text and "client:1: 0 of 1" in ev.text


def test_unanswered_needs_emits(tl):
    with pytest.raises(SymptomMismatch, match="emitted with an ack"):
        check("unanswered", tl.observe(1), {"name": "hello"})


# -- wire_sequence --------------------------------------------------------------------------------
OPEN = {"type": "open", "open": {"sid": "E1"}}


def _wire(tl, v3=False, ws_connect=False, answer_before_101=True):
    body = [OPEN] + ([{"type": "message", "sio": {"type": "CONNECT", "data": None}}] if v3 else [])
    tl.at(0.10, "proxy:edge", "http", method="GET", transport="polling", sid=None, status=200, ms=5,
          body={"packets": body})
    if not v3:
        tl.at(0.15, "proxy:edge", "http", method="POST", transport="polling", sid="E1", status=200, ms=20,
              sent={"packets": [{"type": "message", "sio": {"type": "CONNECT", "data": {"token": "abc"}}}]})
    answer = {"type": "message", "sio": {"type": "CONNECT", "data": {"sid": "S1"}}}
    t_answer, t_101 = (0.16, 0.17) if answer_before_101 else (0.18, 0.165)
    if not v3 and not ws_connect:
        tl.at(t_answer, "proxy:edge", "http", method="GET", transport="polling", sid="E1", status=200, ms=40,
              body={"packets": [answer]})
    tl.at(t_101, "proxy:edge", "http", method="GET", transport="websocket", sid="E1", status=101, ms=10)
    tl.at(0.20, "proxy:edge", "http", method="GET", transport="polling", sid="E1", status=200, ms=30,
          body={"packets": [{"type": "noop"}]})
    if ws_connect:
        tl.at(0.21, "proxy:edge", "ws_message", **{"from": "server"}, sid="E1", packet=answer)


FIVE = ["eio_handshake", "sio_connect_request", ["sio_connect_response", "websocket"], "poll_closed"]


def test_wire_sequence_five_steps_in_order_with_a_racing_group(tl):
    _wire(tl, answer_before_101=False)
    ev = check("wire_sequence", tl.observe(), {"steps": FIVE, "auth": {"token": "abc"}})
    assert ev.text.index("websocket: 101") < ev.text.index("sio_connect_response")
    assert "auth {'token': 'abc'}" in ev.text and "socket id 'S1'" in ev.text and "noop" in ev.text
    with pytest.raises(SymptomMismatch, match="before the step before it"):   # strictly in the page's order
        check("wire_sequence", tl.observe(), {})


def test_wire_sequence_checks_auth_and_reports_a_missing_step(tl):
    _wire(tl)
    with pytest.raises(SymptomMismatch, match="no sio_connect_request"):
        check("wire_sequence", tl.observe(), {"steps": FIVE, "auth": {"token": "other"}})
    with pytest.raises(SymptomMismatch, match="unknown"):
        check("wire_sequence", tl.observe(), {"steps": ["eio_handshake", "nope"]})


def test_wire_sequence_v3_connect_in_the_handshake_and_over_websocket(tl):
    _wire(tl, v3=True)
    ev = check("wire_sequence", tl.observe(), {"steps": ["eio_handshake", "sio_connect_response", "websocket",
                                                          "poll_closed"], "socket_id": False})
    assert "(no data)" in ev.text
    with pytest.raises(SymptomMismatch, match="no sio_connect_response"):
        check("wire_sequence", tl.observe(), {"steps": ["eio_handshake", "sio_connect_response"]})


def test_wire_sequence_connect_answer_over_the_websocket(tl):
    _wire(tl, ws_connect=True)
    ev = check("wire_sequence", tl.observe(), {"steps": ["eio_handshake", "sio_connect_request",
                                                          "sio_connect_response"]})
    assert "over websocket" in ev.text
    assert check("wire_sequence", tl.observe(), {"steps": ["eio_handshake", "websocket", "poll_closed"]})


def test_poll_closed_is_the_last_poll(tl):
    _wire(tl)
    tl.at(0.30, "proxy:edge", "http", method="GET", transport="polling", sid="E1", status=200, ms=30,
          body={"packets": [{"type": "message"}]})
    ev = check("wire_sequence", tl.observe(), {"steps": ["eio_handshake", "websocket", "poll_closed"]})
    assert "at 0.300 s" in ev.text


# -- transport_names ------------------------------------------------------------------------------
def _names(tl, client_first="polling"):
    tl.at(0.1, "server:0", "connection", id="S1", transport="polling")
    tl.at(0.12, "client:0", "connect", id="S1", transport=client_first)
    if client_first == "polling":
        tl.at(0.2, "client:0", "upgrade", transport="websocket")
    tl.at(0.2, "server:0", "upgrade", id="S1", transport="websocket")


def test_transport_names_both_sides(tl):
    _names(tl)
    ev = check("transport_names", tl.observe(), {})
    assert "client: 'polling' at connect" in ev.text and "server: 'polling' at connection" in ev.text
    with pytest.raises(SymptomMismatch, match="client side"):
        check("transport_names", tl.observe(), {"before": "websocket"})


def test_transport_names_upgrade_before_connect_only_when_allowed(tl):
    _names(tl, client_first="websocket")
    with pytest.raises(SymptomMismatch, match="'websocket', then None"):
        check("transport_names", tl.observe(), {})
    ev = check("transport_names", tl.observe(), {"before": ["polling", "websocket"]})
    assert "already 'websocket' at connect" in ev.text
    assert "server" not in check("transport_names", tl.observe(), {"side": "client",
                                                                   "before": ["polling", "websocket"]}).text


def test_transport_names_needs_the_server_socket(tl):
    tl.at(0.12, "client:0", "connect", id="S1", transport="polling")
    with pytest.raises(SymptomMismatch, match="server connection"):
        check("transport_names", tl.observe(), {"side": "server"})


# -- socket_ids -----------------------------------------------------------------------------------
def test_socket_ids_new_at_each_connect_with_the_same_session(tl):
    for t, sid in ((0.1, "A"), (1.0, "B")):
        tl.at(t, "client:0", "connect", id=sid, transport="websocket")
        tl.at(t + 0.01, "client:0", "event", name="welcome", args=[{"session": "user-42", "id": sid}])
    obs = tl.observe()
    ev = check("socket_ids", obs, {"session_from": "welcome"})
    assert "2 connects, all different ids" in ev.text and "'user-42'" in ev.text
    with pytest.raises(SymptomMismatch, match="the same socket id"):
        check("socket_ids", obs, {"distinct": False})
    with pytest.raises(SymptomMismatch, match="3 connects"):
        check("socket_ids", obs, {"min_count": 3})


def test_socket_ids_session_must_be_there_and_equal(tl):
    tl.at(0.1, "client:0", "connect", id="A")
    tl.at(0.11, "client:0", "event", name="welcome", args=[{"session": None}])
    tl.at(1.0, "client:0", "connect", id="B")
    tl.at(1.01, "client:0", "event", name="welcome", args=[{"session": "x"}])
    with pytest.raises(SymptomMismatch, match="the same 'session'"):
        check("socket_ids", tl.observe(), {"session_from": "welcome"})


def test_socket_ids_across_clients_and_a_kept_id(tl):
    tl.at(0.1, "client:0", "connect", id="A")
    tl.at(0.2, "client:1", "connect", id="B")
    assert "client:1 'B'" in check("socket_ids", tl.observe(), {"client": "any"}).text
    tl.at(0.3, "client:0", "connect", id="A")
    assert check("socket_ids", tl.observe(), {"distinct": False})
    with pytest.raises(SymptomMismatch, match="a new socket id"):
        check("socket_ids", tl.observe(), {"client": "any"})


def test_every_new_symptom_is_registered_with_params():
    for name in ("unanswered", "wire_sequence", "transport_names", "socket_ids"):
        assert name in SYMPTOMS and name in SYMPTOM_PARAMS


@pytest.mark.parametrize("path", [
    "scenarios/delayed-handler-registration/node-v4.yaml", "scenarios/delayed-handler-registration/node-v2.yaml",
    "scenarios/delayed-handler-registration/python.yaml", "scenarios/stuck-in-polling/healthy-connection-v4.yaml",
    "scenarios/stuck-in-polling/healthy-connection-v2.yaml", "scenarios/stuck-in-polling/healthy-connection-python.yaml",
    "scenarios/stuck-in-polling/healthy-connection-browser.yaml",
    "scenarios/socket-id/old-id-messages-recovery.yaml", "scenarios/socket-id/session-id-in-auth.yaml",
    "scenarios/socket-id/page-reload-new-socket-id.yaml", "scenarios/socket-id/two-tabs-two-ids.yaml",
])
def test_the_scenarios_that_use_them_load(path):
    from pathlib import Path

    from harness.scenario import load_cases

    root = Path(__file__).resolve().parents[2]
    cases = load_cases(root / path)
    assert cases and all(c.expect for c in cases)
