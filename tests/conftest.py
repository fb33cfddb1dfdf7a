"""Shared fixtures. Neo4j tests run against a real server, never a mock:

- NEO4J_URI (and NEO4J_USERNAME/NEO4J_PASSWORD/NEO4J_DATABASE) when set, else
- the project's own instance when it is running (``kg neo4j start``), else
- the project's own instance started here, and stopped at the end of the session.

If no Neo4j can be had, the tests that need it fail with the reason; they are not skipped.
Tests that use ``neo4j_settings`` (directly or through ``clean_db``) are marked ``neo4j``.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile

import pytest


@pytest.fixture(scope="session")
def neo4j_settings():
    """Settings of a reachable Neo4j for the whole test session."""
    from kg.connection import open_driver, resolve_settings
    from kg.neo4jlocal import local_state, start, stop

    started_here = False
    if not os.environ.get("NEO4J_URI") and local_state() is None:
        started_here = not start().already_running
    settings = resolve_settings()
    open_driver(settings).close()  # fail here, with the clear message, if it cannot be used
    # Test sessions that run at the same time on one machine (several checkouts, several
    # developers) share the one database and empty it: take turns, one session at a time.
    digest = hashlib.sha1(f"{settings.uri}/{settings.database}".encode()).hexdigest()[:12]
    with open(os.path.join(tempfile.gettempdir(), f"kg-neo4j-tests-{digest}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield settings
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            if started_here:
                stop()


@pytest.fixture
def clean_db(neo4j_settings):
    """An empty database (constraints and indexes stay): for tests that write and count."""
    from kg.connection import open_driver

    with open_driver(neo4j_settings) as driver:
        with driver.session(database=neo4j_settings.database) as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    return neo4j_settings


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "neo4j_settings" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.neo4j)
