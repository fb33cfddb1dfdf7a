"""JSON Lines: one JSON object per line, field names configurable (``--field``).

A line that is not JSON, or not an object, or holds undecodable bytes is reported
with its line number and skipped; the other lines are read. Blank lines are allowed.
A file that is one JSON array of objects (a common ``.json`` export) is read too.
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
    if _one_array(decoded.text):
        yield from _parse_array(decoded, source, problem, mapping)
        return
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


def _one_array(text: str) -> bool:
    """True when the file is one JSON array (a ``.json`` export), not JSON Lines whose first line is a list.

    Anything after the array's closing bracket makes it JSON Lines, so each line is read
    (and the list line reported) instead of the rest of the file being dropped unseen.
    An array that does not parse stays an array: its error is reported where it stops.
    """
    start = len(text) - len(text.lstrip())
    if not text.startswith("[", start):
        return False
    try:
        _, end = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError:
        return True
    return not text[end:].strip()


def _parse_array(decoded: DecodedText, source: str, problem: Callable[[Problem], None], mapping: dict) -> Iterator[Paper]:
    """Objects of a top-level JSON array, each with the line it starts on."""
    text = decoded.text
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1
    while True:
        while pos < len(text) and (text[pos].isspace() or text[pos] == ","):
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return
        number = text.count("\n", 0, pos) + 1
        try:
            record, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as error:
            problem(
                Problem(
                    where(source, error.lineno),
                    "malformed JSON",
                    "fix the JSON; the rest of the array was skipped",
                    f"{error.msg}{'' if error.msg.endswith(' at') else ' at'} column {error.colno}",
                )
            )
            return
        last = text.count("\n", 0, end) + 1
        bad = decoded.first_bad(number, last)
        if bad is not None:
            problem(Problem(where(source, bad[0]), UNDECODABLE, UNDECODABLE_FIX, bad_detail(bad[1], bad[2])))
        elif not isinstance(record, dict):
            problem(Problem(where(source, number), "JSON item is not an object",
                            'each array item must be one {"title": ..., "abstract": ...} object',
                            f"found a JSON {type(record).__name__}"))
        else:
            paper = record_to_paper(record, mapping, source, number, problem)
            if paper is not None:
                yield paper
        pos = end
