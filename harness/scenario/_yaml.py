"""YAML loading that remembers where every value came from, so errors name file:line.

Any file is turned into LMap/LList trees of JSON-like values or a ScenarioError with a line,
quickly: the limits below bound what a hostile or broken file can cost (an alias bomb, a
20 MB file, 100,000 nested brackets). Real scenario files are a few KB, 10 levels deep and
a few hundred values, far below them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

try:
    from yaml._yaml import CParser   # libyaml: the same events and marks, 4-5x faster than the Python scanner
except ImportError:  # a PyYAML built without libyaml
    CParser = None

from ..errors import ScenarioError

__all__ = ["LMap", "LList", "load_yaml", "line_of", "MAX_BYTES", "MAX_DEPTH", "MAX_VALUES"]

MAX_BYTES = 64 * 1024    # file size
MAX_DEPTH = 32           # nested mappings/lists
MAX_VALUES = 5_000       # values in the document, counting every expansion of an alias

_T = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_T + "str", _T + "int", _T + "float", _T + "bool", _T + "null"}
_VALID_TAGS = ["none (plain YAML)", "!!str", "!!int", "!!float", "!!bool", "!!null", "!!seq", "!!map"]


class LMap(dict):
    """A mapping that knows its own line and the line of each key."""
    line: int = 0
    key_lines: dict


class LList(list):
    line: int = 0
    item_lines: list


def _line(node_or_event: Any) -> int:
    return node_or_event.start_mark.line + 1


class _Limits:
    """Mixed into a loader: stop at MAX_DEPTH / MAX_VALUES while composing and refuse recursive aliases."""

    # only JSON-like values: a date-looking plain scalar stays a string, so does `=`
    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_T + "timestamp", _T + "value")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}

    def _init_limits(self) -> None:
        self._depth = self._nodes = 0
        self._open: set[str] = set()   # anchors of the collections being composed

    def fetch_flow_collection_start(self, token_class):
        # (the Python scanner) it reads up to 1024 characters ahead of the composer: stop `[[[[…` here
        if self.flow_level >= MAX_DEPTH:
            raise _too_deep(self.get_mark().line + 1)
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent, index):
        event = self.peek_event()
        self._nodes += 1
        if self._nodes > MAX_VALUES:
            raise _too_many(_line(event))
        if isinstance(event, yaml.AliasEvent) and event.anchor in self._open:
            raise ScenarioError(f"alias *{event.anchor} is inside its own anchor &{event.anchor} "
                                "(a recursive structure)", line=_line(event))
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _too_deep(_line(event))
            if event.anchor is not None:
                self._open.add(event.anchor)
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
                self._open.discard(event.anchor)
        return super().compose_node(parent, index)


class _PyLoader(_Limits, yaml.SafeLoader):
    def __init__(self, stream: str):
        yaml.SafeLoader.__init__(self, stream)
        self._init_limits()


if CParser is not None:
    class _CLoader(_Limits, Composer, CParser, SafeConstructor, Resolver):
        """libyaml's events under the Python composer (CSafeLoader composes in C, past any limit)."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._init_limits()

_Loader = _CLoader if CParser is not None else _PyLoader


def _too_many(line: int) -> ScenarioError:
    return ScenarioError(f"the document has more than {MAX_VALUES} values (counting each use of an alias; "
                         "an alias bomb?)", line=line, choices=[f"at most {MAX_VALUES} values"])


def _too_deep(line: int) -> ScenarioError:
    return ScenarioError(f"mappings and lists are nested more than {MAX_DEPTH} levels deep", line=line,
                         choices=[f"at most {MAX_DEPTH} levels"])


def _tag_error(node: yaml.Node) -> ScenarioError:
    tag = "!!" + node.tag[len(_T):] if node.tag.startswith(_T) else node.tag
    if node.tag == _T + "merge":
        return ScenarioError("merge keys (`<<: *anchor`) are not supported: write the keys out", line=_line(node))
    return ScenarioError(f"unsupported YAML tag {tag!r}", line=_line(node), choices=_VALID_TAGS)


