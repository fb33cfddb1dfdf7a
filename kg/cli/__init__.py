"""The ``kg`` command: a click group whose subcommands are imported only when called.

Each subcommand lives in its own module under ``kg/cli/`` and is listed in
``COMMANDS``; nothing heavy (spaCy, rdflib, pyvis, the neo4j driver) is imported
until a command that needs it runs, so ``kg --help`` answers at once.
"""
from __future__ import annotations

import importlib

import click

from kg import __version__
from kg.errors import KGError

# name -> (module under kg.cli, attribute, one-line help shown by `kg --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "load": ("load", "load", "Read input files into papers and report what was read, merged and skipped."),
    "build": ("build", "build", "Build the graph: snapshot, page and RDF in DIR, and Neo4j with --neo4j."),
    "stats": ("stats", "stats", "Count nodes by label and relationships by type."),
    "extract": ("extract", "extract", "Extract entities and relations, one JSON object per paper."),
    "eval": ("evaluate", "evaluate", "Score extraction against a gold file (same table as score.py)."),
    "entities": ("entities", "entities", "List canonical entities with aliases and counts."),
    "show": ("entities", "show", "Show one entity: type, aliases, papers and relations with evidence."),
    "query": ("query", "query", "Run a named query or read-only Cypher against Neo4j."),
    "serve": ("serve", "serve", "Serve the HTTP query API (OpenAPI docs at /docs)."),
    "viz": ("viz", "viz", "Draw the graph (or part of it) as an interactive HTML page."),
    "export": ("export", "export", "Export the graph as RDF (Turtle, N-Triples, JSON-LD, RDF/XML)."),
    "sparql": ("sparql", "sparql", "Run SPARQL over an RDF export with rdflib."),
    "neo4j": ("neo4j_cmd", "neo4j", "Provision, start, stop and inspect the project's own Neo4j."),
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, attribute, _ = COMMANDS[name]
        module = importlib.import_module(f"kg.cli.{module_name}")
        return getattr(module, attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KGError as error:
            if error.exit_code == 2:
                raise click.UsageError(error.message, ctx) from error
            raise click.ClickException(error.message) from error


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Build and query a knowledge graph of machine-learning literature.

    \b
    Typical run:
      kg build examples/corpus --out out        # snapshot, page and RDF, no Neo4j needed
      kg neo4j start && eval "$(kg neo4j env)"  # the project's own Neo4j
      kg build examples/corpus --out out --neo4j
      kg query --list
    """
