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
