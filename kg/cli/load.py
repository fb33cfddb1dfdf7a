"""``kg load``: read inputs into papers and report what was read, merged and skipped.

Parse-and-report only: nothing is written. Problems go to stderr as they are found,
one line each; the summary follows. ``--json`` puts the merged papers on stdout as
JSON Lines (the summary then goes to stderr, so the output can be piped).
"""
from __future__ import annotations

import json
import sys

import click

from kg.cli.options import quiet_option, show_progress

FORMAT_CHOICES = ("listing", "jsonl", "csv", "atom", "bibtex")


@click.command("load")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "--format", "fmt", type=click.Choice(FORMAT_CHOICES), default=None,
    help="Read every input in this format (default: from extension and content).",
)
@click.option(
    "--field", "field_specs", multiple=True, metavar="KEY=COLUMN",
    help="Field name in JSONL/CSV inputs, e.g. --field abstract=summary (keys: id title abstract date url arxiv_id venue year authors).",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) if any entry or file was skipped.")
@click.option("--json", "as_json", is_flag=True, help="Print the merged papers as JSON Lines on stdout.")
@quiet_option
def load(inputs: tuple[str, ...], fmt: str | None, field_specs: tuple[str, ...], strict: bool, as_json: bool, quiet: bool) -> None:
    """Read INPUT files and folders into papers and report what was read, merged and skipped.

    \b
    Formats: saved listing pages (.txt), JSON Lines (.jsonl), CSV/TSV, arXiv API Atom
    (.xml), BibTeX with abstracts (.bib). Folders are read recursively.
    \b
    Examples:
      kg load examples/corpus
      kg load papers.csv --field abstract=summary --field title=name
      kg load examples/corpus --json > papers.jsonl
    """
    from tqdm import tqdm

    from kg.errors import UsageError
    from kg.loaders import parse_field_specs, read_corpus

    try:
        fields = parse_field_specs(field_specs)
    except UsageError as error:
        raise click.BadParameter(f"{error.what} ({error.fix})", param_hint="'--field'") from error

    def on_problem(problem) -> None:
        tqdm.write(problem.message, file=sys.stderr)

    report = read_corpus(inputs, format=fmt, fields=fields, on_problem=on_problem, progress=show_progress(quiet))
    if as_json:
        for paper in report.papers:
            click.echo(json.dumps(paper.to_dict(), ensure_ascii=False))
        click.echo(report.summary(), err=True)
    else:
        click.echo(report.summary())
    report.check(strict=strict)
