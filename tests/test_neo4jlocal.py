"""`kg neo4j start|stop|status|env` on the real server, in a throw-away instance folder.

The jars come from the shared cache (provisioned once); each test gets its own instance
home and a free port, so the session's instance (tests/conftest.py) is left alone.
"""
from __future__ import annotations

import json
import os
import shlex
import socket
import stat

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import Neo4jServerError
from kg.neo4jlocal import NEO4J_VERSION, default_layout, status
from kg.neo4jlocal.provision import find_java, find_maven
from kg.neo4jlocal.state import pid_alive


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An empty instance folder on a free port; stopped at the end whatever happened."""
    monkeypatch.setenv("KG_NEO4J_HOME", str(tmp_path / "instance"))
    monkeypatch.delenv("KG_NEO4J_PORT", raising=False)
    monkeypatch.delenv("KG_NEO4J_HEAP", raising=False)
    yield free_port()
    from kg.neo4jlocal import stop

    stop()


def kg(*args: str):
    return CliRunner().invoke(main, ["neo4j", *args])


def test_start_status_env_stop_cycle(instance):
    port = instance
    assert kg("status").output.startswith("not set up")

    started = kg("start", "--port", str(port))
    assert started.exit_code == 0, started.output
    state = status().state
    assert started.stdout.startswith(f"Neo4j {NEO4J_VERSION} started at bolt://127.0.0.1:{port} (pid {state.pid}) in ")
    assert stat.S_IMODE(os.stat(default_layout().state_file).st_mode) == 0o600

    again = kg("start")
    assert again.stdout == f"Neo4j is already running at bolt://127.0.0.1:{port} (pid {state.pid}).\n"

    lines = kg("status").output.splitlines()
    assert lines[:4] == ["running", f"uri      bolt://127.0.0.1:{port}", f"pid      {state.pid}",
                         f"version  Neo4j Community {NEO4J_VERSION}"]
    assert json.loads(kg("status", "--json").output) == {
        "running": True, "uri": f"bolt://127.0.0.1:{port}", "pid": state.pid, "version": NEO4J_VERSION,
        "home": str(default_layout().home)}

    exported = dict(shlex.split(line)[1].split("=", 1) for line in kg("env").output.splitlines())
    assert sorted(exported) == ["NEO4J_PASSWORD", "NEO4J_URI", "NEO4J_USERNAME"]
    from kg.connection import open_driver, resolve_settings

    with open_driver(resolve_settings(env=exported)) as driver:
        versions = driver.execute_query("CALL dbms.components() YIELD versions, edition RETURN versions, edition")
        assert versions.records[0]["versions"] == [NEO4J_VERSION]
        assert versions.records[0]["edition"] == "community"
    with socket.socket() as probe:  # bound to 127.0.0.1 only: another loopback address is refused
        assert probe.connect_ex(("127.0.0.2", port)) != 0

    stopped = kg("stop")
    assert stopped.stdout == f"Neo4j (pid {state.pid}) stopped.\n"
    assert not pid_alive(state.pid)
    assert kg("status").output.startswith("stopped\n")
    not_running = kg("env")
    assert (not_running.exit_code, not_running.output) == (
        1, "Error: the project's Neo4j is not running (start it with `kg neo4j start`)\n")
    assert kg("stop").stdout == "Neo4j is not running.\n"


def test_busy_port_says_which_and_how(instance):
    port = instance
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        result = kg("start", "--port", str(port))
    assert result.exit_code == 1
    assert result.output.endswith(
        f"Error: 127.0.0.1:{port}: port {port} on 127.0.0.1 is already in use "
        f"(stop what listens there, or pick another port: kg neo4j start --port {port + 1})\n")
    assert not status().running


def test_failed_start_shows_the_log(instance, monkeypatch):
    monkeypatch.setenv("KG_NEO4J_HEAP", "lots")
    result = kg("start", "--port", str(instance))
    assert result.exit_code == 1
    assert "Neo4j exited during start-up (exit 1); last lines of its log:" in result.output
    assert "Invalid initial heap size: -Xmslots" in result.output
    assert result.output.rstrip().endswith("(fix the cause shown in the log, then run `kg neo4j start` again)")
    assert not status().running and status().state.pid is None


def test_missing_java_says_how_to_install(tmp_path):
    with pytest.raises(Neo4jServerError) as caught:
        find_java(env={"PATH": str(tmp_path)})
    assert caught.value.message == (
        "JAVA_HOME / PATH: Java was not found (Neo4j runs on the JVM) (install a Java 17 or 21 runtime, "
        "e.g. `apt-get install -y openjdk-17-jre-headless` on Debian/Ubuntu, or set JAVA_HOME to one)")


def test_missing_maven_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_NEO4J_HOME", str(tmp_path / "instance"))
    monkeypatch.setenv("KG_NEO4J_CACHE", str(tmp_path / "empty-cache"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(find_java())  # Java present, Maven absent
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(Neo4jServerError) as caught:
        find_maven()
    assert caught.value.message.startswith("PATH: Maven (mvn) was not found; it is needed once to fetch")
    result = kg("start", "--port", str(free_port()))
    assert result.exit_code == 1
    assert "apt-get install -y maven" in result.output
