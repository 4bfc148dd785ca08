"""The server option `$http2` is checked when the scenario loads: file:line, the valid choices; no Node."""

import textwrap

import pytest

from harness._http2 import HTTP2_KEYS, check_http2
from harness.errors import ScenarioError
from harness.scenario import load_cases

HEAD = "name: h2\ndoc: x\nclient: node@4.8.1\nexpect: [never_connects: {}]\n"


def _load(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + textwrap.dedent(text))
    return load_cases(path)


def _error(tmp_path, text) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        _load(tmp_path, text)
    return info.value


def test_valid_settings_load_and_reach_the_server_options(tmp_path):
    [case] = _load(tmp_path, """\
        server: {peer: node@4.8.1, options: {$tls: self-signed, $http2: {allowHTTP1: false, enableConnectProtocol: true}}}
        control:
          server: {options: {$http2: {allowHTTP1: true}}}
        """)
    assert case.servers[0].options["$http2"] == {"allowHTTP1": False, "enableConnectProtocol": True}
    assert case.control.servers[0].options["$http2"] == {"allowHTTP1": True}
    [h2c] = _load(tmp_path, "server: {peer: node@4.8.1, options: {$http2: {}}}\n"
                            "control: {server: {options: {$http2: false}}}\n")
    assert h2c.servers[0].options["$http2"] == {} and h2c.control.servers[0].options["$http2"] is False


def test_an_unknown_key_names_its_line_and_the_valid_keys(tmp_path):
    err = _error(tmp_path, """\
        server:
          peer: node@4.8.1
          options:
            $tls: self-signed
            $http2:
              allowHttp1: true
        """)
    assert (err.line, err.choices) == (10, list(HTTP2_KEYS))
    assert "unknown key 'allowHttp1' in server option $http2" in str(err) and str(err).startswith(str(tmp_path))


def test_allow_http1_needs_tls(tmp_path):
    err = _error(tmp_path, "server: {peer: node@4.8.1, options: {$http2: {allowHTTP1: true}}}\n")
    assert err.line == 5 and "needs `$tls: self-signed`" in err.message


def test_a_bad_value_in_the_control_names_the_control_line(tmp_path):
    err = _error(tmp_path, """\
        server: {peer: node@4.8.1, options: {$tls: self-signed, $http2: {}}}
        control:
          server:
            options:
              $http2: {enableConnectProtocol: "yes"}
        """)
    assert err.line == 9 and err.choices == ["true", "false"]


@pytest.mark.parametrize("server, wanted", [
    ("{peer: python, options: {$tls: true, $http2: {}}}", "not a python server"),
    ("{peer: node@4.8.1, options: {$tls: true, $http2: h2}}", "is a mapping (or false)"),
    ("{peer: node@4.8.1, options: {$tls: true, $http2: [allowHTTP1]}}", "is a mapping (or false)"),
])
def test_wrong_kinds(tmp_path, server, wanted):
    err = _error(tmp_path, f"server: {server}\n")
    assert err.line == 5 and wanted in err.message and err.choices


def test_check_http2_directly():
    assert check_http2({}, "python") is None                       # no option: nothing to say, any server
    assert check_http2({"$http2": False}, "python") is None
    assert check_http2({"$http2": {}, "$tls": {"cert": "c", "key": "k"}}, "node") is None
    message, key, _ = check_http2({"$http2": {"allowHTTP1": True}, "$tls": False}, "node")
    assert key == "allowHTTP1" and "h2c" in message
    assert check_http2({"$http2": {"allowHTTP1": 1}, "$tls": True}, "node")[1] == "allowHTTP1"
