"""Connection settings: precedence, and one clear line when Neo4j cannot be used (real server)."""
from __future__ import annotations

import socket
from dataclasses import replace

import click
import pytest
from click.testing import CliRunner

from kg.cli.options import neo4j_options
from kg.connection import Neo4jSettings, open_driver, resolve_settings
from kg.errors import Neo4jUnavailable

ENV = {"NEO4J_URI": "bolt://db.example:7687", "NEO4J_USERNAME": "alice", "NEO4J_PASSWORD": "from-env",
       "NEO4J_DATABASE": "papers"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_environment_variables_are_used():
    assert resolve_settings(env=ENV) == Neo4jSettings("bolt://db.example:7687", "alice", "from-env", "papers")


def test_flags_win_over_environment_variables():
    settings = resolve_settings(uri="neo4j://other:7688", password="from-flag", env=ENV)
    assert settings == Neo4jSettings("neo4j://other:7688", "alice", "from-flag", "papers")


def test_routing_and_aura_uris_pass_unchanged():
    for uri in ("neo4j://cluster.example:7687", "neo4j+s://abcd1234.databases.neo4j.io"):
        assert resolve_settings(uri=uri, env={}).uri == uri


def test_password_is_not_shown_in_repr():
    assert "from-env" not in repr(resolve_settings(env=ENV))


def test_neo4j_options_reach_the_command():
    @click.command()
    @neo4j_options
    def probe(uri, username, password, database):
        click.echo(resolve_settings(uri, username, password, database, env=ENV))

    out = CliRunner().invoke(probe, ["--uri", "bolt://x:1", "--database", "neo4j"]).output
    assert out.strip() == ("Neo4jSettings(uri='bolt://x:1', username='alice', password=***, database='neo4j')")


def test_own_instance_is_used_when_nothing_is_set(neo4j_settings):
    from kg.neo4jlocal import local_state

    state = local_state()
    if state is None:  # the session uses NEO4J_URI: then nothing configured means no Neo4j at all
        with pytest.raises(Neo4jUnavailable):
            resolve_settings(env={})
        return
    settings = resolve_settings(env={})
    assert (settings.uri, settings.username, settings.password) == (state.uri, state.username, state.password)


def test_nothing_configured_and_not_running_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_NEO4J_HOME", str(tmp_path / "never-started"))
    with pytest.raises(Neo4jUnavailable) as caught:
        resolve_settings(env={})
    assert caught.value.message == (
        "no Neo4j is configured and the project's own is not running (start the project's own with "
        "`kg neo4j start` and `eval \"$(kg neo4j env)\"`, or set NEO4J_URI, NEO4J_USERNAME and NEO4J_PASSWORD "
        "(or --uri/--username/--password) to a running Neo4j 5)")


def test_wrong_password_gives_one_clear_line(neo4j_settings):
    wrong = replace(neo4j_settings, password="not-the-password")
    with pytest.raises(Neo4jUnavailable) as caught:
        open_driver(wrong)
    message = caught.value.message
    assert "\n" not in message
    assert message == (f"{wrong.uri}: Neo4j at {wrong.uri} refused the credentials of user "
                       f"{wrong.username!r} (set the right NEO4J_USERNAME/NEO4J_PASSWORD (or --username/--password); "
                       "for the project's own instance run `eval \"$(kg neo4j env)\"`)")


def test_unreachable_port_gives_one_clear_line():
    uri = f"bolt://127.0.0.1:{free_port()}"
    with pytest.raises(Neo4jUnavailable) as caught:
        open_driver(Neo4jSettings(uri, "neo4j", "whatever"))
    assert "\n" not in caught.value.message
    assert caught.value.message.startswith(f"{uri}: no Neo4j answers at {uri} (start the project's own with")


def test_not_a_bolt_uri_is_refused_before_connecting():
    with pytest.raises(Neo4jUnavailable, match="not a Bolt URI: 'http://127.0.0.1:7474'"):
        open_driver(Neo4jSettings("http://127.0.0.1:7474", "neo4j", "x"))


def test_routing_uri_works_against_the_server(neo4j_settings):
    scheme, address = neo4j_settings.uri.split("://", 1)
    routed = replace(neo4j_settings, uri=f"neo4j://{address}" if scheme == "bolt" else neo4j_settings.uri)
    with open_driver(routed) as driver:
        assert driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1


def test_unknown_database_gives_one_clear_line(neo4j_settings):
    from kg.store import read_counts

    with pytest.raises(Neo4jUnavailable) as caught:
        read_counts(replace(neo4j_settings, database="nosuchdb"))
    assert caught.value.message.startswith(f"NEO4J_DATABASE: database 'nosuchdb' does not exist at {neo4j_settings.uri}")
