"""Loaders: input files -> ``Paper`` records, de-duplicated, with every problem reported.

One module per format (``listing``, ``jsonl``, ``csv_format``, ``arxiv_atom``,
``bibtex``), each a ``read_*(path, problem, ...)`` generator of papers; ``read_corpus``
reads files and folders, detects formats, merges duplicates and returns a ``LoadReport``.

    report = read_corpus(["examples/corpus"], on_problem=print)
    report.check(strict=False)      # InputError when nothing was read (or, strict, anything skipped)
    len(report.papers), report.entries_read, report.merged   # (325, 345, 20)
"""
from .corpus import READERS, LoadReport, check_format, plan, read_corpus, read_file
from .detect import FORMATS, detect
from .fields import DEFAULT_FIELDS, parse_field_specs
from .merge import Merger, merge
from .problems import Problem

__all__ = [
    "DEFAULT_FIELDS",
    "FORMATS",
    "READERS",
    "LoadReport",
    "Merger",
    "Problem",
    "check_format",
    "detect",
    "merge",
    "parse_field_specs",
    "plan",
    "read_corpus",
    "read_file",
]