class _Converter:
    """Nodes -> LMap/LList/scalars, counting every value (aliases expand) against MAX_VALUES."""

    def __init__(self, loader: _Limits):
        self.loader, self.values, self.depth = loader, 0, 0

    def convert(self, node: yaml.Node) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise _too_many(_line(node))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:  # an alias can put a deep value deeper still
                raise _too_deep(_line(node))
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node)
            return self.sequence(node)
        finally:
            self.depth -= 1

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise _tag_error(node)
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, KeyError) as exc:  # `!!bool maybe`, `!!int x`, an integer of over 4300 digits
            raise ScenarioError(f"{node.value[:20]!r}…: cannot be read as {node.tag[len(_T):]} ({exc})",
                                line=_line(node)) from None

    def mapping(self, node: yaml.MappingNode) -> LMap:
        if node.tag != _T + "map":
            raise _tag_error(node)
        out = LMap()
        out.line, out.key_lines = _line(node), {}
        for key_node, value_node in node.value:
            if key_node.tag == _T + "merge":
                raise _tag_error(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                raise ScenarioError("a mapping key must be a plain value, not a mapping or a list",
                                    line=_line(key_node))
            key = self.convert(key_node)
            if key in out:
                raise ScenarioError(f"duplicate key {key!r} (first at line {out.key_lines[key]})",
                                    line=_line(key_node))
            out[key] = self.convert(value_node)
            out.key_lines[key] = _line(key_node)
        return out

    def sequence(self, node: yaml.SequenceNode) -> LList:
        if node.tag != _T + "seq":
            raise _tag_error(node)
        out = LList(self.convert(item) for item in node.value)
        out.line, out.item_lines = _line(node), [_line(i) for i in node.value]
        return out


def _read_text(path: Path) -> str:
    """The file's text, or a ScenarioError: not a file, too big, binary, not UTF-8, characters YAML refuses."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # a folder named x.yaml, a FIFO (open would block)
            raise ScenarioError("not a regular file", line=1)
        if info.st_size > MAX_BYTES:
            raise _too_big(info.st_size)
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror or exc}", line=1) from None
    if len(data) > MAX_BYTES:
        raise _too_big(len(data))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError("the file is UTF-16 (it starts with a byte-order mark): save it as UTF-8", line=1,
                            choices=["UTF-8 text"])
    if b"\x00" in data:
        at = data.index(b"\x00")
        raise ScenarioError(f"the file is binary, not YAML text (a NUL byte at column {_column(data, at)})",
                            line=data.count(b"\n", 0, at) + 1, choices=["UTF-8 text"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"the file is not UTF-8: byte 0x{data[exc.start]:02x} at column "
                            f"{_column(data, exc.start)} cannot be decoded", line=data.count(b"\n", 0, exc.start) + 1,
                            choices=["UTF-8 text"]) from None
    bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if bad:
        raise ScenarioError(f"character U+{ord(bad.group()):04X} is not allowed in YAML (column "
                            f"{_column(text, bad.start())})", line=text.count("\n", 0, bad.start()) + 1,
                            choices=["printable characters, tab, newline"])
    return text


def _too_big(size: int) -> ScenarioError:
    return ScenarioError(f"the file is {size:,} bytes, over the {MAX_BYTES // 1024} KiB a scenario file may have",
                         line=1, choices=[f"at most {MAX_BYTES // 1024} KiB"])


def _column(data: Any, at: int) -> int:
    return at - (data.rfind(b"\n" if isinstance(data, bytes) else "\n", 0, at) + 1) + 1


def load_yaml(path: str | Path) -> Any:
    """Parse one YAML file into LMap/LList trees; every problem becomes a ScenarioError with a line."""
    path = Path(path)
    loader = None
    try:
        loader = _Loader(_read_text(path))
        node = loader.get_single_node()
        if node is None or (node.tag == _T + "null" and node.value == "" and isinstance(node, yaml.ScalarNode)):
            raise ScenarioError("the file is empty", line=1, choices=["a mapping with name, doc and expect"])
        return _Converter(loader).convert(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        if "maximum nesting depth" in str(exc.problem):   # libyaml's own limit, met while reading ahead
            exc = _too_deep(line or 1)
            raise ScenarioError(exc.message, file=str(path), line=exc.line, choices=exc.choices) from None
        raise ScenarioError(f"YAML syntax error: {exc.problem or exc}", file=str(path), line=line) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"YAML error: {exc}", file=str(path), line=1) from None
    except ScenarioError as exc:
        raise ScenarioError(exc.message, file=str(path), line=exc.line, choices=exc.choices) from None
    finally:
        if loader is not None:
            loader.dispose()


def line_of(container: Any, key: Any = None, default: int | None = None) -> int | None:
    """The line of `key` inside `container` (or of the container itself)."""
    if key is not None and isinstance(container, LMap) and key in container.key_lines:
        return container.key_lines[key]
    if key is not None and isinstance(container, LList) and isinstance(key, int) and key < len(container.item_lines):
        return container.item_lines[key]
    return getattr(container, "line", None) or default
