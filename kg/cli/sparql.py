"""``kg sparql``: SPARQL over RDF exports with rdflib, for users without a triple store.

A thin wrapper over :mod:`kg.rdf.query` and :mod:`kg.tabular` (the same tables as ``kg query``).
"""
from __future__ import annotations

from pathlib import Path

import click

DEFAULT_EXPORT = "out/graph.ttl"


def _bindings(pairs: tuple[str, ...]) -> dict[str, str]:
    from kg.errors import UsageError

    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param {pair!r} is not KEY=VALUE", where="--param",
                             fix="write it as --param name=value, e.g. --param dataset=SQuAD")
        values[key.strip()] = value
    return values


@click.command("sparql")
@click.argument("args", nargs=-1, metavar="[QUERY] [FILE...]")
@click.option("--file", "query_file", type=click.Path(dir_okay=False), metavar="Q.rq",
              help="Read the query from this file; then every argument is an export FILE.")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Bind ?KEY to the string VALUE (rdflib initBindings). Repeat for more.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--list", "list_queries", is_flag=True, help="List the named SPARQL queries and their parameters.")
def sparql(args, query_file, params, fmt, list_queries):
    """Run SPARQL over RDF export FILEs (default: out/graph.ttl).

    \b
    QUERY is SPARQL text, or the name of a packaged query (kg/rdf/sparql/NAME.rq, the
    twins of the named Cypher queries). The format of each FILE comes from its
    extension: .ttl .nt .nq .jsonld .rdf .xml .trig.
    \b
    Examples:
      kg sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' out/graph.ttl
      kg sparql methods_on_dataset --param dataset=SQuAD out/graph.ttl
      kg sparql --file my.rq out/graph.nt --format csv
      kg sparql --list
    """
    from kg.errors import UsageError
    from kg.rdf.query import check_bindings, load_exports, named_queries, named_query, run_sparql
    from kg.tabular import format_rows

    if list_queries:
        rows = [[q.name, ", ".join(f"{n}{'' if req else '?'}" for n, _, req, _ in q.params), q.summary]
                for q in named_queries()]
        click.echo(format_rows(["name", "parameters", "answers"], rows, fmt))
        return
    args = list(args)
    bindings = _bindings(params)
    if query_file:
        path = Path(query_file)
        if not path.is_file():
            raise UsageError("no such query file", where=query_file, fix="give the path of a .rq file")
        text, where = path.read_text(encoding="utf-8"), query_file
    elif args:
        first = args.pop(0)
        if first.replace("_", "").isalnum() and first.islower():
            named = named_query(first)
            check_bindings(named, bindings)
            text, where = named.text, named.source
        else:
            text, where = first, "QUERY"
    else:
        raise UsageError("no query given", fix="pass SPARQL text, a named query (see --list) or --file q.rq")
    files = args or [DEFAULT_EXPORT]
    dataset = load_exports(files)
    result = run_sparql(dataset, text, bindings, where=where)
    if isinstance(result, tuple):
        columns, rows = result
        click.echo(format_rows(columns, rows, fmt))
    else:  # CONSTRUCT / DESCRIBE: a graph
        click.echo(result.serialize(format="turtle"))
