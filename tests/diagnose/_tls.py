"""A TLS-terminating TCP forwarder with a fresh self-signed certificate: an https deployment for
`sockfault diagnose` to look at (what a user's nginx/ALB in front of a Socket.IO server does)."""

from __future__ import annotations

import asyncio
import ssl
from contextlib import asynccontextmanager
from pathlib import Path

from harness._tls import self_signed as _certificate


def self_signed(folder: Path) -> tuple[Path, Path]:
    """The harness's per-run certificate (127.0.0.1), written as cert.pem and key.pem in folder."""
    cert = _certificate()
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_text(cert.cert_pem)
    key_file.write_text(cert.key_pem)
    return cert_file, key_file


def made(folder: Path, *, names: tuple[str, ...] = ("127.0.0.1",), expired: bool = False,
         by_ca: bool = False) -> tuple[Path, Path]:
    """A certificate with what a misconfiguration needs: other names (a host-name mismatch), dates in the
    past (expired), or signed by a CA made here and trusted by nobody (an unknown CA); else self-signed."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = (now - datetime.timedelta(days=30), now - datetime.timedelta(days=1)) if expired else \
        (now - datetime.timedelta(hours=1), now + datetime.timedelta(days=1))
    key = ec.generate_private_key(ec.SECP256R1())
    issuer_key, issuer = key, name(names[0])
    if by_ca:
        issuer_key, issuer = ec.generate_private_key(ec.SECP256R1()), name("sockfault test CA")
    sans = []
    for n in names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(n)))
        except ValueError:
            sans.append(x509.DNSName(n))
    cert = (x509.CertificateBuilder().subject_name(name(names[0])).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False).sign(issuer_key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


async def _pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


@asynccontextmanager
async def tls_front(upstream: tuple[str, int], folder: Path, **certificate):
    """Yield the port of a TLS listener forwarding to upstream (certificate: made()'s options; none:
    the harness's self-signed one)."""
    cert, key = made(folder, **certificate) if certificate else self_signed(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    tasks: set[asyncio.Task] = set()

    async def handle(reader, writer):
        try:
            up_reader, up_writer = await asyncio.open_connection(*upstream)
        except OSError:
            writer.close()
            return
        for t in (asyncio.ensure_future(_pipe(reader, up_writer)), asyncio.ensure_future(_pipe(up_reader, writer))):
            tasks.add(t)
            t.add_done_callback(tasks.discard)

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for t in list(tasks):
            t.cancel()
        await server.wait_closed()
