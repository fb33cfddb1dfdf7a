"""Which Neo4j to talk to, and one clear line when it cannot be reached.

Precedence, field by field: command-line flags, then the driver ecosystem's variables
(NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE), then the project's own
instance when it is running (``kg neo4j start``). Any Neo4j 5 works: Docker ``neo4j:5``,
Desktop, Aura (``neo4j+s://`` routing URIs pass through unchanged).
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

from kg.errors import KGError, Neo4jUnavailable

START_HINT = ('start the project\'s own with `kg neo4j start` and `eval "$(kg neo4j env)"`, '
              "or set NEO4J_URI, NEO4J_USERNAME and NEO4J_PASSWORD (or --uri/--username/--password) "
              "to a running Neo4j 5")

BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


@dataclass(frozen=True)
class Neo4jSettings:
    """Where and as whom to connect; ``database`` None means the server's default database."""

    uri: str
    username: str = "neo4j"
    password: str | None = None
    database: str | None = None

    def __repr__(self) -> str:  # never print the password
        return (f"Neo4jSettings(uri={self.uri!r}, username={self.username!r}, "
                f"password={'***' if self.password else None}, database={self.database!r})")

    @property
    def auth(self) -> tuple[str, str] | None:
        return (self.username, self.password) if self.password is not None else None


def resolve_settings(uri: str | None = None, username: str | None = None, password: str | None = None,
                     database: str | None = None, *, env: dict | None = None) -> Neo4jSettings:
    """Flags > NEO4J_* variables > the project's running instance; else :class:`Neo4jUnavailable`."""
    env = os.environ if env is None else env
    uri = uri or env.get("NEO4J_URI") or None
    username = username or env.get("NEO4J_USERNAME") or None
    password = password if password is not None else env.get("NEO4J_PASSWORD")
    database = database or env.get("NEO4J_DATABASE") or None
    if uri:
        return Neo4jSettings(uri=uri, username=username or "neo4j", password=password, database=database)
    from kg.neo4jlocal import local_state

    state = local_state()
    if state is None:
        raise Neo4jUnavailable("no Neo4j is configured and the project's own is not running", fix=START_HINT)
    return Neo4jSettings(uri=state.uri, username=username or state.username,
                         password=password if password is not None else state.password, database=database)


def explain(error: Exception, settings: Neo4jSettings) -> Neo4jUnavailable | None:
    """Turn a driver error into one clear :class:`Neo4jUnavailable`, or None if it is not about reaching Neo4j."""
    from neo4j.exceptions import (AuthError, ClientError, ConfigurationError, ServiceUnavailable,
                                  SessionExpired)

    if isinstance(error, AuthError):
        return Neo4jUnavailable(f"Neo4j at {settings.uri} refused the credentials of user {settings.username!r}",
                                where=settings.uri,
                                fix="set the right NEO4J_USERNAME/NEO4J_PASSWORD (or --username/--password); "
                                    'for the project\'s own instance run `eval "$(kg neo4j env)"`')
    if isinstance(error, (ServiceUnavailable, SessionExpired)):
        return Neo4jUnavailable(f"no Neo4j answers at {settings.uri}", where=settings.uri, fix=START_HINT)
    if isinstance(error, (ConfigurationError, ValueError)):
        return Neo4jUnavailable(f"not a usable Neo4j URI {settings.uri!r} ({error})", where="NEO4J_URI",
                                fix="use bolt://host:7687, neo4j://host:7687 or neo4j+s://<id>.databases.neo4j.io")
    if isinstance(error, ClientError) and error.code == "Neo.ClientError.Database.DatabaseNotFound":
        return Neo4jUnavailable(f"database {settings.database!r} does not exist at {settings.uri}",
                                where="NEO4J_DATABASE",
                                fix="unset NEO4J_DATABASE to use the default, or name an existing database "
                                    "(Community has only 'neo4j')")
    return None


def open_driver(settings: Neo4jSettings):
    """A connected ``neo4j.Driver`` (checked with ``verify_connectivity``); close it when done."""
    from neo4j import GraphDatabase

    scheme = settings.uri.split("://", 1)[0] if "://" in settings.uri else ""
    if scheme not in BOLT_SCHEMES:
        raise Neo4jUnavailable(f"not a Bolt URI: {settings.uri!r}", where="NEO4J_URI / --uri",
                               fix="use bolt://host:7687, neo4j://host:7687 or neo4j+s://<id>.databases.neo4j.io")
    try:
        driver = GraphDatabase.driver(settings.uri, auth=settings.auth, connection_timeout=10.0)
    except Exception as error:  # a malformed URI fails here, before any connection
        raise (explain(error, settings) or error) from None
    try:
        driver.verify_connectivity()
    except Exception as error:
        driver.close()
        clear = explain(error, settings)
        if clear is None:
            raise
        raise clear from None
    return driver


@contextlib.contextmanager
def connected(settings: Neo4jSettings):
    """A verified driver for ``settings``, closed afterwards; an error about reaching Neo4j
    inside the block leaves as one clear :class:`Neo4jUnavailable` line."""
    driver = open_driver(settings)
    try:
        yield driver
    except KGError:
        raise
    except Exception as error:
        clear = explain(error, settings)
        if clear is None:
            raise
        raise clear from None
    finally:
        driver.close()
