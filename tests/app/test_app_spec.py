"""`server: {app: ...}` / `{url: ...}` / `client: {page: ...}` in scenario files: what loads, what is refused."""

import textwrap
from pathlib import Path

import pytest

from harness.errors import ScenarioError
from harness.scenario import load_cases


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(text))
    (tmp_path / "my-app").mkdir(exist_ok=True)
    return path


def _load(tmp_path, server: str, client: str = "node@4.8.1", extra: str = ""):
    return load_cases(_write(tmp_path, f"""\
        name: s
        doc: d
        server: {server}
        client: {client}
        expect: [connected: {{}}]
        {extra}"""))


def test_app_server_resolves_cwd_against_the_scenario_file(tmp_path):
    case, = _load(tmp_path, '{app: "node index.js --flag", cwd: my-app, env: {PORT: "{port}", DEBUG: 1}}')
    spec = case.servers[0].spec
    assert spec.family == "app" and spec.max_spares == 0
    assert spec.app.argv == ("node", "index.js", "--flag")
    assert spec.app.cwd == str((tmp_path / "my-app").resolve())
    assert dict(spec.app.env) == {"PORT": "{port}", "DEBUG": "1"}
    assert spec.app.path == "/socket.io/" and spec.app.hook and spec.app.hook_options


def test_app_fixed_port_path_and_hook_options(tmp_path):
    case, = _load(tmp_path, '{app: [python, app.py], port: 8080, path: /ws, hook: {options: false}, start_timeout: 5s}')
    app = case.servers[0].spec.app
    assert (app.port, app.path, app.hook, app.hook_options, app.start_timeout) == (8080, "/ws/", True, False, 5.0)


def test_url_server_starts_nothing(tmp_path):
    case, = _load(tmp_path, '{url: "http://127.0.0.1:3000"}')
    assert case.servers[0].spec.app.url == "http://127.0.0.1:3000"
    assert case.servers[0].spec.argv == ()


@pytest.mark.parametrize("server, message", [
    ('{app: "node index.js"}', "cannot tell the app which port"),
    ('{app: "node index.js --port {port}", port: 3000}', "not both"),
    ('{app: "node index.js", port: 3000, url: "http://x"}', "this one has `app` and `url`"),
    ('{url: "ftp://x"}', "must start with http"),
    ('{url: "http://x", cwd: my-app}', "no meaning for a `url:` server"),
    ('{app: "node index.js", port: 3000, cwd: nowhere}', "no such folder"),
    ('{app: "node index.js", port: 3000, hook: maybe}', "hook must be"),
    ('{app: "node \'index.js", port: 3000}', "No closing quotation"),
    ('{app: "node index.js", port: 99999}', "port number"),
    ('{peer: node@4.8.1, app: "node index.js"}', "one of `peer`"),
])
def test_bad_app_servers_name_file_and_line(tmp_path, server, message):
    with pytest.raises(ScenarioError) as info:
        _load(tmp_path, server)
    assert message in info.value.message
    assert info.value.file.endswith("s.yaml") and info.value.line == 3


def test_app_keys_on_a_client_and_page_keys_on_a_server_are_refused(tmp_path):
    with pytest.raises(ScenarioError, match="belongs to an app server") as info:
        _load(tmp_path, "node@4.8.1", '{peer: node@4.8.1, port: 3000}')
    assert info.value.line == 4
    with pytest.raises(ScenarioError, match="belongs to a page client"):
        _load(tmp_path, '{peer: node@4.8.1, page: /}')


def test_page_client_with_actions(tmp_path):
    case, = _load(tmp_path, '{url: "http://127.0.0.1:3000"}',
                  '{page: /chat, actions: [{fill: {selector: "#m", text: hi}}, {click: "#send"}]}')
    client = case.clients[0]
    assert client.spec.family == "page" and client.page == "/chat"
    assert client.actions[1] == {"click": "#send"}


def test_unknown_page_action_lists_the_choices(tmp_path):
    with pytest.raises(ScenarioError) as info:
        _load(tmp_path, '{url: "http://127.0.0.1:3000"}', '{page: /, actions: [{tap: "#x"}]}')
    assert "click" in info.value.choices and "fill" in info.value.choices


def test_control_options_merge_into_the_app_server(tmp_path):
    case, = _load(tmp_path, '{app: "node index.js", env: {PORT: "{port}"}, options: {pingInterval: 500}}',
                  extra="control: {server: {options: {connectionStateRecovery: null}}, expect: [connected: {}]}")
    control = case.control.servers[0]
    assert control.spec.app == case.servers[0].spec.app
    assert control.options == {"pingInterval": 500, "connectionStateRecovery": None}


def test_single_instance_app(tmp_path):
    case, = _load(tmp_path, '{app: "node index.js", env: {PORT: "{port}"}, single_instance: true}')
    assert case.servers[0].spec.app.single_instance


@pytest.mark.parametrize("server, message", [
    ('{app: "node index.js", env: {PORT: "{port}"}, single_instance: maybe}', "single_instance"),
    ('{url: "http://x", single_instance: true}', "no meaning for a `url:` server"),
])
def test_single_instance_errors(tmp_path, server, message):
    with pytest.raises(ScenarioError, match=message):
        _load(tmp_path, server)
