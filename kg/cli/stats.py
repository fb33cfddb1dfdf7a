"""``kg stats``: nodes by label and relationships by type, from a snapshot or from Neo4j."""
from __future__ import annotations

import json

import click

from kg.cli.build import neo4j_settings
from kg.cli.options import neo4j_options


def format_counts(counts: dict[str, dict[str, int]]) -> str:
    """Two aligned tables, labels then relationship types, with totals."""
    lines = []
    for title, table in (("nodes", counts.get("nodes", {})), ("relationships", counts.get("relationships", {}))):
        width = max([len(k) for k in table] + [5])
        lines.append(f"{title}:")
        lines.extend(f"  {k:<{width}}  {v:>7}" for k, v in table.items())
        shown = {k: v for k, v in table.items() if k != "Entity"}
        lines.append(f"  {'total':<{width}}  {sum(shown.values()):>7}")
    return "\n".join(lines)


@click.command("stats")
@click.argument("snapshot", required=False, metavar="[DIR]")
@click.option("--neo4j", "from_neo4j", is_flag=True, help="Count in Neo4j instead of a snapshot.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@neo4j_options
def stats(snapshot, from_neo4j, as_json, **neo4j_params):
    """Count nodes by label and relationships by type.

    \b
    DIR is a folder written by `kg build --out DIR` (or its graph.json); with --neo4j
    the counts come from the database instead. ("Entity" counts every entity label.)
    \b
    Examples:
      kg stats out
      kg stats --neo4j --json
    """
    from kg.errors import UsageError

    if from_neo4j == bool(snapshot):
        raise UsageError("give a snapshot DIR or --neo4j (one of them)", fix="e.g. `kg stats out` or `kg stats --neo4j`")
    if from_neo4j:
        from kg.store import read_counts

        counts = read_counts(neo4j_settings(neo4j_params))
    else:
        from kg.graph.snapshot import read_snapshot
        from kg.pipeline import count_graph

        counts = count_graph(read_snapshot(snapshot))
    if as_json:
        click.echo(json.dumps(counts, indent=1, sort_keys=True))
    else:
        click.echo(format_counts(counts))
