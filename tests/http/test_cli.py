"""`sockfault proxy http`: argument and fault parsing, errors, output lines (no network)."""

import argparse

import pytest

from harness.timeline import Event
from proxies.http import cli


def parse(*argv):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_arguments():
    a = parse("http", "--upstream", "http://127.0.0.1:3000", "--upstream", "127.0.0.1:3001",
              "--fault", "strip_upgrade:mode=reject", "--listen", "0.0.0.0:8080", "--sticky", "sid")
    assert a.kind == "http" and a.upstream == ["http://127.0.0.1:3000", "127.0.0.1:3001"]
    assert a.fault == ["strip_upgrade:mode=reject"] and a.sticky == "sid" and a.listen == "0.0.0.0:8080"
    assert [cli.parse_upstream(u) for u in a.upstream] == [("127.0.0.1", 3000), ("127.0.0.1", 3001)]
    assert cli.parse_listen(a.listen) == ("0.0.0.0", 8080)
    d = parse("http", "--upstream", "http://h:1")
    assert d.fault == [] and d.listen == "127.0.0.1:0" and d.sticky is None and not d.no_ws_messages


@pytest.mark.parametrize("argv", [("tcp", "--upstream", "http://h:1"), ("http",),
                                  ("http", "--upstream", "http://h:1", "--sticky", "ip")])
def test_argparse_rejects(argv, capsys):
    with pytest.raises(SystemExit) as e:
        parse(*argv)
    assert e.value.code == 2


def test_kind_is_a_choice_of_http_only(capsys):
    with pytest.raises(SystemExit):
        parse("nginx", "--upstream", "http://h:1")
    assert "choose from 'http'" in capsys.readouterr().err


@pytest.mark.parametrize("spec,expected", [
    ("strip_upgrade", ("strip_upgrade", {})),
    ("strip_upgrade:mode=close-after-101", ("strip_upgrade", {"mode": "close-after-101"})),
    ("strip_upgrade:mode=reject,status=502", ("strip_upgrade", {"mode": "reject", "status": 502})),
    ("engine_packets:types=ping|pong,direction=both", ("engine_packets", {"types": ["ping", "pong"], "direction": "both"})),
    ("engine_packets:types=ping", ("engine_packets", {"types": ["ping"]})),
    ("engine_packets:types=pong,data=probe,transport=websocket",
     ("engine_packets", {"types": ["pong"], "data": "probe", "transport": "websocket"})),
    ("engine_packets:data=123", ("engine_packets", {"data": "123"})),       # str field stays a string
    ("engine_packets:data=", ("engine_packets", {"data": ""})),
    ("engine_packets:data=null", ("engine_packets", {"data": None})),
    ("engine_packets:action=delay,delay_ms=250.5", ("engine_packets", {"action": "delay", "delay_ms": 250.5})),
    ("request_deadline:seconds=2,websocket=false", ("request_deadline", {"seconds": 2, "websocket": False})),
    ("strip_cors:headers=access-control-allow-origin,preflight_status=404",
     ("strip_cors", {"headers": ["access-control-allow-origin"], "preflight_status": 404})),
    ("strip_cors:preflight_status=null", ("strip_cors", {"preflight_status": None})),
])
def test_parse_fault(spec, expected):
    assert cli.parse_fault(spec) == expected


@pytest.mark.parametrize("spec,message", [
    ("bogus:x=1", "unknown fault 'bogus' (valid: engine_packets, request_deadline, strip_cors, strip_upgrade)"),
    ("toxic:type=latency", "unknown fault 'toxic'"),                    # a toxiproxy fault, not an http one
    ("strip_upgrade:mde=reject", "unknown key 'mde' (valid: mode, status)"),
    ("strip_upgrade:proxy=x", "unknown key 'proxy'"),
    ("strip_upgrade:mode=nope", "mode='nope' (valid: strip-headers, reject, close-after-101, hang)"),
    ("strip_upgrade:mode", "'mode' is not key=value"),
    ("strip_upgrade:status=abc", "status='abc' is not a number"),
    ("request_deadline:http=maybe", "http='maybe' is not true/false"),
    ("strip_upgrade:mode=reject|hang", "mode takes one value"),
    ("engine_packets:action=drop|delay", "action takes one value"),
])
def test_parse_fault_errors(spec, message):
    with pytest.raises(cli.CliError) as e:
        cli.parse_fault(spec)
    assert message in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("url", ["https://h:1", "http://:1", "ftp://h", "http://h:99999"])
def test_bad_upstream(url):
    with pytest.raises(cli.CliError, match="--upstream"):
        cli.parse_upstream(url)


@pytest.mark.parametrize("text", ["8080", "h:", "h:x", ":80", "h:70000"])
def test_bad_listen(text):
    with pytest.raises(cli.CliError, match="--listen"):
        cli.parse_listen(text)


@pytest.mark.parametrize("argv,line", [
    (["--fault", "bogus"], "sockfault proxy: error: unknown fault 'bogus' (valid: engine_packets, request_deadline, strip_cors, strip_upgrade)"),
    (["--fault", "engine_packets:types=pinng"], "sockfault proxy: error: fault engine_packets: unknown Engine.IO packet types ['pinng']"),
    (["--listen", "nowhere"], "sockfault proxy: error: --listen 'nowhere': expected HOST:PORT"),
])
def test_run_errors_are_one_line_exit_2(argv, line, capsys):
    rc = cli.run(parse("http", "--upstream", "http://127.0.0.1:9", *argv))
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith(line) and err.count("\n") == 1 and "Traceback" not in err


def test_main_cli_mounts_it(capsys):
    from harness.cli import main
    assert main(["proxy", "http", "--upstream", "http://127.0.0.1:9", "--fault", "strip_upgrade:x=1"]) == 2
    assert "unknown key 'x' (valid: mode, status)" in capsys.readouterr().err


def ev(kind, **data):
    return Event(12.5, "proxy:cli", kind, data)


def test_format_lines():
    line = cli.format_event(ev("http", method="GET", transport="polling", status=200, ms=3.2,
                               body={"packets": [{"type": "open", "data": '{"sid":"a"}'}]}))
    assert line == '     12.5 ms  HTTP GET polling -> 200 (3.2 ms) <- open {"sid":"a"}'
    line = cli.format_event(ev("http", method="GET", transport="websocket", sid="a", status=403, ms=1.0,
                               body="upgrade refused by proxy\n", fault="strip_upgrade:reject"))
    assert "GET websocket sid=a -> 403" in line and "[fault: strip_upgrade:reject]" in line
    post = cli.format_event(ev("http", method="POST", transport="polling", sid="a", status=200, ms=1,
                               sent={"packets": [{"type": "message", "data": "0"}]}, body={"packets": []}))
    assert post.endswith("sent: message 0")
    ws = cli.format_event(ev("ws_message", **{"from": "server", "sid": "a", "packet": {"type": "ping", "data": ""},
                                               "size": 1, "dropped": True}))
    assert ws == "     12.5 ms  WS   server -> client sid=a ping (1 B) [dropped]"
    close = cli.format_event(ev("ws_close", sid="a", code=1000, reason="", closed_by="server"))
    assert close.endswith("WS   close sid=a code 1000 by server")
    assert "fast path" in cli.format_event(ev("ws_fastpath", sid="a"))
    assert cli.format_event(ev("proxy_started")) is None
