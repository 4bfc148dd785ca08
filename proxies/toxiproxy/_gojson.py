"""Go's encoding/json as Toxiproxy's API sees it: decode errors worded like Go's, struct
fields matched case-insensitively, null leaves a field alone, the first type mismatch
reported, trailing data after the first value ignored (json.Decoder); and encoding with
Go's compact, HTML-escaped output and float32 toxicity.
"""

from __future__ import annotations

import json
import struct
from typing import Any

__all__ = ["GoJSONError", "decode", "fill", "dumps", "float32"]


class GoJSONError(Exception):
    pass


class _Num(float):
    """A JSON number with a fraction or exponent; keeps its text for Go's messages."""
    text: str


def _parse_float(text: str) -> _Num:
    n = _Num(text)
    n.text = text
    return n


def _no_constant(name: str):
    raise ValueError(name)


_DECODER = json.JSONDecoder(parse_float=_parse_float, parse_constant=_no_constant)


def _quote_char(c: str) -> str:
    if c == "'":
        return "'\\''"
    if c == '"':
        return "'\"'"
    return "'%s'" % c if c.isprintable() else "'\\x%02x'" % ord(c) if ord(c) < 256 else "'\\u%04x'" % ord(c)


def decode(body: bytes) -> Any:
    """The first JSON value of body, or GoJSONError with Go's wording."""
    try:
        text = body.decode("utf-8", "replace")
    except Exception:   # pragma: no cover
        text = ""
    start = len(text) - len(text.lstrip(" \t\r\n"))
    if start == len(text):
        raise GoJSONError("EOF")
    try:
        value, _ = _DECODER.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip(" \t\r\n")):
            raise GoJSONError("unexpected EOF") from None
        c = text[exc.pos]
        where = {"Expecting value": "looking for beginning of value",
                 "Expecting property name enclosed in double quotes": "looking for beginning of object key string",
                 "Expecting ':' delimiter": "after object key",
                 "Expecting ',' delimiter": "after object key:value pair" if _in_object(text, exc.pos) else "after array element",
                 "Invalid control character at": "in string literal",
                 "Invalid \\escape": "in string escape code",
                 }.get(exc.msg, "looking for beginning of value")
        raise GoJSONError(f"invalid character {_quote_char(c)} {where}") from None
    except (ValueError, RecursionError):
        raise GoJSONError(f"invalid character {_quote_char(text[start])} looking for beginning of value") from None
    return value


def _in_object(text: str, pos: int) -> bool:
    depth_obj = []
    in_str = esc = False
    for c in text[:pos]:
        if in_str:
            esc, in_str = (False, in_str) if esc else (c == "\\", c != '"')
        elif c == '"':
            in_str = True
        elif c in "{[":
            depth_obj.append(c == "{")
        elif c in "}]" and depth_obj:
            depth_obj.pop()
    return bool(depth_obj) and depth_obj[-1]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "null")


_INT_RANGE = {"int64": 1 << 63, "int": 1 << 63}


def _convert(value: Any, gotype: str) -> tuple[Any, str | None]:
    """(converted value, Go's description of the mismatch or None)."""
    kind = _kind(value)
    if gotype == "string":
        return (_clean(value), None) if kind == "string" else (None, kind)
    if gotype == "bool":
        return (value, None) if kind == "bool" else (None, kind)
    if gotype in _INT_RANGE:
        if kind != "number":
            return None, kind
        if isinstance(value, _Num) or not -_INT_RANGE[gotype] <= value < _INT_RANGE[gotype]:
            return None, f"number {getattr(value, 'text', value)}"
        return int(value), None
    if gotype == "float32":
        if kind != "number":
            return None, kind
        if abs(float(value)) > 3.4028234663852886e38:
            return None, f"number {getattr(value, 'text', value)}"
        return float32(float(value)), None
    raise AssertionError(gotype)


def _clean(s: str) -> str:
    """Go replaces invalid UTF-16 (lone surrogates) with U+FFFD."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def fill(value: Any, fields: dict[str, Any], target: dict, struct_name: str, go_value: str,
         prefix: str = "") -> str | None:
    """Decode `value` into `target` (a dict of defaults) the way Go fills a struct.

    fields: json name -> Go type, or (struct name, fields) for a nested struct.
    Returns Go's first type-mismatch message, or None; good fields are set regardless, as Go does.
    """
    if value is None:
        return None
    if not isinstance(value, dict):
        return f"json: cannot unmarshal {_kind(value)} into Go value of type {go_value}"
    first: str | None = None
    for key, item in value.items():
        name = key if key in fields else next((f for f in fields if f.lower() == key.lower()), None)
        if name is None or item is None:
            continue
        spec, where = fields[name], prefix + name
        if isinstance(spec, tuple):
            nested_struct, nested_fields = spec
            if isinstance(item, dict):
                err = fill(item, nested_fields, target.setdefault(name, {}), nested_struct, "", where + ".")
            else:
                err = (f"json: cannot unmarshal {_kind(item)} into Go struct field "
                       f"{struct_name}.{where} of type toxics.{nested_struct}")
            first = first or err
            continue
        converted, bad = _convert(item, spec)
        if bad is None:
            target[name] = converted
        elif first is None:
            first = f"json: cannot unmarshal {bad} into Go struct field {struct_name}.{where} of type {spec}"
    return first


def float32(x: float) -> float:
    """x rounded to float32, then the shortest decimal that rounds back (Go's formatting)."""
    f = struct.unpack("f", struct.pack("f", x))[0]
    if f == int(f) and abs(f) < 1e21:
        return int(f)
    for digits in range(1, 10):
        candidate = float(f"{f:.{digits}g}")
        if struct.unpack("f", struct.pack("f", candidate))[0] == f:
            return candidate
    return f


def dumps(obj: Any) -> bytes:
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return text.encode("utf-8", "replace")
