"""Write a results document to the files a command was asked for (--json, --html, --junit) and say
where each went: one place for `run`, `matrix`, `report` and `check`."""

from __future__ import annotations

from typing import Callable

__all__ = ["write_outputs"]


def write_outputs(document: dict, *, json_path=None, html_path=None, junit_path=None,
                  html: Callable[[str, dict], None] | None = None) -> None:
    """html: the page writer (default the run report; `sockfault matrix` passes its grid page)."""
    from ._html import write_html
    from ._json import write_json
    from ._junit import write_junit

    for path, writer, label in ((json_path, write_json, "JSON"), (html_path, html or write_html, "HTML"),
                                (junit_path, write_junit, "JUnit")):
        if path:
            writer(path, document)
            print(f"{label}: {path}")
