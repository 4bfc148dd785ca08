"""The restart-storm pieces without Node or nginx: the reconnect_storm symptom over a made-up timeline,
the restart_server step's and the swarm peer's loading (and their file:line errors), nginx's access log
read onto the timeline."""

import textwrap

import pytest

from harness.errors import ScenarioError, SymptomMismatch
from harness.peers import resolve_peer
from harness.scenario import Duration, load_cases
from harness.symptoms import Observation, check
from harness.timeline import Timeline


def _storm(back_ms: list[float], dropped: int | None = None) -> Timeline:
    """`len(back_ms)` sockets connected, a kill at 1000 ms, socket n back at 1000 + back_ms[n]."""
    tl, clock = Timeline(clock=lambda: 0.0), [0.0]
    tl._clock = lambda: clock[0] / 1000    # a settable clock: events at the times given

    def at(ms, *args):
        clock[0] = ms
        tl.add(*args)

    for n in range(len(back_ms)):
        at(10 + n, "client:0", "connect", {"n": n, "ts": 10 + n})
    at(1000, "runner", "server_killed", {"server": 0})
    for n in range(dropped if dropped is not None else len(back_ms)):
        at(1001, "client:0", "disconnect", {"n": n, "reason": "transport close"})
    for n in range(dropped if dropped is not None else len(back_ms)):     # every attempt at 1500 ms: a herd
        at(1001, "client:0", "reconnect_attempt", {"n": n, "attempt": 1, "ts": 1500})
    for n, ms in sorted((x for x in enumerate(back_ms) if x[1] is not None), key=lambda x: x[1]):
        if ms is not None:
            at(1000 + ms, "client:0", "connect", {"n": n, "ts": 1000 + ms})
    return tl


def _check(tl, **params):
    return check("reconnect_storm", Observation(tl, float("inf")), params)


def test_a_herd_has_a_high_peak_and_a_spread_one_a_low_peak():
    herd = _storm([1500 + i for i in range(50)])                      # 50 back within 50 ms
    spread = _storm([1500 + 40 * i for i in range(50)])               # one every 40 ms
    assert "peak 50 in 100 ms" in _check(herd, min_peak=40).text
    assert "peak 3 in 100 ms" in _check(spread, max_peak=5).text
    with pytest.raises(SymptomMismatch, match="at most 5 reconnects"):
        _check(herd, max_peak=5)
    with pytest.raises(SymptomMismatch, match="at least 40 reconnects"):
        _check(spread, min_peak=40)
    with pytest.raises(SymptomMismatch, match=r"peak 5 in 200 ms"):   # a wider window counts more
        _check(spread, window=Duration(seconds=0.2), max_peak=4)
    assert _check(spread, of="attempts", min_peak=50)                 # they all tried at once all the same
    with pytest.raises(SymptomMismatch, match="at most 10 attempts in any 100 ms.*50 reconnection attempts, peak 50"):
        _check(spread, of="attempts", max_peak=10)
    assert "first delays 499-499 ms, peak 50" in _check(spread, of="delays", min_peak=50).text   # one delay for all
    with pytest.raises(SymptomMismatch, match="at most 10 sockets' delays"):
        _check(spread, of="delays", max_peak=10)


def test_every_dropped_socket_must_be_back_within_the_limit():
    tl = _storm([1500, 1600, None])                                  # the third never came back
    with pytest.raises(SymptomMismatch, match="at least 3 sockets back.*2 of 3 dropped"):
        _check(tl)
    assert _check(tl, min_count=2)
    with pytest.raises(SymptomMismatch, match="within 0.55 s"):
        _check(_storm([500, 600]), within=Duration(seconds=0.55))
    assert "0.50-0.60 s after the kill" in _check(_storm([500, 600]), within=Duration(seconds=0.65)).text


