"""``kg viz``: draw the graph, or part of it, as one self-contained interactive HTML page.

A thin wrapper over :func:`kg.viz.write_page`; the graph comes from a snapshot folder
(``kg build --out DIR``), from Neo4j (``--neo4j``), or from a named query's result.
"""
from __future__ import annotations

from pathlib import Path

import click

from kg.cli.options import neo4j_options


@click.command("viz")
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option("--neo4j", "from_neo4j", is_flag=True, help="Read the graph from Neo4j instead of a snapshot.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("graph.html"),
              show_default=True, help="The HTML file to write.")
@click.option("-t", "--type", "types", multiple=True, metavar="TYPE",
              help="Keep only these node types (method, dataset, benchmark, metric, task, paper, result). Repeat or comma-separate.")
@click.option("--around", default=None, metavar="NAME", help="Only nodes near this one (name, alias, title or id).")
@click.option("--depth", type=click.IntRange(0), default=1, show_default=True, help="Hops from --around.")
@click.option("--query", "query_name", default=None, metavar="NAME",
              help="Draw what a named query returns (needs Neo4j; see `kg query --list`).")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="A --query parameter. Repeat for more.")
@click.option("--min-papers", type=click.IntRange(0), default=0, show_default=True,
              help="Drop entities seen in fewer papers.")
@click.option("--max-nodes", type=click.IntRange(0), default=300, show_default=True,
              help="Keep at most this many nodes, the most connected (0: no cap).")
@click.option("--title", default=None, help="Page title.")
@neo4j_options
def viz(source, from_neo4j, out, types, around, depth, query_name, params, min_papers, max_nodes, title,
        uri, username, password, database) -> None:
    """Write an interactive page of the graph in SOURCE (a `kg build --out` folder or graph.json).

    \b
    The page is one HTML file with everything inline: it opens from disk, offline.
    Colour and shape show the type, size the paper count; hover for names, aliases,
    counts and evidence sentences; the search box finds and focuses a node.
    \b
    Examples:
      kg viz out --out page.html
      kg viz out --type method --type dataset --min-papers 2 --out methods.html
      kg viz out --around BERT --depth 2 --out bert.html
      kg viz --neo4j --max-nodes 500 --out page.html
      kg viz --query outperforms --param dataset=GLUE --out glue.html
    """
    from kg.errors import UsageError

    if query_name or from_neo4j:
        if source is not None:
            raise UsageError("give either SOURCE or --neo4j/--query, not both",
                             fix="drop SOURCE to read from Neo4j, or drop --neo4j/--query to read the snapshot")
    elif source is None:
        raise UsageError("nothing to draw", fix="give a folder written by `kg build --out DIR`, or --neo4j")
    if params and not query_name:
        raise UsageError("--param goes with --query", fix="add --query NAME, or drop --param")

    from kg.viz import write_page

    if query_name or from_neo4j:
        from kg.cli.query import named_values
        from kg.connection import open_driver, resolve_settings
        from kg.viz.neo4j_source import query_graph, read_graph

        settings = resolve_settings(uri, username, password, database)
        driver = open_driver(settings)
        try:
            if query_name:
                from kg.queries import get

                graph, rows = query_graph(driver, query_name, named_values(get(query_name), params),
                                          database=settings.database)
                click.echo(f"{query_name}: {rows} rows, {graph.number_of_nodes()} nodes in them", err=True)
            else:
                graph = read_graph(driver, database=settings.database)
        finally:
            driver.close()
        label = f"query {query_name}" if query_name else settings.uri
    else:
        from kg.graph.snapshot import read_snapshot

        graph = read_snapshot(source)
        label = str(source)
    if title is None:
        title = f"kg: {label}" + (f" around {around}" if around else "")
    report = write_page(graph, out, types=types or None, around=around, depth=depth, min_papers=min_papers,
                        max_nodes=max_nodes, title=title)
    click.echo(report.summary())
