"""Find scenario files and load them; a broken file becomes a load error, not a crash."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ScenarioError
from .scenario import Case, load_cases

__all__ = ["LoadError", "collect", "keyword_matches", "scenario_files"]


@dataclass
class LoadError:
    file: str
    error: ScenarioError


def scenario_files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*.y*ml") if p.suffix in (".yaml", ".yml"))
        elif path.exists():
            out.append(path)
        else:
            raise FileNotFoundError(f"no such file or directory: {raw}")
    return out


def collect(paths: list[str]) -> tuple[list[Case], list[LoadError]]:
    cases, errors = [], []
    for path in scenario_files(paths):
        try:
            cases += load_cases(path)
        except ScenarioError as exc:
            errors.append(LoadError(str(path), exc))
    return cases, errors


_TOKEN = re.compile(r"\(|\)|[^\s()]+")


def keyword_matches(expression: str, name: str) -> bool:
    """pytest-style -k: words are substrings of the case id, joined by and / or / not / parentheses."""
    parts = []
    for token in _TOKEN.findall(expression):
        if token in ("and", "or", "not", "(", ")"):
            parts.append(token)
        else:
            parts.append(repr(token.lower() in name.lower()))
    try:
        return bool(eval(" ".join(parts) or "True", {"__builtins__": {}}))  # only True/False/and/or/not
    except SyntaxError:
        raise ValueError(f"bad -k expression: {expression!r}") from None
