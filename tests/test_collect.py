import pytest

from harness.collect import collect, keyword_matches


@pytest.mark.parametrize("expr,name,expected", [
    ("mismatch", "version-mismatch[server=node@4.8.1]", True),
    ("mismatch and not 4.8.1", "version-mismatch[server=node@4.8.1]", False),
    ("(curl or path) and not faithful", "path-mismatch", True),
    ("NODE@4", "x[server=node@4.8.1]", True),
])
def test_keyword_expressions(expr, name, expected):
    assert keyword_matches(expr, name) is expected


def test_bad_keyword_expression():
    with pytest.raises(ValueError):
        keyword_matches("a and", "a")


def test_broken_files_do_not_stop_the_others(tmp_path):
    (tmp_path / "good.yaml").write_text("name: g\ndoc: d\nserver: node@4.8.1\nexpect:\n  - connected: {}\n")
    (tmp_path / "bad.yaml").write_text("name: b\ndoc: d\nserver: node@4.8.1\nexpct: []\n")
    cases, errors = collect([str(tmp_path)])
    assert [c.name for c in cases] == ["g"]
    assert len(errors) == 1 and errors[0].error.line == 4 and "expect" in errors[0].error.choices