def test_no_kill_or_no_drop_is_no_storm():
    tl = Timeline()
    tl.add("client:0", "connect", {"n": 0})
    with pytest.raises(SymptomMismatch, match="server_killed"):
        _check(tl)
    with pytest.raises(SymptomMismatch, match="sockets dropped by the server kill"):
        _check(_storm([500], dropped=0))


def _load(tmp_path, body: str):
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent("""\
        name: s
        doc: d
        server: node@4.8.1
        client: {peer: swarm@4.8.1, options: {$count: 20}}
        """) + textwrap.dedent(body))
    return load_cases(path)


def test_restart_server_loads_and_a_control_may_name_only_steps(tmp_path):
    case, = _load(tmp_path, """\
        steps:
          - connect
          - restart_server: {down_for: 250ms, signal: TERM}
        expect: [reconnect_storm: {window: 50ms, max_peak: 3}]
        control:
          steps: [connect]
          expect: [no_disconnect: {}]
        """)
    step = case.steps[1]
    assert step.kind == "restart_server" and step.params["down_for"] == Duration(seconds=0.25)
    assert case.expect[0].params["window"] == Duration(seconds=0.05)
    assert [s.kind for s in case.control.steps] == ["connect"] and case.clients[0].spec.family == "swarm"


@pytest.mark.parametrize("body, message, line, choice", [
    ("steps: [restart_server: {signal: HUP}]\nexpect: [connected: {}]\n", "not a valid choice", 5, "KILL"),
    ("steps: [restart_server: {down_for: soon}]\nexpect: [connected: {}]\n", "down_for", 5, None),
    ("steps: [restart_server: {downfor: 1s}]\nexpect: [connected: {}]\n", "downfor", 5, "down_for"),
    ("expect: [reconnect_storm: {peak: 3}]\n", "peak", 5, "max_peak"),
])
def test_bad_restart_and_storm_parameters_name_the_line_and_the_choices(tmp_path, body, message, line, choice):
    with pytest.raises(ScenarioError) as err:
        _load(tmp_path, body)
    text = str(err.value)
    assert message in text and f"s.yaml:{line}" in text
    if choice:
        assert choice in text


def test_swarm_peer_names_the_installed_versions():
    spec = resolve_peer("swarm@4.8", "client")
    assert spec.label == "swarm@4.8.1" and spec.argv[1].endswith("swarm.js") and spec.argv[2] == "sioc-4.8.1"
    with pytest.raises(ScenarioError) as err:
        resolve_peer("swarm@9", "client")
    assert "swarm@4.8.1" in err.value.choices
    with pytest.raises(ScenarioError):
        resolve_peer("swarm@4.8.1", "server")


def test_nginx_access_log_lines_become_http_events(tmp_path):
    from proxies.nginx.link import NginxLink

    tl = Timeline()
    link = NginxLink("edge", {"access_log": True}, tl)
    link.dir, link._offset = tmp_path, 0
    values = link.values([("127.0.0.1", 1)], 2)
    assert "log_format sockfault" in values["ACCESS_LOG"] and str(tmp_path) in values["ACCESS_LOG"]
    assert NginxLink("e", {}, tl).values([("127.0.0.1", 1)], 2)["ACCESS_LOG"] == "access_log off;"
    log = tmp_path / "access.log"
    log.write_text('{"method":"GET","url":"/socket.io/?EIO=4&transport=polling","status":502,"upstream_status":"-"}\n'
                   '{"method":"GET","url":"/socket.io/?EIO=4&sid=x","status":400,"upstream_status":"400"}\n{"meth')
    link._read_log()
    with log.open("a") as f:
        f.write('od":"POST","url":"/","status":200}\n')
    link._read_log()
    events = tl.events("proxy:edge", "http")
    assert [e.data["status"] for e in events] == [502, 400, 200]      # the half-written line once it ends
    assert events[0].data["from"] == "access_log"
    assert check("http", Observation(tl, float("inf")), {"source": "proxy", "status": 502}).events
