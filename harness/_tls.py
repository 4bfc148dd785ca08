"""A fresh self-signed certificate per run, for servers started with the option `$tls: self-signed`.

The runner makes it (key and certificate in memory, PEM), hands both to the server peer as
`$tls: {cert, key}`, and puts the certificate where a client's options say `{$tls_ca: true}`
(the client trusting that one certificate: Node's `ca` option). Nothing is written to disk here.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from typing import Any

from ._placeholders import replace_placeholder

__all__ = ["TLS_OPTION", "CA_PLACEHOLDER", "SCHEME_OPTION", "ORIGIN_PLACEHOLDER", "HOST_OPTION", "PAGE_ORIGIN_OPTION", "with_origin", "Certificate", "self_signed", "with_ca", "wants_tls"]

TLS_OPTION = "$tls"            # server option: "self-signed" (true works too)
CA_PLACEHOLDER = "$tls_ca"     # client option value {$tls_ca: true}: the run's certificate, PEM
SCHEME_OPTION = "$scheme"      # client option: http | https, the URL's scheme whatever the server speaks
ORIGIN_PLACEHOLDER = "$url_origin"   # client option value {$url_origin: true}: scheme://host:port of its URL
HOST_OPTION = "$host"          # client option: the URL's host name instead of 127.0.0.1, e.g. sio.test (a browser
                               # peer maps *.test to 127.0.0.1; no potentially-trustworthy loopback exemption)
PAGE_ORIGIN_OPTION = "$page_origin"   # browser client option: https://page.test, where its page is served from


@dataclass(frozen=True)
class Certificate:
    cert_pem: str
    key_pem: str


def self_signed(host: str = "127.0.0.1") -> Certificate:
    """An EC P-256 certificate for `host` (CN and an IP SAN, plus DNS localhost), valid for a day."""
    # imported here: cryptography.x509 costs ~0.05-0.1 s, and every run imports this module
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host)),
                                                        x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    return Certificate(cert.public_bytes(serialization.Encoding.PEM).decode(),
                       key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()).decode())


def wants_tls(options: dict) -> bool:
    value = options.get(TLS_OPTION)
    if value in (None, False):
        return False
    if value is True or value == "self-signed":
        return True
    raise ValueError(f"server option {TLS_OPTION}: 'self-signed' (or true), not {value!r}")


def with_ca(options: Any, cert: Certificate | None) -> Any:
    """Replace every {$tls_ca: true} in a client's options with the run's certificate (PEM)."""
    def pem(_):
        if cert is None:
            raise ValueError(f"{{{CA_PLACEHOLDER}: ...}} in a client's options, but no server has {TLS_OPTION}")
        return cert.cert_pem
    return replace_placeholder(options, CA_PLACEHOLDER, pem)


def with_origin(options: Any, origin: str) -> Any:
    """Replace every {$url_origin: true} with the origin of the client's URL (a same-origin page's
    `Origin`, e.g. extraHeaders: {Origin: {$url_origin: true}} behind a TLS-terminating proxy)."""
    return replace_placeholder(options, ORIGIN_PLACEHOLDER, lambda _: origin)
