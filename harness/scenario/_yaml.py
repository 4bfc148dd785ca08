"""YAML loading that remembers where every value came from, so errors name file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import ScenarioError

__all__ = ["LMap", "LList", "load_yaml", "line_of"]


class LMap(dict):
    """A mapping that knows its own line and the line of each key."""
    line: int = 0
    key_lines: dict


class LList(list):
    line: int = 0
    item_lines: list


class _Loader(yaml.SafeLoader):
    pass


def _convert(node: yaml.Node, loader: _Loader) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = LMap()
        out.line, out.key_lines = node.start_mark.line + 1, {}
        for key_node, value_node in node.value:
            key = _convert(key_node, loader)
            if key in out:
                raise ScenarioError(f"duplicate key {key!r}", line=key_node.start_mark.line + 1)
            out[key] = _convert(value_node, loader)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        out = LList(_convert(item, loader) for item in node.value)
        out.line, out.item_lines = node.start_mark.line + 1, [i.start_mark.line + 1 for i in node.value]
        return out
    return loader.construct_object(node, deep=True)


def load_yaml(path: str | Path) -> Any:
    """Parse one YAML file into LMap/LList trees; syntax errors become ScenarioError with a line."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError("the file is empty", file=str(path), line=1)
        return _convert(node, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ScenarioError(f"YAML syntax error: {exc.problem or exc}", file=str(path), line=line) from None
    except ScenarioError as exc:
        exc.file = str(path)
        raise ScenarioError(exc.message, file=str(path), line=exc.line, choices=exc.choices) from None
    finally:
        loader.dispose()


def line_of(container: Any, key: Any = None, default: int | None = None) -> int | None:
    """The line of `key` inside `container` (or of the container itself)."""
    if key is not None and isinstance(container, LMap) and key in container.key_lines:
        return container.key_lines[key]
    if key is not None and isinstance(container, LList) and isinstance(key, int) and key < len(container.item_lines):
        return container.item_lines[key]
    return getattr(container, "line", None) or default
