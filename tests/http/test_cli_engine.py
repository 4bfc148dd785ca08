"""`sockfault proxy http --engine`: the flag reaches the link as a scenario's `engine:` (no node needed)."""

import argparse

import pytest

from harness.timeline import Timeline
from proxies.http import cli


def parse(*argv):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(["http", "--upstream", "http://127.0.0.1:9", *argv])


def test_engine_defaults_to_auto():
    assert parse().engine == "auto"


def test_bad_engine_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as e:
        parse("--engine", "fast")
    err = capsys.readouterr().err
    assert e.value.code == 2
    assert "--engine: invalid choice: 'fast' (choose from 'auto', 'relay', 'mitmproxy')" in err


async def started(argv, faults=()):
    """The proxy_started event of the link the CLI would run (listening; nothing connects upstream)."""
    timeline = Timeline()
    built = [cli.parse_fault(spec) for spec in faults]
    from harness.faults import load_fault
    link = cli.make_link(parse(*argv), ("127.0.0.1", 0), [load_fault(n)(**k) for n, k in built], timeline)
    try:
        await link.start([("127.0.0.1", 9)])
    finally:
        await link.stop()
    return timeline.events(kind="proxy_started")[-1].data


@pytest.mark.parametrize("argv,engine", [
    ((), "relay"),                                   # no fault: auto takes the relay
    (("--engine", "relay"), "relay"),
    (("--engine", "mitmproxy"), "mitmproxy"),
])
async def test_engine_reaches_the_proxy(argv, engine):
    assert (await started(argv))["engine"] == engine


async def test_auto_takes_mitmproxy_for_a_fault_the_relay_cannot_apply():
    data = await started((), ["engine_packets:types=ping"])
    assert data["engine"] == "mitmproxy" and data["engine_reason"] == "fault engine_packets"
    assert (await started((), ["strip_upgrade:mode=reject"]))["engine"] == "relay"


def test_relay_refuses_such_a_fault_in_one_line(capsys):
    rc = cli.run(parse("--engine", "relay", "--fault", "engine_packets:types=ping"))
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("sockfault proxy: error: http proxy 'cli': engine relay cannot apply fault engine_packets")
