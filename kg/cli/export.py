"""``kg export``: the graph as RDF (Turtle, N-Triples, N-Quads, JSON-LD, RDF/XML).

A thin wrapper over :func:`kg.rdf.export_to`; N-Triples and N-Quads stream.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from kg.cli.options import neo4j_options

FORMAT_NAMES = ("turtle", "nt", "nquads", "jsonld", "xml")


def read_graph_from_neo4j(params: dict):
    """The typed graph read back from Neo4j, when ``kg.store`` offers ``read_graph``."""
    from kg.errors import UsageError
    import kg.store

    reader = getattr(kg.store, "read_graph", None)
    if reader is None:
        raise UsageError("reading the graph back from Neo4j is not available in this version", where="--neo4j",
                         fix="export from the snapshot instead: `kg export DIR` (DIR written by `kg build --out DIR`)")
    from kg.connection import resolve_settings

    return reader(resolve_settings(**params))


@click.command("export")
@click.argument("snapshot", required=False, metavar="[DIR]")
@click.option("--neo4j", "from_neo4j", is_flag=True, help="Read the graph from Neo4j instead of a snapshot.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMAT_NAMES), default="turtle", show_default=True,
              help="RDF syntax. nt and nquads are streamed (constant memory beyond the graph).")
@click.option("-o", "--out", "out", metavar="FILE",
              help="Output file; '-' for stdout [default: DIR/graph.<ext>].")
@click.option("--base-iri", default=None, metavar="IRI",
              help="Base of the data IRIs (papers, entities, statements) [default: https://w3id.org/kg-ml/].")
@click.option("--validate", "check", is_flag=True,
              help="Also check the export against schema/shapes.ttl (SHACL); exit 1 if it does not conform.")
@neo4j_options
def export(snapshot, from_neo4j, fmt, out, base_iri, check, **neo4j_params):
    """Export the graph in DIR (or in Neo4j) as RDF.

    \b
    Classes and properties are in the kg-ml ontology (schema/ontology.ttl), reusing
    Dublin Core, SKOS, schema.org and PROV-O; every relationship read from text is
    reified as an rdf:Statement with its evidence, rule, confidence and paper.
    \b
    Examples:
      kg export out                                  # out/graph.ttl
      kg export out --format nt --out graph.nt       # streamed
      kg export out --format jsonld --out - | head
      kg export out --base-iri https://example.org/kg/ --validate
    """
    from kg.errors import UsageError
    from kg.rdf import FORMATS, export_to, validate, write_export
    from kg.rdf.terms import check_base_iri

    if from_neo4j == bool(snapshot):
        raise UsageError("give a snapshot DIR or --neo4j (one of them)", fix="e.g. `kg export out` or `kg export --neo4j --out graph.ttl`")
    if base_iri:
        check_base_iri(base_iri)
    if out is None:
        if from_neo4j:
            raise UsageError("--neo4j needs --out FILE (or --out - for stdout)", where="--out",
                             fix="e.g. kg export --neo4j --out graph.ttl")
        folder = Path(snapshot)
        out = str((folder if folder.is_dir() else folder.parent) / f"graph{FORMATS[fmt][1]}")
    started = time.perf_counter()
    if from_neo4j:
        graph = read_graph_from_neo4j(neo4j_params)
    else:
        from kg.graph.snapshot import read_snapshot

        graph = read_snapshot(snapshot)
    if out == "-":
        triples = export_to(graph, sys.stdout.buffer, fmt, base_iri, where="stdout")
        sys.stdout.buffer.flush()
    else:
        triples = write_export(graph, out, format=fmt, base_iri=base_iri)["triples"]
    seconds = time.perf_counter() - started
    where = "stdout" if out == "-" else out
    click.echo(f"wrote {where}: {triples} triples ({fmt}) from {graph.number_of_nodes()} nodes and "
               f"{graph.number_of_edges()} relationships in {seconds:.1f}s", err=True)
    if check:
        from kg.rdf import to_rdf

        result = validate(to_rdf(graph, base_iri))
        if not result.conforms:
            raise click.ClickException(f"the export does not conform to schema/shapes.ttl "
                                       f"({result.violations} violations):\n{result.report[:4000]}")
        click.echo("conforms to schema/shapes.ttl (SHACL)", err=True)
