"""``kg query``: named queries from the catalogue, or your own Cypher, against Neo4j.

A thin wrapper over :mod:`kg.querying` (the rules: parameters as Cypher parameters,
read-only unless ``--write``, row limit, transaction timeout) and :mod:`kg.tabular`.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from kg.cli.options import neo4j_options


def _split_param(text: str) -> tuple[str, str]:
    from kg.errors import UsageError

    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--param {text!r} is not KEY=VALUE", where="--param",
                         fix="write it as --param name=value, e.g. --param dataset=ImageNet")
    return key.strip(), value


def named_values(query, pairs: tuple[str, ...]) -> dict:
    """``--param key=value`` strings typed by the named query's header."""
    from kg.errors import QueryError
    from kg.queries import parse_text

    values = {}
    for pair in pairs:
        key, raw = _split_param(pair)
        param = query.param(key)
        if param is None:
            known = ", ".join(p.name for p in query.params) or "none"
            raise QueryError(f"query {query.name!r} has no parameter {key!r}", where=query.source,
                             fix=f"its parameters are: {known}")
        values[key] = parse_text(param, raw, where=f"--param {key}")
    return values


def adhoc_values(pairs: tuple[str, ...]) -> dict:
    """``--param key=value`` for ad-hoc Cypher: JSON when the value parses as JSON, else a string."""
    values = {}
    for pair in pairs:
        key, raw = _split_param(pair)
        try:
            values[key] = json.loads(raw)
        except ValueError:
            values[key] = raw
    return values


def _list_text(fmt: str) -> str:
    from kg.queries import catalogue
    from kg.tabular import format_rows

    queries = catalogue().values()
    if fmt == "json":
        return json.dumps([q.as_dict() for q in queries], indent=2, ensure_ascii=False)

    def signature(q):
        return " ".join(p.name if p.required else f"[{p.name}={'null' if p.default is None else p.default}]"
                        for p in q.params)

    rows = [[q.name, signature(q), q.title] for q in queries]
    return format_rows(["name", "parameters", "answers"], rows, fmt)


@click.command("query")
@click.argument("name", required=False)
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter, typed by the query's header (lists: a,b,c). Repeat for more.")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and their parameters.")
@click.option("--cypher", "cypher", default=None, metavar="TEXT", help="Run this Cypher instead of a named query.")
@click.option("--file", "cypher_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Run the Cypher in this file.")
@click.option("--write", is_flag=True, help="Allow --cypher/--file to change the graph (a write transaction).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="Output format.")
@click.option("--limit", type=click.IntRange(0), default=10_000, show_default=True,
              help="Most rows to print (the query stops there).")
@click.option("--timeout", type=click.FloatRange(0.1), default=60.0, show_default=True,
              help="Seconds before Neo4j stops the transaction.")
@neo4j_options
def query(name, params, list_queries, cypher, cypher_file, write, fmt, limit, timeout,
          uri, username, password, database) -> None:
    """Run the named query NAME, or Cypher from --cypher/--file, and print the rows.

    \b
    Parameters always reach Neo4j as Cypher parameters ($name), never as text.
    Your own Cypher runs in a READ transaction: a write is refused unless --write.
    Needs a running Neo4j: `kg neo4j start`, or NEO4J_URI/NEO4J_USERNAME/NEO4J_PASSWORD.
    \b
    Examples:
      kg query --list
      kg query top_entities --param type=dataset --param limit=5
      kg query methods_on_dataset -p dataset=imagenet --format json
      kg query --cypher 'MATCH (m:Method) WHERE m.name STARTS WITH $p RETURN m.name' -p p=Res
      kg query --file my.cypher --format csv > rows.csv
    """
    from kg.errors import UsageError

    sources = sum(bool(x) for x in (name, cypher, cypher_file))
    if list_queries:
        if sources:
            raise UsageError("--list takes no query", fix="run `kg query --list` alone")
        click.echo(_list_text(fmt))
        return
    if sources != 1:
        raise UsageError("give exactly one of NAME, --cypher TEXT or --file PATH",
                         fix="see `kg query --list` for the named queries")
    if write and name:
        raise UsageError("--write applies to --cypher/--file only; named queries only read",
                         fix="drop --write")

    from kg.connection import open_driver, resolve_settings
    from kg.querying import run_cypher, run_named
    from kg.tabular import format_rows

    if name:
        from kg.queries import get

        values = named_values(get(name), params)
    else:
        values = adhoc_values(params)
        if cypher_file:
            text, where = cypher_file.read_text(encoding="utf-8"), str(cypher_file)
        else:
            text, where = cypher, "--cypher"

    settings = resolve_settings(uri, username, password, database)
    driver = open_driver(settings)
    try:
        if name:
            result = run_named(driver, name, values, database=settings.database, timeout=timeout, max_rows=limit)
        else:
            result = run_cypher(driver, text, values, write=write, database=settings.database,
                                timeout=timeout, max_rows=limit, where=where)
    finally:
        driver.close()
    click.echo(format_rows(result.columns, result.rows, fmt))
    if not result.rows and fmt == "table":
        click.echo("(no rows)", err=True)
    if result.truncated:
        click.echo(f"(stopped after {limit} rows; raise --limit for more)", err=True)
    if result.counters:
        click.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in sorted(result.counters.items())), err=True)
