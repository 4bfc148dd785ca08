"""What answered when it was not Socket.IO: a plain WebSocket or HTTP server, a wrong path, a TLS
mismatch, nothing at all. Shared by `sockfault probe` and `sockfault diagnose`, so that a 426 is
called "a plain WebSocket server" and never an engine.io code no server sends."""

from __future__ import annotations

from harness.protocol import ErrorCode

__all__ = ["network_failure", "not_socketio", "server_header"]

# (kind, words in the error text that say so, how it reads)
_NETWORK = [
    ("certificate", ("certificate_verify_failed", "certificateerror", "certificate verify failed"),
     "the TLS certificate is not trusted (self-signed or an unknown CA; --insecure to go on)"),
    ("tls-mismatch", ("wrong_version_number", "wrong version number", "unknown protocol", "record layer failure",
                      "packet length too long", "http_request"),
     "https:// aimed at a port that speaks plain HTTP (TLS handshake got an HTTP answer)"),
    ("no-alpn", ("no application protocol", "no_application_protocol"),
     "the TLS handshake was refused: the server offers no protocol this client speaks (HTTP/2 only, no HTTP/1.1)"),
    ("refused", ("connect call failed", "connection refused", "errno 111"), "nothing is listening there (connection refused)"),
    ("dns", ("name or service not known", "nodename nor servname", "temporary failure in name resolution",
             "gaierror"), "the host name does not resolve"),
    ("timeout", ("timeouterror", "timeout"), "no answer within the time limit (a firewall that drops, or a hung server)"),
    ("disconnected", ("serverdisconnected", "server disconnected", "connection reset", "incompleteread",
                      "remotely closed"),
     "the connection was closed without an HTTP answer (plain http:// aimed at a TLS port, or a server that crashed)"),
]


# the reason after OpenSSL's "certificate verify failed:" -> the cause in words
_CERT_CAUSES = [("self-signed", ("self-signed certificate", "self signed certificate")),
                ("signed by an unknown CA (or the server does not send its intermediate certificates)",
                 ("unable to get local issuer", "unable to verify the first certificate", "unable to get issuer")),
                ("expired", ("certificate has expired",)), ("not yet valid", ("not yet valid",)),
                ("issued for another host name (host-name mismatch)", ("hostname mismatch", "ip address mismatch"))]


def network_failure(message: str) -> tuple[str, str]:
    """(kind, sentence) for a request that got no HTTP answer, from the error text."""
    text = message.lower()
    for kind, words, sentence in _NETWORK:
        if any(w in text for w in words):
            if kind == "certificate":
                cause = next((c for c, w in _CERT_CAUSES if any(x in text for x in w)), None)
                if cause:
                    sentence = f"the TLS certificate is not trusted: {cause} (--insecure to go on)"
            return kind, sentence
    return "network", "no HTTP answer"


def server_header(headers: dict) -> str:
    value = headers.get("server")
    return f", server: {value}" if value else ""


def not_socketio(result) -> str | None:
    """A sentence naming what answered a handshake when it is not an Engine.IO server, else None.

    `result` is a probe ProbeResult (status, headers, body, error)."""
    err = result.error
    if err is None or err.family not in ("http", "protocol", "network"):
        return None
    if err.code == ErrorCode.CONNECTION_FAILED:
        return network_failure(err.message)[1]
    ctype = (result.headers.get("content-type") or "no content type").split(";")[0]
    via = server_header(result.headers)
    if err.code == ErrorCode.UPGRADE_REQUIRED:
        return f"a plain WebSocket server, not Socket.IO (HTTP 426 Upgrade Required{via})"
    if err.code == ErrorCode.NOT_FOUND:
        return f"HTTP 404 at this path: no Socket.IO server answers here{via}"
    if err.code == ErrorCode.NOT_ENGINE_IO:
        return f"a plain HTTP server, not Socket.IO (HTTP {result.status} {ctype}{via}; no Engine.IO open packet)"
    if result.status is not None:
        return f"HTTP {result.status} {ctype}{via}: not an Engine.IO answer"
    return None
