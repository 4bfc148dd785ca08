"""Malformed scenario files fail with their file, line and the valid choices, never a traceback."""

from pathlib import Path

import pytest

from harness.errors import ScenarioError
from harness.scenario import load_cases

BAD = Path(__file__).parent.parent / "fixtures" / "bad"


def _error(name: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_cases(BAD / name)
    return info.value


def test_yaml_syntax_error_names_file_and_line():
    error = _error("syntax-error.yaml")
    assert error.file.endswith("syntax-error.yaml")
    assert error.line in (5, 6)
    assert "YAML syntax error" in str(error)


def test_unknown_key_lists_the_valid_keys():
    error = _error("unknown-key.yaml")
    assert error.line == 4
    assert "'clinet'" in error.message
    assert "client" in error.choices and "servers" in error.choices
    assert str(error).startswith(f"{error.file}:4: ")


def test_unknown_peer_version_lists_installed_versions():
    error = _error("unknown-version.yaml")
    assert error.line == 5
    assert "node@9.9.9" in error.message
    assert "node@4.8.1" in error.choices and "node@2.4.0" in error.choices


def test_wrong_type_names_the_line():
    error = _error("wrong-type.yaml")
    assert error.line == 7
    assert "soon" in str(error)


def test_fault_parameter_choice_is_checked():
    error = _error("bad-fault-choice.yaml")
    assert error.line == 5
    assert "latency" in error.choices and "reset_peer" in error.choices


def test_symptom_parameter_typo():
    error = _error("bad-symptom-key.yaml")
    assert error.line == 6
    assert "whenn" in error.message and "at" in error.choices


def _error_in(tmp_path, text: str) -> ScenarioError:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_cases(path)
    return info.value


def test_unknown_fault_lists_registered_faults(tmp_path):
    error = _error_in(tmp_path, "name: f\ndoc: x\nserver: node@4.8.1\nfaults:\n  - teleport: {}\nexpect:\n  - connected: {}\n")
    assert error.line == 5 and "toxic" in error.choices


def test_duplicate_key(tmp_path):
    error = _error_in(tmp_path, "name: d\ndoc: x\nname: e\nserver: node@4.8.1\nexpect:\n  - connected: {}\n")
    assert error.line == 3 and "duplicate" in error.message


def test_unknown_step_key(tmp_path):
    error = _error_in(tmp_path, "name: s\ndoc: x\nserver: node@4.8.1\nsteps:\n  - emitt: {event: a}\nexpect:\n  - connected: {}\n")
    assert error.line == 5 and "emit" in error.choices


@pytest.mark.parametrize("value", ["nowhere", "[command, nowhere]", "[command]", "[command, handshake, start]"])
def test_disconnect_from_is_one_origin_or_a_pair_of_them(tmp_path, value):
    error = _error_in(tmp_path, "name: s\ndoc: x\nserver: node@4.8.1\nexpect:\n"
                                f"  - disconnect: {{at: 1s, from: {value}}}\n")
    assert error.line == 5 and "command" in error.choices and "handshake" in error.choices
    assert "or a pair [a, b] of them" in error.message


def test_disconnect_from_a_pair_loads(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: s\ndoc: x\nserver: node@4.8.1\nexpect:\n  - disconnect: {at: 1s, from: [command, handshake]}\n")
    case, = load_cases(path)
    assert case.expect[0].params["from"] == ["command", "handshake"]
