"""``kg eval``: run extraction on INPUT papers and score it against a GOLD file.

Prints the table ``../shared/eval/score.py`` prints, with the same numbers (our own
scorer, ``kg.evaluation``, is written to the same spec and tested against it).
"""
from __future__ import annotations

import json

import click

from kg.cli.extract import input_options, read_papers, run_extraction
from kg.cli.options import quiet_option


@click.command("eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON (score.py --json).")
@click.option("--out", "pred_out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Also write the predictions (kg extract records) here.")
@input_options
@quiet_option
def evaluate(gold, inputs, as_json, pred_out, input_format, field_specs, processes, no_model, quiet) -> None:
    """Score extraction from INPUT papers against GOLD (GUIDELINES.md format).

    \b
    Example:
      kg eval ../shared/eval/gold_dev.jsonl ../shared/eval/dev_papers.jsonl
    """
    from kg.atomic import atomic_open
    from kg.evaluation import format_table, read_jsonl, score_records

    golds = read_jsonl(gold)
    papers = read_papers(inputs, input_format, field_specs, quiet)
    records = [record for _, record in run_extraction(papers, processes, no_model, quiet)]
    if pred_out:
        with atomic_open(pred_out) as f:
            for record in records:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
    result = score_records(golds, records)
    click.echo(json.dumps(result, indent=1) if as_json else format_table(result))
