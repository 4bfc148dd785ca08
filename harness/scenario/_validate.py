"""Schema and parameter checks that turn mistakes into file:line messages with the valid choices."""

from __future__ import annotations

import dataclasses
import json
import typing
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from ..errors import ScenarioError
from ._yaml import line_of

__all__ = ["check_schema", "check_params", "check_dataclass_params", "SCHEMA_PATH"]

SCHEMA_PATH = Path(__file__).with_name("schema.json")


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


def _line_at(raw: Any, path: list) -> int | None:
    node, line = raw, line_of(raw)
    for part in path:
        line = line_of(node, part, line)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return line


def _schema_at(path: list) -> dict:
    """The sub-schema of the object at `path` (for the list of valid keys)."""
    schema = _validator().schema
    defs = schema["$defs"]
    node = schema
    for part in path:
        while "$ref" in node:
            node = defs[node["$ref"].split("/")[-1]]
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    while "$ref" in node:
        node = defs[node["$ref"].split("/")[-1]]
    for option in node.get("oneOf", []):
        while "$ref" in option:   # a cell's control: a $ref to the mapping, or null
            option = defs[option["$ref"].split("/")[-1]]
        if option.get("type") == "object":
            return option
    return node


def check_schema(raw: Any, file: str) -> None:
    errors = sorted(_validator().iter_errors(raw), key=lambda e: (len(e.absolute_path), str(e.absolute_path)))
    if not errors:
        return
    error = _innermost(errors[0])
    path = list(error.absolute_path)
    where = "/".join(str(p) for p in path) or "top level"
    choices: list[str] = []
    if error.validator == "additionalProperties":
        allowed = sorted(_schema_at(path).get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed), key=str)   # YAML keys may be ints, dates, None
        key = unknown[0] if unknown else None
        line = _line_at(raw, path + ([key] if key is not None else []))
        raise ScenarioError(f"unknown key {key!r} in {where}", file=file, line=line, choices=allowed)
    if error.validator == "enum":
        choices = [str(c) for c in error.validator_value]
        raise ScenarioError(f"{where}: {error.instance!r} is not a valid choice", file, _line_at(raw, path), choices)
    if error.validator == "required":
        raise ScenarioError(f"{where}: {error.message}", file, _line_at(raw, path))
    if error.validator in ("minProperties", "maxProperties") and isinstance(error.instance, dict):
        allowed = sorted(_schema_at(path).get("properties", {}))
        raise ScenarioError(f"{where}: needs exactly one key, got {sorted(error.instance, key=str) or 'none'}",
                            file, _line_at(raw, path), allowed)
    if error.validator == "oneOf":
        choices = [error.schema["description"]] if error.schema.get("description") else _alternatives(error)
        raise ScenarioError(f"{where}: {_show(error.instance)} is not valid here", file, _line_at(raw, path),
                            choices)
    if error.validator == "type":
        types = error.validator_value
        choices = [types] if isinstance(types, str) else list(types)
    elif error.validator == "pattern":
        choices = [f"matching {error.validator_value}"]
    elif error.schema.get("description"):
        choices = [error.schema["description"]]
    raise ScenarioError(f"{where}: {error.message}", file, _line_at(raw, path), choices)


_RANK = ("additionalProperties", "minProperties", "maxProperties", "pattern", "type")


def _innermost(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """Inside a oneOf, the error that says what is wrong: a deeper value's (`wait: 2 sec` in a step),
    or a mapping's own problem where a string-or-mapping was allowed."""
    while error.validator == "oneOf" and error.context:
        depth = len(error.absolute_path)
        inner = [c for c in error.context if len(c.absolute_path) > depth
                 or (isinstance(error.instance, dict) and c.validator in _RANK)]
        if not inner:
            break
        error = sorted(inner, key=lambda e: (-len(e.absolute_path), _RANK.index(e.validator)
                                             if e.validator in _RANK else len(_RANK)))[0]
    return error


def _alternatives(error: jsonschema.ValidationError) -> list[str]:
    """What a oneOf allows: the keys of its mapping branch and the values of its enum branch."""
    options = error.validator_value
    return sorted({k for o in options for k in o.get("properties", {})}) + \
        [str(v) for o in options for v in o.get("enum", [])]


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_params(given: Any, allowed: dict[str, type | tuple], what: str, file: str, line: int | None) -> dict:
    """Check a mapping's keys (and simple types) against a table of allowed names."""
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise ScenarioError(f"{what} takes a mapping, got {given!r}", file, line, sorted(allowed))
    for key, value in given.items():
        if key not in allowed:
            raise ScenarioError(f"unknown key {key!r} in {what}", file, line_of(given, key, line), sorted(allowed))
        expected = allowed[key]
        if expected is not object and not isinstance(value, expected):
            names = "/".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
            raise ScenarioError(f"{what}: {key} must be {names}, got {value!r}", file, line_of(given, key, line))
    return dict(given)


def check_dataclass_params(cls: type, given: dict, what: str, file: str, line: int | None) -> dict:
    """Check a fault's parameters against its dataclass: names, required fields, types, Literal choices."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for key, value in given.items():
        if key not in fields:
            raise ScenarioError(f"unknown key {key!r} in {what}", file, line_of(given, key, line), sorted(fields))
        problem = _type_problem(hints[key], value)
        if problem:
            raise ScenarioError(f"{what}: {key} {problem}", file, line_of(given, key, line),
                                _literal_choices(hints[key]))
    missing = [name for name, f in fields.items() if name not in given
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ScenarioError(f"{what}: missing required key {missing[0]!r}", file, line, sorted(fields))
    return dict(given)


def _literal_choices(hint: Any) -> list[str]:
    if typing.get_origin(hint) is typing.Literal:
        return [str(a) for a in typing.get_args(hint)]
    if typing.get_origin(hint) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return [c for arg in typing.get_args(hint) for c in _literal_choices(arg)]
    return []


def _type_problem(hint: Any, value: Any) -> str | None:
    origin = typing.get_origin(hint)
    if hint is Any or hint is object:
        return None
    if origin is typing.Literal:
        return None if value in typing.get_args(hint) else f"must be one of the choices, got {value!r}"
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        problems = [_type_problem(arg, value) for arg in typing.get_args(hint)]
        return None if any(p is None for p in problems) else next(p for p in problems if p)
    if hint is type(None):
        return None if value is None else f"must be null, got {value!r}"
    base = origin or hint
    if base is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return None
    if base is int and isinstance(value, bool):
        return f"must be int, got {value!r}"
    if isinstance(base, type) and not isinstance(value, base):
        return f"must be {base.__name__}, got {value!r}"
    return None
