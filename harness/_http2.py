"""The server option `$http2`: the bundled Node server on Node's http2 module instead of http/https.

`$http2: {allowHTTP1: bool, enableConnectProtocol: bool}` with `$tls` is
`http2.createSecureServer({cert, key, allowHTTP1, settings: {enableConnectProtocol}})`, socket.io's
documented HTTP/2 set-up; without `$tls` it is `http2.createServer` (cleartext h2c, no HTTP/1 fallback
in Node). Checked when the scenario loads, so a mistake is a file:line error, not a failed run.
"""

from __future__ import annotations

from typing import Any

__all__ = ["HTTP2_OPTION", "HTTP2_KEYS", "check_http2"]

HTTP2_OPTION = "$http2"
HTTP2_KEYS = ("allowHTTP1", "enableConnectProtocol")


def check_http2(options: dict, family: str) -> tuple[str, str | None, list[str]] | None:
    """None when `options` (a server's) has no `$http2` or a valid one; else (message, the key at fault
    inside `$http2` or None for the option itself, the valid choices)."""
    value = options.get(HTTP2_OPTION)
    if value is None or value is False:
        return None
    if family != "node":
        return (f"server option {HTTP2_OPTION} is for the bundled Node server (node@...), not a {family} server",
                None, ["node@<version>"])
    if not isinstance(value, dict):
        return (f"server option {HTTP2_OPTION} is a mapping (or false), not {value!r}", None,
                ["{allowHTTP1: true|false, enableConnectProtocol: true|false}", "false"])
    for key, flag in value.items():
        if key not in HTTP2_KEYS:
            return f"unknown key {key!r} in server option {HTTP2_OPTION}", key, list(HTTP2_KEYS)
        if not isinstance(flag, bool):
            return f"{HTTP2_OPTION}.{key} is true or false, not {flag!r}", key, ["true", "false"]
    if value.get("allowHTTP1") and options.get("$tls") in (None, False):
        return (f"{HTTP2_OPTION}.allowHTTP1 needs `$tls: self-signed` (Node's cleartext HTTP/2 server, h2c, "
                "has no HTTP/1 fallback)", "allowHTTP1", ["$tls: self-signed", "allowHTTP1: false"])
    return None

