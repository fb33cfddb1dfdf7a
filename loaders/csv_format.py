"""CSV (and TSV): a header row naming the columns, one paper per row.

Column names are matched to the field map (``--field abstract=summary``) ignoring case
and surrounding spaces. A file without a title or abstract column is one file-level
problem that lists the columns it does have; a row that is short or holds undecodable
bytes is reported with the line it starts on and skipped. Quoted fields may span lines.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable, Iterator, Mapping

from kg.paper import Paper

from .fields import field_map, record_to_paper
from .problems import Problem, short, where
from .textio import UNDECODABLE, UNDECODABLE_FIX, DecodedText, bad_detail, read_text, split_lines

NO_COLUMN = "no {key} column"
MALFORMED = "malformed CSV"

csv.field_size_limit(16 * 1024 * 1024)


def _delimiter(header: str, path: Path) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    counts = {d: header.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(
    path: Path,
    problem: Callable[[Problem], None],
    fields: Mapping[str, str] | None = None,
    source: str | None = None,
    **_: object,
) -> Iterator[Paper]:
    """Yield one ``Paper`` per good row of a CSV or TSV file."""
    return parse_csv(read_text(path), source or str(path), problem, fields, path)


def parse_csv(
    decoded: DecodedText,
    source: str,
    problem: Callable[[Problem], None],
    fields: Mapping[str, str] | None = None,
    path: Path = Path("x.csv"),
) -> Iterator[Paper]:
    mapping = field_map(fields)
    lines = [line + "\n" for line in split_lines(decoded.text)]
    if not lines:
        return
    reader = csv.reader(lines, delimiter=_delimiter(lines[0], path), strict=True)
    try:
        header = next(reader)
    except csv.Error as error:
        problem(Problem(where(source, 1), MALFORMED, "fix the header row", str(error)))
        return
    columns = {name.strip().casefold(): i for i, name in reversed(list(enumerate(header)))}
    missing = [key for key in ("abstract", "title") if mapping[key].strip().casefold() not in columns]
    if missing:
        found = ", ".join(short(name, 30) for name in header[:12]) or "none"
        if len(header) > 12:
            found += f" and {len(header) - 12} more"
        named = " or ".join(repr(mapping[key]) for key in missing)
        problem(
            Problem(
                where(source, 1),
                NO_COLUMN.format(key=missing[0]),
                "name the column with " + " ".join(f"--field {key}=COLUMN" for key in missing),
                f"no column named {named}; the columns are {found}",
            )
        )
        return
    index = {key: columns.get(name.strip().casefold()) for key, name in mapping.items()}
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problem(Problem(where(source, start), MALFORMED, "fix the quoting of this row; the rows after it were not read", str(error)))
            return
        end, first = reader.line_num, start
        start = end + 1
        if not any(cell.strip() for cell in row):
            continue
        bad = decoded.first_bad(first, end)
        if bad is not None:
            problem(Problem(where(source, bad[0]), UNDECODABLE, UNDECODABLE_FIX, bad_detail(bad[1], bad[2])))
            continue
        record = {mapping[key]: row[i] for key, i in index.items() if i is not None and i < len(row)}
        paper = record_to_paper(record, mapping, source, first, problem)
        if paper is not None:
            yield paper
