"""`sockfault run -j`: a number or `auto` (the CPUs this process may use, the default); anything else is a
usage error that names the valid choices."""

import os

import pytest

from harness.cli import _parser, jobs_arg


def test_auto_is_the_cpus_this_process_may_use():
    assert jobs_arg("auto") == len(os.sched_getaffinity(0))
    assert _parser().parse_args(["run"]).jobs == len(os.sched_getaffinity(0))   # the default


def test_a_number_is_taken_as_is():
    assert _parser().parse_args(["run", "-j", "3"]).jobs == 3


@pytest.mark.parametrize("bad", ["0", "-2", "two", ""])
def test_anything_else_is_a_usage_error_naming_the_choices(bad, capsys):
    with pytest.raises(SystemExit) as exit_:
        _parser().parse_args(["run", "-j", bad])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "-j/--jobs" in err and ("auto" in err)
