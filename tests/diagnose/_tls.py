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
async def tls_front(upstream: tuple[str, int], folder: Path):
    """Yield the port of a TLS listener forwarding to upstream."""
    cert, key = self_signed(folder)
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
