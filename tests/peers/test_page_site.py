"""The browser peer's page site over https under a *.test name (`$page_origin`), without Chromium."""

import asyncio
import ssl
from pathlib import Path

from harness.peers.browser._chromium import FLAGS
from harness.peers.browser._site import serve_page


def test_https_site_serves_the_page_under_the_given_host(tmp_path):
    bundle = tmp_path / "socket.io.js"
    bundle.write_text("window.io = function () {};")

    async def main():
        runner, url = await serve_page(Path(bundle), "https", "page.test")
        try:
            assert url.startswith("https://page.test:") and url.endswith("/")
            port = int(url.rsplit(":", 1)[1].rstrip("/"))
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE   # self-signed, as Chromium is told
            reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
            writer.write(b"GET /socket.io.js HTTP/1.1\r\nHost: page.test\r\nConnection: close\r\n\r\n")
            body = await reader.read()
            writer.close()
            return body
        finally:
            await runner.cleanup()

    body = asyncio.run(main())
    assert body.startswith(b"HTTP/1.1 200") and body.endswith(b"window.io = function () {};")


def test_plain_site_is_unchanged_and_chromium_maps_test_names():
    async def main():
        runner, url = await serve_page(Path(__file__))
        await runner.cleanup()
        return url
    assert asyncio.run(main()).startswith("http://localhost:")
    assert "--host-resolver-rules=MAP *.test 127.0.0.1" in FLAGS
    assert "--disable-background-networking" in FLAGS   # the networking flags stay
