"""The run's self-signed certificate and the client-option placeholders ($tls, {$tls_ca}, {$url_origin}); no Node."""

import ssl

import pytest
from cryptography import x509

from harness._tls import self_signed, wants_tls, with_ca, with_origin


def test_self_signed_is_for_loopback_and_loads(tmp_path):
    cert = self_signed()
    parsed = x509.load_pem_x509_certificate(cert.cert_pem.encode())
    san = parsed.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(a) for a in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    (tmp_path / "c.pem").write_text(cert.cert_pem)
    (tmp_path / "k.pem").write_text(cert.key_pem)
    ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    assert self_signed().cert_pem != cert.cert_pem     # fresh per run


def test_wants_tls():
    assert wants_tls({"$tls": "self-signed"}) and wants_tls({"$tls": True})
    assert not wants_tls({}) and not wants_tls({"$tls": False})
    with pytest.raises(ValueError, match="self-signed"):
        wants_tls({"$tls": "letsencrypt"})


def test_ca_placeholder_anywhere():
    cert = self_signed()
    out = with_ca({"ca": {"$tls_ca": True}, "x": [{"$tls_ca": True}], "keep": {"a": 1}}, cert)
    assert out == {"ca": cert.cert_pem, "x": [cert.cert_pem], "keep": {"a": 1}}
    assert with_ca({"a": 1}, None) == {"a": 1}
    with pytest.raises(ValueError, match=r"no server has \$tls"):
        with_ca({"ca": {"$tls_ca": True}}, None)


def test_origin_placeholder():
    opts = {"extraHeaders": {"Origin": {"$url_origin": True}}, "n": 1}
    assert with_origin(opts, "https://127.0.0.1:4242") == {"extraHeaders": {"Origin": "https://127.0.0.1:4242"}, "n": 1}
