"""Valid scenario files: shorthands, matrices, controls, durations."""

import pytest

from harness.scenario import Duration, load_cases, parse_duration


def _load(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return load_cases(path)


BASE = "name: s\ndoc: the doc\nserver: node@4.8.1\nclient: node@2.4.0\n"


def test_fault_free_scenario_without_control_is_a_baseline(tmp_path):
    (case,) = _load(tmp_path, BASE + "expect:\n  - connected: {}\n")
    assert case.cause == "baseline" and case.control is None
    assert case.servers[0].spec.label == "node@4.8.1" and case.clients[0].spec.version == "2.4.0"
    assert [s.kind for s in case.steps] == ["connect", "wait_for"]


def test_control_overrides_merge_options_and_replace_peers(tmp_path):
    text = ("name: s\ndoc: d\nserver: {peer: node@4.8.1, options: {pingInterval: 100}}\nclient: node@2.4.0\n"
            "expect:\n  - connected: {}\ncontrol:\n  server: {options: {allowEIO3: true}}\n  client: node@4.8.1\n"
            "  expect:\n    - never_connects: {}\n")
    (case,) = _load(tmp_path, text)
    assert case.cause == "pair"
    control = case.control
    assert control.is_control and control.case_id == "s#control"
    assert control.servers[0].options == {"pingInterval": 100, "allowEIO3": True}
    assert control.clients[0].spec.label == "node@4.8.1"
    assert [e.kind for e in control.control_expect] == ["never_connects"]


def test_a_control_without_fault_must_name_a_peer(tmp_path):
    from harness.errors import ScenarioError
    with pytest.raises(ScenarioError, match="compatible"):
        _load(tmp_path, BASE + "expect:\n  - connected: {}\ncontrol:\n  expect: []\n")


def test_matrix_expands_cells_with_overrides(tmp_path):
    text = (BASE + "matrix:\n  server: [node@3.1.2, node@4.8.1]\n  client: [node@2.4.0, node@2.5.0]\n"
            "  cells:\n    - server: node@3.1.2\n      client: node@2.5.0\n      expect: [never_connects: {}]\n"
            "expect:\n  - connected: {}\n")
    cases = _load(tmp_path, text)
    assert [c.case_id for c in cases] == [
        "s[server=node@3.1.2,client=node@2.4.0]", "s[server=node@3.1.2,client=node@2.5.0]",
        "s[server=node@4.8.1,client=node@2.4.0]", "s[server=node@4.8.1,client=node@2.5.0]"]
    assert cases[1].expect[0].kind == "never_connects"
    assert cases[0].expect[0].kind == "connected"
    assert cases[2].servers[0].spec.version == "4.8.1" and cases[3].clients[0].spec.version == "2.5.0"


def test_faults_get_a_control_without_faults(tmp_path):
    text = BASE + "faults:\n  - toxic: {type: latency, attributes: {latency: 50}, at: 1s, for: 2 heartbeats}\n" \
                  "expect:\n  - connected: {}\n"
    (case,) = _load(tmp_path, text)
    assert case.cause == "fault" and case.control.faults == ()
    fault = case.faults[0]
    assert fault.at == Duration(seconds=1) and fault.duration == Duration(heartbeats=2)
    assert fault.params == {"type": "latency", "attributes": {"latency": 50}}


@pytest.mark.parametrize("text,expected", [
    (3, Duration(seconds=3)), ("250ms", Duration(seconds=0.25)), ("2s", Duration(seconds=2)),
    ("1m", Duration(seconds=60)), ("1.5 heartbeats", Duration(heartbeats=1.5)), ("1 heartbeat", Duration(heartbeats=1)),
])
def test_durations(text, expected):
    assert parse_duration(text) == expected


def test_heartbeat_durations_resolve_against_the_advertised_heartbeat():
    assert parse_duration("1.5 heartbeats").resolve(30.0) == 45.0
    assert parse_duration("2s").resolve(30.0) == 2.0


@pytest.mark.parametrize("bad", ["soon", -1, True, "3 fortnights"])
def test_bad_durations(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_the_shipped_catalogue_loads():
    from harness.collect import collect
    cases, errors = collect(["scenarios"])
    assert not errors, [str(e.error) for e in errors]
    assert len(cases) >= 20
    assert all(c.control is not None or c.cause == "baseline" for c in cases)


def test_matrix_and_control_set_every_node_of_a_multi_node_setup(tmp_path):
    text = ("name: s\ndoc: d\nservers: [node@4.8.1, node@4.8.1]\nclient: node@4.8.1\n"
            "matrix:\n  server: [node@2.4.1]\n  fault:\n    - toxic: {type: latency}\n    - down: {}\n"
            "expect:\n  - connected: {}\ncontrol:\n  server: {options: {allowEIO3: true}}\n")
    cases = _load(tmp_path, text)
    assert [c.case_id for c in cases] == ["s[server=node@2.4.1,fault=toxic(type=latency)]",
                                          "s[server=node@2.4.1,fault=down]"]
    assert [s.spec.version for s in cases[0].servers] == ["2.4.1", "2.4.1"]
    assert [f.name for f in cases[1].faults] == ["down"]
    assert all(s.options == {"allowEIO3": True} for s in cases[0].control.servers)


def test_matrix_proxy_axis_replaces_the_proxy_list(tmp_path):
    text = (BASE + "proxies: [{kind: http}]\nmatrix:\n  proxy:\n    - {kind: toxiproxy}\n"
            "    - {kind: nginx, options: {preset: nginx-correct}}\nexpect:\n  - connected: {}\n")
    cases = _load(tmp_path, text)
    assert [c.case_id for c in cases] == ["s[proxy=toxiproxy]", "s[proxy=nginx(nginx-correct)]"]
    assert [(p.kind, p.options) for p in cases[1].proxies] == [("nginx", {"preset": "nginx-correct"})]
