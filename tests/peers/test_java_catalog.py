"""`java@...` client specs: versions from the pom's profiles, the jar each runs, and why a machine
without a JDK / Maven, or before `make`, skips them (no Java needed here)."""

import pytest

from harness.errors import ScenarioError
from harness.peers import _catalog, installed_peers, resolve_peer, unavailable_reason


def test_the_versions_are_the_poms_sioc_profiles():
    assert _catalog._java_versions() == ("1.0.2", "2.1.2")
    assert "java" in _catalog.PEER_FAMILIES and _catalog.PEER_FAMILIES["java"][0] == "client"


@pytest.mark.parametrize("spec, label", [
    ("java@1.0.2", "java@1.0.2"), ("java@1", "java@1.0.2"),
    ("java@2.1.x", "java@2.1.2"), ("java@2.1", "java@2.1.2"), ("java@2", "java@2.1.2"), ("java@2.1.2", "java@2.1.2"),
])
def test_a_java_spec_runs_the_jar_of_its_version(spec, label):
    peer = resolve_peer(spec, "client")
    version = label.split("@")[1]
    assert (peer.label, peer.family, peer.version, peer.role) == (label, "java", version, "client")
    assert peer.argv[-2:] == ("-jar", str(_catalog.JAVA_DIR / "target" / version / "sockfault-java-peer.jar"))


def test_unknown_java_versions_and_a_java_server_list_the_choices():
    with pytest.raises(ScenarioError) as info:
        resolve_peer("java@3", "client")
    assert {"java@1.0.2", "java@2.1.2"} <= set(info.value.choices)
    with pytest.raises(ScenarioError) as info:
        resolve_peer("java@2.1.2", "server")          # a client library only
    assert not any(c.startswith("java@") for c in info.value.choices)


def test_no_jdk_or_maven_is_a_reason_to_skip(monkeypatch, tmp_path):
    monkeypatch.setattr(_catalog, "_java_jar", lambda version: tmp_path / version / "sockfault-java-peer.jar")
    monkeypatch.setattr(_catalog.shutil, "which", lambda name: None if name in ("java", "mvn") else "/bin/" + name)
    reason = unavailable_reason(resolve_peer("java@1.0.2", "client"))
    assert reason.startswith("no JDK/Maven: ") and "java and mvn" in reason
    monkeypatch.setattr(_catalog.shutil, "which", lambda name: None if name == "mvn" else "/bin/" + name)
    assert unavailable_reason(resolve_peer("java@2.1.x", "client")).startswith("no JDK/Maven: java@2.1.2 needs mvn")
    (tmp_path / "2.1.2").mkdir()
    (tmp_path / "2.1.2" / "sockfault-java-peer.jar").write_bytes(b"PK")
    assert unavailable_reason(resolve_peer("java@2.1.x", "client")) is None      # built: java alone runs it
    monkeypatch.setattr(_catalog.shutil, "which", lambda name: None)
    assert unavailable_reason(resolve_peer("java@2.1.x", "client")).startswith("no JDK/Maven: java@2.1.2 needs java")


def test_an_unbuilt_jar_says_run_make(monkeypatch, tmp_path):
    monkeypatch.setattr(_catalog.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(_catalog, "_java_jar", lambda version: tmp_path / version / "sockfault-java-peer.jar")
    reason = unavailable_reason(resolve_peer("java@2.1.x", "client"))
    assert reason.startswith("not built: run make") and "2.1.2" in reason
    (tmp_path / "2.1.2").mkdir()
    (tmp_path / "2.1.2" / "sockfault-java-peer.jar").write_bytes(b"PK")
    assert unavailable_reason(resolve_peer("java@2.1.x", "client")) is None
    rows = [r for r in installed_peers()["client"] if r.startswith("java@")]
    assert rows[0].startswith("java@1.0.2: UNAVAILABLE: not built: run make") and rows[1].startswith("java@2.1.2: socket.io")
