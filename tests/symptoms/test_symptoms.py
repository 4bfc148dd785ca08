"""Each matcher against hand-built timelines: it finds the evidence, or says what it saw instead."""

import pytest

from harness.errors import SymptomMismatch
from harness.scenario import parse_duration
from harness.symptoms import Observation, check
from harness.timeline import Timeline


def _handshake(tl, t=0.1, interval=500, timeout=200):
    tl.at(t, "client:0", "handshake", sid="s", pingInterval=interval, pingTimeout=timeout, upgrades=["websocket"])


def test_connected_follows_the_upgrade(tl):
    tl.at(0.1, "client:0", "connect", id="a", transport="polling")
    tl.at(0.2, "client:0", "upgrade", transport="websocket")
    obs = tl.observe()
    assert "now websocket" in check("connected", obs, {"transport": "websocket"}).text
    with pytest.raises(SymptomMismatch, match="final transport websocket"):
        check("connected", obs, {"transport": "polling"})


def test_connected_reports_the_errors_it_saw_instead(tl):
    tl.at(0.1, "client:0", "connect_error", message="xhr poll error", description=400)
    with pytest.raises(SymptomMismatch) as info:
        check("connected", tl.observe(), {})
    assert "xhr poll error" in str(info.value) and info.value.evidence


def test_connect_error_matches_message_and_description_loosely_typed(tl):
    tl.at(0.1, "client:0", "connect_error", message="xhr poll error", description=400)
    obs = tl.observe()
    assert check("connect_error", obs, {"message": "xhr poll error", "description": "400"})
    with pytest.raises(SymptomMismatch, match="saw client:0 connect_error"):
        check("connect_error", obs, {"message": "xhr poll error", "description": 404})
    assert check("connect_error", obs, {"message_contains": "poll"})


def test_never_connects(tl):
    tl.at(0.1, "client:0", "connect_error", message="timeout")
    assert check("never_connects", tl.observe(), {})
    tl.at(0.2, "client:0", "connect", id="x", transport="websocket")
    with pytest.raises(SymptomMismatch):
        check("never_connects", tl.observe(), {})


def test_disconnect_window_is_relative_to_the_advertised_heartbeat(tl):
    _handshake(tl, 0.1, 500, 200)                    # heartbeat 0.7 s
    tl.at(0.81, "client:0", "disconnect", reason="ping timeout")
    obs = tl.observe()
    params = {"reason": "ping timeout", "at": parse_duration("1 heartbeat")}
    assert "expected 0.70±0.30 s after handshake" in check("disconnect", obs, params).text
    late = {"reason": "ping timeout", "at": parse_duration("1 heartbeat"), "tolerance": parse_duration("50ms")}
    with pytest.raises(SymptomMismatch, match=r"at 0\.71 s"):
        check("disconnect", obs, dict(late, at=parse_duration("1.5 heartbeats")))


def test_disconnect_from_last_ping_times_the_deadline_from_the_last_ping_before_it(tl):
    """Engine.IO 4: each received ping restarts the client's pingInterval + pingTimeout deadline. A loaded
    run whose block started after two pings must be timed from the second, not from the handshake."""
    _handshake(tl, 0.1, 500, 200)                    # heartbeat 0.7 s
    tl.at(0.6, "client:0", "ping")
    tl.at(1.1, "client:0", "ping")
    tl.at(1.81, "client:0", "disconnect", reason="ping timeout")
    tl.at(2.0, "client:0", "ping")                   # after the disconnect: not the anchor
    obs = tl.observe()
    params = {"reason": "ping timeout", "at": parse_duration("1 heartbeat"), "tolerance": parse_duration("50ms")}
    with pytest.raises(SymptomMismatch, match=r"after handshake.*at 1\.71 s"):
        check("disconnect", obs, params)
    assert "0.71 s, expected 0.70±0.05 s after its last ping" in check("disconnect", obs, dict(params, **{"from": "last_ping"})).text


def test_disconnect_from_last_ping_without_pings_is_from_the_handshake(tl):
    _handshake(tl, 0.1, 500, 200)
    tl.at(0.8, "client:0", "disconnect", reason="ping timeout")
    params = {"reason": "ping timeout", "at": parse_duration("1 heartbeat"), "from": "last_ping"}
    assert "after handshake" in check("disconnect", tl.observe(), params).text


