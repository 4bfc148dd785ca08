"""The pytest plugin: YAML files under scenarios/ (or *.sockfault.yaml) become items; failures name file:line."""

import json

import pytest

pytest_plugins = ["pytester"]

GOOD = """\
name: pair
doc: d
server: node@4.8.1
client: {peer: node@2.4.0, options: {transports: [polling], reconnection: false}}
matrix:
  client: [node@2.4.0, node@2.5.0]
expect:
  - connect_error: {message: xhr poll error, description: 400}
control:
  server: {options: {allowEIO3: true}}
  expect: [connected: {}]
"""


def test_a_broken_file_is_one_failing_item_with_file_and_line(pytester):
    pytester.makefile(".yaml", **{"scenarios/broken": "name: b\ndoc: d\nserver: node@4.8.1\nexpct: []\n"})
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*scenarios/broken.yaml:4: unknown key 'expct'*valid: *expect*"])
    assert "Traceback" not in result.stdout.str()


def test_yaml_outside_a_scenarios_folder_is_not_collected(pytester):
    pytester.makefile(".yaml", config="a: 1\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_a_sockfault_yaml_is_collected_anywhere(pytester):
    (pytester.path / "checks" / "deep").mkdir(parents=True)
    (pytester.path / "checks" / "deep" / "pair.sockfault.yaml").write_text(GOOD)
    (pytester.path / "single.sockfault.yml").write_text(GOOD.replace("matrix:\n  client: [node@2.4.0, node@2.5.0]\n", ""))
    result = pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*checks/deep/pair.sockfault.yaml::pair[[]client=node@2.4.0[]]",
                                 "*checks/deep/pair.sockfault.yaml::pair[[]client=node@2.5.0[]]",
                                 "*single.sockfault.yml::pair"])


def test_the_ini_option_adds_scenario_folders(pytester):
    pytester.makeini("[pytest]\nsockfault_scenario_dirs =\n    socketio-cases\n    more\n")
    pytester.makefile(".yaml", **{"socketio-cases/pair": GOOD, "other/pair": GOOD})
    result = pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*socketio-cases/pair.yaml::pair[[]client=node@2.4.0[]]"])
    assert "other/pair.yaml" not in result.stdout.str()


def test_a_yaml_named_on_the_command_line_but_not_collected_says_why(pytester):
    pytester.makefile(".yaml", **{"cases/pair": GOOD})
    result = pytester.runpytest("cases/pair.yaml", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*pair.yaml is not collected as a sockfault scenario: a sockfault scenario is a "
                                 ".yaml/.yml file under a folder named `scenarios/`*sockfault_scenario_dirs*"
                                 "*.sockfault.yaml*rename it pair.sockfault.yaml*"])
    assert "Traceback" not in result.stdout.str()


@pytest.mark.e2e
def test_matrix_cells_are_items_and_failures_show_the_timeline(pytester):
    pytester.makefile(".yaml", **{"scenarios/pair": GOOD.replace("description: 400", "description: 401")})
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider", "--sockfault-json", "out.json")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "*pair.yaml:*: pair[[]client=node@2.4.0[]]: not reproduced*",
        "*line 8: expected connect_error*description*401*",
        "*--- run timeline (last events) ---*",
        "*client:0*connect_error*xhr poll error*",
    ])
    document = json.loads((pytester.path / "out.json").read_text())
    assert sorted(s["scenario"] for s in document["scenarios"]) == [
        "pair[client=node@2.4.0]", "pair[client=node@2.5.0]"]
    assert document["summary"] == {"not reproduced": 2}


@pytest.mark.e2e
def test_reproduced_cells_pass_under_xdist(pytester):
    pytester.makefile(".yaml", **{"scenarios/pair": GOOD})
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider", "-n", "2", "--sockfault-html", "r.html")
    result.assert_outcomes(passed=2)
    html = (pytester.path / "r.html").read_text()
    assert "pair[client=node@2.5.0]" in html and "reproduced" in html


@pytest.mark.e2e
def test_junit_xml_carries_the_verdict_and_evidence_not_the_timeline(pytester):
    from xml.etree import ElementTree as ET
    pytester.makefile(".yaml", **{"scenarios/pair": GOOD})
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider", "-n", "2", "--junitxml", "j.xml",
                                "--sockfault-json", "r.json")
    result.assert_outcomes(passed=2)
    cases = list(ET.parse(pytester.path / "j.xml").getroot().iter("testcase"))
    assert len(cases) == 2
    for case in cases:
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert props["verdict"] == "reproduced" and "xhr poll error" in props["evidence"], props
        assert "sockfault" not in props and "timeline" not in " ".join(props.values())
    assert len(json.loads((pytester.path / "r.json").read_text())["scenarios"]) == 2   # our report keeps it all


@pytest.mark.e2e
def test_pytest_html_shows_each_items_wire_picture_under_xdist(pytester):
    """`pytest --html` (pytest-html): each scenario item carries its run and control on the wire as an extra."""
    pytester.makefile(".yaml", **{"scenarios/pair": GOOD.replace("expect:\n", "proxies: [{name: edge, kind: http}]\nexpect:\n", 1)})
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider", "-n", "2", "--html", "h.html",
                                "--self-contained-html")
    result.assert_outcomes(passed=2)
    html = (pytester.path / "h.html").read_text()
    # pytest-html keeps its rows as JSON in a data attribute: the extras are escaped there
    assert html.count("the control") >= 2 and html.count("&lt;svg") >= 4, html[:2000]
    assert "xhr poll error" in html and "transport=polling" in html     # the 400s the proxy recorded
