"""Options shared by several commands, defined once."""
from __future__ import annotations

import sys

import click


def quiet_option(func):
    """``-q/--quiet``: no progress bar (it is also off when stderr is not a terminal)."""
    return click.option("-q", "--quiet", is_flag=True, help="No progress bar.")(func)


def show_progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


def neo4j_options(func):
    """``--uri/--username/--password/--database``; each falls back to NEO4J_URI etc., then to
    the project's own running instance (resolved by ``kg.connection.resolve_settings``)."""
    options = [
        click.option("--uri", default=None, metavar="URI",
                     help="Neo4j address, e.g. bolt://127.0.0.1:7687 [env NEO4J_URI; default: the running `kg neo4j`]."),
        click.option("--username", default=None, help="Neo4j user [env NEO4J_USERNAME; default neo4j]."),
        click.option("--password", default=None, help="Neo4j password [env NEO4J_PASSWORD]."),
        click.option("--database", default=None, help="Database name [env NEO4J_DATABASE; default: the server's]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func