def test_disconnect_from_a_pair_lies_between_the_command_and_the_handshake(tl):
    """A TCP proxy's lifetime cap counts from its accept, somewhere between the runner's connect command
    and the client's handshake (0.3 s apart in a loaded run): the cut may land anywhere in between + at."""
    tl.at(0.1, "runner", "connect", client=0, url="http://x")
    _handshake(tl, 0.5, 500, 200)
    tl.at(1.72, "client:0", "disconnect", reason="transport close")
    obs = tl.observe()
    params = {"reason": "transport close", "at": parse_duration("1.5s"), "tolerance": parse_duration("0.15s")}
    with pytest.raises(SymptomMismatch, match=r"at 1\.22 s"):          # from the handshake alone: too early
        check("disconnect", obs, params)
    pair = dict(params, **{"from": ["command", "handshake"]})
    assert "at 1.22 .. 1.62 s, expected 1.50±0.15 s after the connect command .. handshake" in check("disconnect", obs, pair).text
    for cut, saw in ((1.44, "0.94 .. 1.34 s"), (2.16, "1.66 .. 2.06 s")):   # before command + 1.35, after handshake + 1.65
        now = [0.0]
        other = Timeline(lambda: now[0])
        for t, source, kind, data in ((0.1, "runner", "connect", {"client": 0}),
                                      (0.5, "client:0", "handshake", {"pingInterval": 500, "pingTimeout": 200}),
                                      (cut, "client:0", "disconnect", {"reason": "transport close"})):
            now[0] = t
            other.add(source, kind, data)
        with pytest.raises(SymptomMismatch, match=saw.replace(".", r"\.")):
            check("disconnect", Observation(other, 3000), pair)
    with pytest.raises(SymptomMismatch, match="from one of"):
        check("disconnect", obs, dict(params, **{"from": ["command", "bogus"]}))


def test_disconnect_wrong_reason_names_what_was_seen(tl):
    _handshake(tl)
    tl.at(0.3, "server:0", "disconnect", id="a", reason="transport close")
    with pytest.raises(SymptomMismatch) as info:
        check("disconnect", tl.observe(), {"reason": "ping timeout"})
    assert "transport close" in str(info.value)


def test_disconnect_side_and_count(tl):
    _handshake(tl)
    tl.at(1.0, "server:0", "disconnect", reason="transport close")
    tl.at(2.0, "server:0", "disconnect", reason="transport close")
    obs = tl.observe()
    assert check("disconnect", obs, {"side": "server", "min_count": 2, "reason": "transport close"})
    with pytest.raises(SymptomMismatch):
        check("disconnect", obs, {"side": "client"})
    with pytest.raises(SymptomMismatch, match="at least 3"):
        check("disconnect", obs, {"side": "server", "min_count": 3})


def test_no_disconnect_needs_the_whole_window_watched(tl):
    _handshake(tl, 0.1, 500, 200)
    tl.at(0.2, "client:0", "connect", id="a", transport="websocket")
    with pytest.raises(SymptomMismatch, match="watched only"):
        check("no_disconnect", tl.observe(end=1.0), {"for": parse_duration("2 heartbeats")})
    assert check("no_disconnect", tl.observe(end=1.7), {"for": parse_duration("2 heartbeats")})


def test_transport_stays_polling(tl):
    _handshake(tl)
    tl.at(0.2, "client:0", "connect", id="a", transport="polling")
    tl.at(0.3, "client:0", "upgradeError", message="probe error")
    params = {"transport": "polling", "for": parse_duration("1s"), "upgrade_error": True}
    with pytest.raises(SymptomMismatch, match="ended"):
        check("transport_stays", tl.observe(end=0.5), params)
    assert "probe error" in check("transport_stays", tl.observe(end=1.3), params).text
    tl.at(1.4, "client:0", "upgrade", transport="websocket")
    with pytest.raises(SymptomMismatch, match="upgraded to websocket"):
        check("transport_stays", tl.observe(), params)


def test_http_matches_a_json_subset(tl):
    tl.at(0.1, "probe", "http", method="GET", url="http://x/socket.io/?EIO=3", status=400,
          json={"code": 5, "message": "Unsupported protocol version"}, body="{}", content_type="application/json")
    obs = tl.observe()
    assert check("http", obs, {"status": 400, "json": {"code": 5}, "source": "probe"})
    with pytest.raises(SymptomMismatch):
        check("http", obs, {"status": 400, "json": {"code": 1}})
    with pytest.raises(SymptomMismatch):
        check("http", obs, {"status": 400, "source": "proxy"})


