"""Field names of record formats (JSON Lines, CSV) and turning one record into a ``Paper``.

Users name their own columns with ``--field title=name``; every other key keeps its
default name. The mapping is checked once, up front, so a typo fails before any reading.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable, Mapping

from kg.errors import UsageError
from kg.paper import Paper, paper_id

from .ids import arxiv_id
from .problems import Problem, short, where
from .textio import clean

DEFAULT_FIELDS: dict[str, str] = {
    "id": "id",
    "title": "title",
    "abstract": "abstract",
    "date": "date",
    "url": "url",
    "arxiv_id": "arxiv_id",
    "venue": "venue",
    "year": "year",
    "authors": "authors",
}

MISSING_ABSTRACT = "title without abstract"
NOT_UNICODE = "text that is not Unicode"
_SURROGATE = re.compile("[\ud800-\udfff]")
MISSING_TITLE = "abstract without title"
EMPTY_RECORD = "record without title or abstract"


def parse_field_specs(specs: Iterable[str]) -> dict[str, str]:
    """``["title=name", "abstract=summary"]`` -> ``{"title": "name", "abstract": "summary"}``.

    >>> parse_field_specs(["title=name"])
    {'title': 'name'}
    """
    mapping: dict[str, str] = {}
    for spec in specs:
        key, sep, column = spec.partition("=")
        key, column = key.strip(), column.strip()
        if not sep or not key or not column:
            raise UsageError(
                f"field spec {spec!r} is not KEY=COLUMN", fix="write it like --field abstract=summary"
            )
        if key not in DEFAULT_FIELDS:
            raise UsageError(
                f"unknown field key {key!r} in {spec!r}",
                fix="keys are " + ", ".join(DEFAULT_FIELDS),
            )
        mapping[key] = column
    return mapping


def field_map(fields: Mapping[str, str] | None) -> dict[str, str]:
    """The defaults overridden by ``fields`` (checked like ``--field`` specs)."""
    mapping = dict(DEFAULT_FIELDS)
    if fields:
        parse_field_specs(f"{k}={v}" for k, v in fields.items())
        mapping.update(fields)
    return mapping


def _text(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = clean(str(value))
    return text or None


def _authors(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        names = [_text(v if not isinstance(v, dict) else v.get("name")) for v in value]
    elif isinstance(value, str):
        separator = ";" if ";" in value else " and "
        names = [_text(part) for part in value.split(separator)]
    else:
        return ()
    return tuple(name for name in names if name)


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _lone_surrogate(record: Mapping[str, object], mapping: Mapping[str, str]) -> tuple[str, str] | None:
    """(field, character) of the first lone surrogate in a field kg reads, else None.

    Only a JSON ``\\udXXX`` escape can put one there (undecodable bytes are caught before
    parsing); no UTF-8 output (snapshot, page, RDF, Neo4j) can hold it, so the record is skipped.
    """
    for key in DEFAULT_FIELDS:
        for text in _strings(record.get(mapping[key])):
            found = _SURROGATE.search(text)
            if found:
                return mapping[key], found.group()
    return None


def record_to_paper(
    record: Mapping[str, object],
    mapping: Mapping[str, str],
    source: str,
    line: int,
    problem: Callable[[Problem], None],
) -> Paper | None:
    """A ``Paper`` from one record, or None after reporting why it was skipped."""
    get = lambda key: record.get(mapping[key])  # noqa: E731
    surrogate = _lone_surrogate(record, mapping)
    if surrogate is not None:
        name, char = surrogate
        problem(Problem(where(source, line), NOT_UNICODE,
                        "write the character itself, or a surrogate pair; the entry was skipped",
                        f"a JSON escape of a lone surrogate (\\u{ord(char):04x}) in {name!r}"))
        return None
    title, abstract = _text(get("title")), _text(get("abstract"))
    if not title or not abstract:
        if title:
            reason, detail = MISSING_ABSTRACT, f"{short(title)} has no {mapping['abstract']!r} value"
            fix = "fill it, or name the abstract field with --field abstract=NAME"
        elif abstract:
            reason, detail = MISSING_TITLE, f"{short(abstract)} has no {mapping['title']!r} value"
            fix = "fill it, or name the title field with --field title=NAME"
        else:
            reason = EMPTY_RECORD
            detail = f"no {mapping['title']!r} and no {mapping['abstract']!r} value"
            fix = "fill them, or name the fields with --field title=NAME --field abstract=NAME"
        problem(Problem(where(source, line), reason, fix, detail))
        return None
    record_id, url = _text(get("id")), _text(get("url"))
    year = _text(get("year"))
    date = _text(get("date")) or year
    arxiv = arxiv_id(get("arxiv_id")) or arxiv_id(url) or arxiv_id(record_id)
    return Paper(
        id=paper_id(title),
        title=title,
        abstract=abstract,
        source=source,
        line=line,
        date=date,
        url=url,
        arxiv_id=arxiv,
        record_id=record_id,
        venue=_text(get("venue")),
        authors=_authors(get("authors")),
    )
