"""Client options the runner turns into the URL: `$host` (a name instead of 127.0.0.1) and a browser
client's `$page_origin` (checked here, applied by the browser peer)."""

import asyncio

import pytest

from harness._run import Run
from harness.errors import HarnessError
from harness.scenario import load_cases


class _Peer:
    def __init__(self):
        self.sent = []

    async def send(self, command):
        self.sent.append(command)


def _connect(tmp_path, client):
    path = tmp_path / "s.yaml"
    path.write_text(f"name: s\ndoc: d\nserver: node@4.8.1\nclient: {client}\nexpect:\n  - connected: {{}}\n")
    (case,) = load_cases(path)
    run = Run(case, pool=None, compressed=True)
    run.server_addresses, run.clients = [("127.0.0.1", 4321)], [_Peer()]
    asyncio.run(run.connect_client(0))
    return run.clients[0].sent[0]


def test_host_replaces_127_0_0_1_in_the_url_and_origin(tmp_path):
    sent = _connect(tmp_path, "{peer: browser@4.8.1, options: {$host: sio.test, $page_origin: 'https://page.test', "
                              "o: {$url_origin: true}}}")
    assert sent["url"] == "http://sio.test:4321"
    assert sent["options"] == {"$page_origin": "https://page.test", "o": "http://sio.test:4321"}
    assert _connect(tmp_path, "node@4.8.1")["url"] == "http://127.0.0.1:4321"


@pytest.mark.parametrize("client, message", [
    ("{peer: node@4.8.1, options: {$host: 'a b'}}", "option $host is a host name (e.g. sio.test), not 'a b'"),
    ("{peer: browser@4.8.1, options: {$page_origin: 'https://example.com'}}", "option $page_origin is http(s)://<name>.test"),
    ("{peer: browser@4.8.1, options: {$page_origin: 'ftp://page.test'}}", "option $page_origin is http(s)://<name>.test"),
    ("{peer: node@4.8.1, options: {$page_origin: 'https://page.test'}}", "for a browser client"),
])
def test_bad_values_are_clear_errors(tmp_path, client, message):
    with pytest.raises(HarnessError) as info:
        _connect(tmp_path, client)
    assert message in str(info.value) and str(info.value).startswith("client 0:")