def test_event_received_and_lost(tl):
    tl.at(0.1, "client:0", "emitted", name="big", size=2000)
    obs = tl.observe()
    assert check("event_lost", obs, {"name": "big"})
    tl.at(0.2, "server:0", "message", id="a", name="big", size=2000)
    tl.at(0.3, "client:0", "ack", ack="e1", args=[{}])
    obs = tl.observe()
    assert check("event_received", obs, {"name": "big", "size": 2000})
    assert check("event_received", obs, {"ack": "e1"})
    with pytest.raises(SymptomMismatch):
        check("event_lost", obs, {"name": "big"})


def test_reconnected_with_a_new_id(tl):
    tl.at(0.1, "client:0", "connect", id="a", transport="websocket")
    tl.at(1.0, "client:0", "disconnect", reason="ping timeout")
    tl.at(1.5, "client:0", "connect", id="b", transport="websocket")
    obs = tl.observe()
    assert check("reconnected", obs, {"new_id": True})
    with pytest.raises(SymptomMismatch, match="same socket id"):
        check("reconnected", obs, {"new_id": False})


def test_events_after_the_observation_end_are_ignored(tl):
    tl.at(0.1, "client:0", "connect_error", message="timeout")
    tl.at(5.0, "client:0", "connect", id="a", transport="polling")
    assert check("never_connects", tl.observe(end=1.0), {})


def test_event_received_on_any_client_or_server_names_the_sources(tl):
    tl.at(0.1, "client:0", "connect", id="a", transport="websocket")
    tl.at(0.1, "client:1", "connect", id="b", transport="websocket")
    tl.at(0.2, "client:1", "event", name="news", size=4)
    tl.at(0.3, "server:1", "message", id="b", name="up", size=2)
    obs = tl.observe()
    with pytest.raises(SymptomMismatch) as info:          # client 0 by default: it never got the event
        check("event_received", obs, {"side": "client", "name": "news"})
    assert "on client:0" in str(info.value)
    evidence = check("event_received", obs, {"side": "client", "name": "news", "client": "any"})
    assert "on any client (client:0, client:1)" in evidence.text and "client:1: 1" in evidence.text
    assert check("event_received", obs, {"name": "up", "server": "any"})
    with pytest.raises(SymptomMismatch) as info:
        check("event_received", obs, {"side": "client", "name": "news", "client": "any", "min_count": 2})
    text = str(info.value)
    assert "received 2 time(s) on any client (client:0, client:1)" in text and "[client:0: 0, client:1: 1]" in text
    with pytest.raises(SymptomMismatch, match=r"on any server \(server:1\)"):
        check("event_received", obs, {"name": "nope", "server": "any"})


def test_event_received_any_with_no_such_source_says_so(tl):
    tl.at(0.1, "client:0", "ack", ack="e1", args=[])
    obs = tl.observe()
    assert "on any client (client:0)" in check("event_received", obs, {"ack": "e1", "client": "any"}).text
    with pytest.raises(SymptomMismatch, match=r"no server:N on the timeline"):
        check("event_received", obs, {"name": "x", "server": "any"})
    with pytest.raises(SymptomMismatch, match="a number or 'any'"):
        check("event_received", obs, {"name": "x", "server": "all"})


def test_the_loader_takes_client_any_and_rejects_other_words(tmp_path):
    from harness.errors import ScenarioError
    from harness.scenario import load_cases

    body = "name: s\ndoc: d\nserver: node@4.8.1\nclient: node@4.8.1\nexpect:\n  - event_received: {name: n, client: %s}\n"
    path = tmp_path / "s.yaml"
    path.write_text(body % "any")
    (case,) = load_cases(path)
    assert case.expect[0].params["client"] == "any"
    path.write_text(body % "all")
    with pytest.raises(ScenarioError, match=r"s.yaml:6: .*client must be int or 'any', got 'all'"):
        load_cases(path)


def test_http_source_client_is_a_browser_failed_request(tl):
    tl.at(0.1, "proxy:edge", "http", method="GET", url="http://x/socket.io/", status=200, body="open")
    tl.at(0.2, "client:0", "http", method="GET", url="https://127.0.0.1:1/socket.io/?EIO=4",
          error="net::ERR_CERT_AUTHORITY_INVALID", body="net::ERR_CERT_AUTHORITY_INVALID", failed=True)
    obs = tl.observe()
    assert "ERR_CERT" in check("http", obs, {"source": "client", "body": "net::ERR_CERT_AUTHORITY_INVALID"}).text
    with pytest.raises(SymptomMismatch):
        check("http", obs, {"source": "client", "status": 200})
    with pytest.raises(SymptomMismatch):
        check("http", obs, {"source": "proxy", "body_contains": "ERR_CERT"})
