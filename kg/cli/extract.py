"""``kg extract``: entities, relations and results per paper, one JSON object a line.

The record shape is the one ``../shared/eval/README.md`` describes (``title``,
``entities``, ``aliases``, ``proposes``, ``evaluated_on``) plus the evidence:
``mentions`` with offsets into title + blank line + abstract, ``relations`` and ``results``.
"""
from __future__ import annotations

import json
import sys

import click

from kg.cli.options import quiet_option, show_progress

INPUT_FORMATS = ("listing", "jsonl", "csv", "atom", "bibtex")


def read_papers(inputs, input_format, field_specs, quiet):
    """Papers from the loaders; problems go to stderr one line each."""
    from kg.errors import UsageError
    from kg.loaders import parse_field_specs, read_corpus

    try:
        fields = parse_field_specs(field_specs)
    except UsageError as error:
        raise click.BadParameter(f"{error.what} ({error.fix})", param_hint="'--field'") from error

    def on_problem(problem) -> None:
        click.echo(problem.message, err=True)

    report = read_corpus(inputs, format=input_format, fields=fields, on_problem=on_problem,
                         progress=show_progress(quiet))
    report.check()  # nothing read at all is an error that says what to give instead
    return report.papers


def run_extraction(papers, processes: int, no_model: bool, quiet: bool):
    """(paper, record) pairs with a progress bar on a terminal."""
    from kg.extract.document import extract_records

    pairs = extract_records(papers, n_process=processes, use_model=not no_model)
    if show_progress(quiet):
        from tqdm import tqdm

        pairs = tqdm(pairs, total=len(papers), unit="paper", desc="extracting", leave=False, file=sys.stderr)
    return pairs


def input_options(func):
    func = click.option("--field", "field_specs", multiple=True, metavar="KEY=COLUMN",
                        help="Field name in JSONL/CSV inputs, e.g. --field abstract=summary.")(func)
    func = click.option("--input-format", type=click.Choice(INPUT_FORMATS), default=None,
                        help="Read every input in this format (default: from extension and content).")(func)
    func = click.option("-j", "--processes", type=click.IntRange(1), default=1, show_default=True,
                        help="Worker processes for extraction (results do not depend on it).")(func)
    func = click.option("--no-model", is_flag=True, help="Rules only: leave out the trained statistical model.")(func)
    return func


@click.command("extract")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--format", "out_format", type=click.Choice(["jsonl"]), default="jsonl", show_default=True,
              help="Output format: one JSON object per paper.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write here (atomically) instead of standard output.")
@input_options
@quiet_option
def extract(inputs, out_format, out, input_format, field_specs, processes, no_model, quiet) -> None:
    """Extract methods, datasets, benchmarks, metrics, tasks and relations from INPUT papers.

    \b
    Examples:
      kg extract examples/corpus --out extracted.jsonl
      kg extract papers.jsonl --no-model | head -1 | python -m json.tool
    """
    from kg.atomic import atomic_open

    papers = read_papers(inputs, input_format, field_specs, quiet)
    pairs = run_extraction(papers, processes, no_model, quiet)
    if out is None:
        for _, record in pairs:
            click.echo(json.dumps(record, ensure_ascii=False))
        return
    count = 0
    with atomic_open(out) as f:
        for _, record in pairs:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    if not quiet:
        click.echo(f"{count} papers -> {out}", err=True)
