"""A TLS handshake looked at on its own (no HTTP): the certificate and why it is not trusted, the
protocol ALPN chose, or what the port answered instead of TLS. The certificate and HTTP/2 checks
share one look per target (t.tls), offering ALPN ["h2", "http/1.1"] as a browser does."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["TlsView", "look", "cause_of", "plain_http_answer"]

# OpenSSL verify codes -> the cause in words (X509_V_ERR_*)
CODES = {18: "self-signed", 19: "self-signed (in the chain)", 20: "unknown CA", 21: "unknown CA", 2: "unknown CA",
         10: "expired", 9: "not yet valid", 62: "host-name mismatch", 64: "host-name mismatch"}
# the same from the words of an error text (aiohttp's "certificate verify failed: <reason>")
WORDS = [("self-signed", ("self-signed certificate", "self signed certificate")),
         ("unknown CA", ("unable to get local issuer", "unable to verify the first certificate",
                         "unable to get issuer certificate")),
         ("expired", ("certificate has expired",)), ("not yet valid", ("not yet valid",)),
         ("host-name mismatch", ("hostname mismatch", "ip address mismatch"))]


def cause_of(text: str) -> str | None:
    """The cause named in a verification error's text, or None."""
    low = text.lower()
    return next((cause for cause, words in WORDS if any(w in low for w in words)), None)


@dataclass
class TlsView:
    alpn_offered: list | None
    done: bool = False                  # the handshake completed (verified or not)
    verified: bool | None = None        # None: not asked (insecure)
    verify_code: int | None = None
    verify_message: str = ""
    alpn: str | None = None             # what the server chose ("h2", "http/1.1", None: no ALPN)
    version: str | None = None
    cert: dict = field(default_factory=dict)
    error: str = ""                     # why the handshake failed (not a verification failure)

    @property
    def causes(self) -> list[str]:
        """Why the certificate is not trusted: OpenSSL's first reason, then what the certificate shows."""
        out = []
        first = CODES.get(self.verify_code) or cause_of(self.verify_message)
        if first:
            out.append(first)
        c = self.cert
        if c.get("self_signed") and not any(x.startswith("self-signed") for x in out):
            out.append("self-signed")
        if c.get("expired") and "expired" not in out:
            out.append("expired")
        if c.get("names") and not c.get("matches") and "host-name mismatch" not in out:
            out.append("host-name mismatch")
        return out

    def to_dict(self) -> dict:
        return {"alpn_offered": self.alpn_offered, "done": self.done, "verified": self.verified,
                "verify_error": self.verify_message or None, "causes": self.causes if self.done else [],
                "alpn": self.alpn, "version": self.version, "certificate": self.cert or None,
                "error": self.error or None}


def _matches(host: str, names: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(host)
        return any(n == str(ip) for n in names)
    except ValueError:
        pass
    host = host.lower()
    for n in (n.lower() for n in names):
        if n == host or (n.startswith("*.") and host.split(".", 1)[-1] == n[2:] and host.count(".") >= 2):
            return True
    return False


def _describe(der: bytes, host: str) -> dict:
    from cryptography import x509       # ~0.05-0.1 s: only when a certificate is looked at
    from cryptography.x509.oid import NameOID
    cert = x509.load_der_x509_certificate(der)

    def cn(name):
        attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
        return attrs[0].value if attrs else name.rfc4514_string()
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(v) for v in san.get_values_for_type(x509.DNSName)] + \
                [str(v) for v in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        names = [cn(cert.subject)]
    after = cert.not_valid_after_utc
    now = datetime.datetime.now(datetime.timezone.utc)
    return {"subject": cn(cert.subject), "issuer": cn(cert.issuer), "names": names,
            "not_after": after.strftime("%Y-%m-%d"), "days_left": (after - now).days,
            "expired": after < now, "self_signed": cert.subject == cert.issuer, "matches": _matches(host, names)}


def _host_port(t) -> tuple[str, int]:
    split = urlsplit(t.base)
    return split.hostname, split.port or (443 if split.scheme == "https" else 80)


async def _handshake(host: str, port: int, alpn, verify: bool, timeout: float):
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    if alpn:
        context.set_alpn_protocols(alpn)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, ssl=context, server_hostname=host),
                                            timeout)
    return reader, writer


async def look(t, alpn: list[str] | None = ("h2", "http/1.1"), *, verify: bool | None = None,
               timeout: float = 3.0) -> TlsView:
    """One TLS handshake with t's host and port (a second, unverified, when verification fails: to see the
    certificate). verify: default not --insecure. Counts against t's request budget."""
    host, port = _host_port(t)
    verify = (not t.insecure) if verify is None else verify
    view = TlsView(list(alpn) if alpn else None)
    for attempt in ((True, False) if verify else (False,)):
        t._spend()
        try:
            _, writer = await _handshake(host, port, view.alpn_offered, attempt, min(timeout, max(t.remaining(), 0.5)))
        except ssl.SSLCertVerificationError as exc:
            view.verified, view.verify_code = False, exc.verify_code
            view.verify_message = str(exc.verify_message or exc)
            continue
        except (OSError, asyncio.TimeoutError, ssl.SSLError) as exc:
            view.error = f"{type(exc).__name__}: {exc}"[:300] or type(exc).__name__
            return view
        tls = writer.get_extra_info("ssl_object")
        view.done, view.alpn, view.version = True, tls.selected_alpn_protocol(), tls.version()
        if attempt:
            view.verified = True
        der = tls.getpeercert(binary_form=True)
        if der:
            view.cert = _describe(der, host)
        writer.close()
        return view
    return view


async def plain_http_answer(t, timeout: float = 2.0) -> str | None:
    """The status line a plain-HTTP request to t's port gets ("HTTP/1.1 200 OK"), or None: does the port that
    refused TLS speak HTTP? (Counts against the budget.)"""
    host, port = _host_port(t)
    t._spend()
    writer = None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        path = t.server_path or t.wanted_path
        writer.write(f"GET {path}?EIO=4&transport=polling HTTP/1.1\r\nHost: {host}:{port}\r\n"
                     f"Connection: close\r\n\r\n".encode())
        line = await asyncio.wait_for(reader.readline(), timeout)
        text = line.decode("latin-1").strip()
        return text if text.startswith("HTTP/") else None
    except (OSError, asyncio.TimeoutError):
        return None
    finally:
        if writer is not None:
            writer.close()
