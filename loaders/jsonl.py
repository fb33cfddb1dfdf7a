"""JSON Lines: one JSON object per line, field names configurable (``--field``).

A line that is not JSON, or not an object, or holds undecodable bytes is reported
with its line number and skipped; the other lines are read. Blank lines are allowed.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Iterator, Mapping

from kg.paper import Paper

from .fields import field_map, record_to_paper
from .problems import Problem, where
from .textio import UNDECODABLE, UNDECODABLE_FIX, DecodedText, bad_detail, read_text, split_lines

MALFORMED = "malformed JSON line"
NOT_OBJECT = "JSON line is not an object"


def read_jsonl(
    path: Path,
    problem: Callable[[Problem], None],
    fields: Mapping[str, str] | None = None,
    source: str | None = None,
    **_: object,
) -> Iterator[Paper]:
    """Yield one ``Paper`` per good line of a JSON Lines file."""
    return parse_jsonl(read_text(path), source or str(path), problem, fields)


def parse_jsonl(
    decoded: DecodedText,
    source: str,
    problem: Callable[[Problem], None],
    fields: Mapping[str, str] | None = None,
) -> Iterator[Paper]:
    mapping = field_map(fields)
    for number, line in enumerate(split_lines(decoded.text), start=1):
        if not line.strip():
            continue
        if number in decoded.bad:
            column, byte = decoded.bad[number]
            problem(Problem(where(source, number), UNDECODABLE, UNDECODABLE_FIX, bad_detail(column, byte)))
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problem(
                Problem(
                    where(source, number),
                    MALFORMED,
                    "fix the line or delete it; each line must be one complete JSON object",
                    f"{error.msg}{'' if error.msg.endswith(' at') else ' at'} column {error.colno}",
                )
            )
            continue
        if not isinstance(record, dict):
            problem(
                Problem(
                    where(source, number),
                    NOT_OBJECT,
                    'each line must be one {"title": ..., "abstract": ...} object',
                    f"found a JSON {type(record).__name__}",
                )
            )
            continue
        paper = record_to_paper(record, mapping, source, number, problem)
        if paper is not None:
            yield paper
