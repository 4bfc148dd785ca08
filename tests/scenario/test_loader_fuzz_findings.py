"""What fuzzing the loader found (tests/fuzz/test_fuzz_loader.py), pinned: a matrix with no server
anywhere gave a TypeError or an "unknown server peer '?'" without a line; empty pairs, no case."""

import pytest

from harness.errors import ScenarioError
from harness.scenario import load_cases


def _error(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_cases(path)
    return info.value


@pytest.mark.parametrize("matrix, line", [("matrix: {}\n", 3), ("matrix:\n  client: [node@4.8.1]\n", 3)])
def test_a_matrix_without_servers_says_a_server_is_needed(tmp_path, matrix, line):
    error = _error(tmp_path, "name: a\ndoc: x\n" + matrix + "expect:\n  - connected: {}\n")
    assert error.line == line and "needs a `server`" in error.message and "servers" in error.choices
    assert "'?'" not in str(error)


def test_empty_pairs_is_an_error_not_zero_cases(tmp_path):
    error = _error(tmp_path, "name: a\ndoc: x\nserver: node@4.8.1\nmatrix:\n  pairs: []\nexpect:\n  - connected: {}\n")
    assert error.line == 5 and "empty" in error.message


def test_an_unknown_int_key_beside_a_str_key_is_named_not_a_traceback(tmp_path):
    """2,000-example fuzz run, 2026-12-03: sorting {1, 'b'} raised TypeError."""
    error = _error(tmp_path, "name: x\ndoc: y\n1: a\nb: c\nserver: node@4.8.1\nexpect: [connected: {}]\n")
    assert error.line == 3 and "unknown key 1" in error.message and "server" in error.choices


def test_an_expectation_with_mixed_key_types_is_named_not_a_traceback(tmp_path):
    error = _error(tmp_path, "name: x\ndoc: y\nserver: node@4.8.1\nexpect: [{1: a, b: c}]\n")
    assert error.line == 4 and "needs exactly one key, got [1, 'b']" in error.message
