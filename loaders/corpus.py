"""Read many inputs into one de-duplicated list of papers, with a report of what happened.

Inputs are files and folders; folders are read recursively in sorted order, hidden
files and folders skipped, so the same inputs always give the same papers in the same
order. Every record or file that cannot be read becomes one ``Problem`` line and the
run goes on; the report counts what was read, merged and skipped (by reason).
"""
from __future__ import annotations

import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

from kg.errors import InputError, UsageError
from kg.paper import Paper, paper_id

from .arxiv_atom import read_atom
from .bibtex import read_bibtex
from .csv_format import read_csv
from .detect import FORMATS, UNKNOWN, UNKNOWN_FIX, detect
from .fields import field_map
from .jsonl import read_jsonl
from .listing import read_listing
from .merge import Merger
from .parsed_cache import ParsedFiles
from .problems import Problem, ProblemSink, where

READERS: dict[str, Callable[..., Iterator[Paper]]] = {
    "listing": read_listing,
    "jsonl": read_jsonl,
    "csv": read_csv,
    "atom": read_atom,
    "bibtex": read_bibtex,
}

NOT_FOUND = "no such file or directory"
EMPTY_FILE = "empty file"
EMPTY_FOLDER = "nothing readable in folder"
UNREADABLE = "unreadable file"
NO_PAPERS = "no papers found"
NO_WORDS = "title without words"

_SNIFF_BYTES = 8192
# The id of every title that normalises to nothing (ids are digests of the normalised title).
_NO_WORDS_ID = paper_id("")


@dataclass
class LoadReport:
    """What a run read: the merged papers, and counts of entries, merges and skips."""

    papers: list[Paper] = field(default_factory=list)
    entries_read: int = 0
    merged: int = 0
    files_read: int = 0
    skipped: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        """The end-of-run table: papers, entries read, merged, skipped by reason."""
        rows = [
            ("papers", str(len(self.papers))),
            ("entries read", f"{self.entries_read} from {self.files_read} file{'s' * (self.files_read != 1)}"),
            ("merged", f"{self.merged} duplicate{'s' * (self.merged != 1)}"),
            ("skipped", str(sum(self.skipped.values()))),
        ]
        rows += [(f"  {reason}", str(count)) for reason, count in sorted(self.skipped.items(), key=lambda item: item[0].casefold())]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name.ljust(width)}  {value}" for name, value in rows)

    def to_dict(self) -> dict:
        return {
            "papers": len(self.papers),
            "entries_read": self.entries_read,
            "files_read": self.files_read,
            "merged": self.merged,
            "skipped": dict(sorted(self.skipped.items())),
            "problems": [p.message for p in self.problems],
        }

    def check(self, strict: bool = False) -> None:
        """Raise ``InputError`` if nothing was read, or (``strict``) if anything was skipped."""
        skipped = sum(self.skipped.values())
        if strict and skipped:
            raise InputError(
                f"{skipped} skipped and --strict is on",
                fix="fix the inputs named above, or run without --strict to go on with the good records",
            )
        if not self.papers:
            raise InputError(
                "no papers were read",
                fix="give files in a known format: a listing page (.txt), JSON Lines, CSV, arXiv Atom or BibTeX",
            )


def walk_folder(folder: Path) -> list[Path]:
    """Files under ``folder``, hidden ones left out, in sorted order of their relative paths."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(root) / name for name in files if not name.startswith("."))
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def _head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(_SNIFF_BYTES)


def plan(paths: Iterable[str | os.PathLike], format: str | None, problem: Callable[[Problem], None]) -> list[tuple[Path, str]]:
    """The (file, format) pairs to read, in order; missing paths and unknown formats are reported."""
    planned: list[tuple[Path, str]] = []
    seen: set[Path] = set()

    def add(path: Path, fmt: str) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            planned.append((path, fmt))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = walk_folder(path)
            formats = []
            for file in files:
                try:
                    formats.append(format or detect(file, _head(file)))
                except OSError:
                    formats.append(None)
            if not any(formats):
                detail = f"{len(files)} file{'s' * (len(files) != 1)}, none in a known format" if files else "it holds no files"
                problem(Problem(str(path), EMPTY_FOLDER, UNKNOWN_FIX, detail))
                continue
            for file, fmt in zip(files, formats):
                if fmt is None:
                    problem(Problem(str(file), UNKNOWN, UNKNOWN_FIX))
                else:
                    add(file, fmt)
        elif path.exists():
            try:
                fmt = format or detect(path, _head(path))
            except OSError as error:
                problem(Problem(str(path), UNREADABLE, "check the file's permissions", error.strerror))
                continue
            if fmt is None:
                problem(Problem(str(path), UNKNOWN, UNKNOWN_FIX))
            else:
                add(path, fmt)
        else:
            problem(Problem(str(path), NOT_FOUND, "check the path"))
    return planned


def read_file(
    path: Path, format: str, problem: Callable[[Problem], None], fields: Mapping[str, str] | None = None
) -> Iterator[Paper]:
    """The papers of one file in the given format; empty or unreadable files are reported."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        problem(Problem(source, UNREADABLE, "check the file's permissions", error.strerror))
        return
    if not data.strip():
        problem(Problem(source, EMPTY_FILE, "fill it or leave it out"))
        return
    counted = _Counting(problem)
    count = 0
    for paper in READERS[format](path, counted, fields=fields, source=source):
        if paper.id == _NO_WORDS_ID:
            counted(Problem(where(source, paper.line), NO_WORDS, "give the paper a title with words in it", repr(paper.title)))
            continue
        count += 1
        yield paper
    if count == 0 and counted.count == 0:
        problem(Problem(source, NO_PAPERS, f"is it really {format}? give the right --format", f"read as {format}"))


class _Counting:
    def __init__(self, problem: Callable[[Problem], None]):
        self.problem, self.count = problem, 0

    def __call__(self, item: Problem) -> None:
        self.count += 1
        self.problem(item)


def _papers_of(path: Path, format: str, sink: ProblemSink, fields, parsed: ParsedFiles | None) -> list[Paper]:
    """The papers of one file (its problems passed to ``sink``), from ``parsed`` when it has them."""
    key = parsed.key(path, format, fields) if parsed is not None else None
    found = parsed.get(key) if key is not None else None
    if found is not None:
        papers, problems = found
        for problem in problems:
            sink(problem)
        return papers
    problems: list[Problem] = []

    def problem(item: Problem) -> None:
        problems.append(item)
        sink(item)

    papers = list(read_file(path, format, problem, fields))
    if key is not None:
        parsed.put(key, papers, problems)
    return papers


def check_format(format: str | None) -> str | None:
    if format is not None and format not in FORMATS:
        raise UsageError(f"unknown format {format!r}", fix="use one of " + ", ".join(FORMATS))
    return format


def read_corpus(
    paths: Iterable[str | os.PathLike],
    format: str | None = None,
    fields: Mapping[str, str] | None = None,
    on_problem: Callable[[Problem], None] | None = None,
    strict: bool = False,
    progress: bool = False,
    cache_dir: str | os.PathLike | None = None,
    parsed_memory: dict | None = None,
) -> LoadReport:
    """Read files and folders into merged papers; problems go to ``on_problem`` as they occur.

    ``format`` forces one of ``FORMATS`` for every file; ``fields`` renames record fields
    (``{"abstract": "summary"}``) for JSON Lines and CSV. With ``strict`` any skip raises
    ``InputError`` once everything has been read (the report is on ``error.report``).
    With ``cache_dir``, files parsed before with the same bytes, name, format, fields and loader
    code come from ``cache_dir/parsed`` (:mod:`loaders.parsed_cache`): same papers, same problems;
    ``parsed_memory``, a dict kept between reads, spares re-reading files untouched since the last.
    """
    check_format(format)
    field_map(fields)
    sink = ProblemSink(on_problem)
    planned = plan(paths, format, sink)
    report = LoadReport()
    merger = Merger()
    bar = None
    if progress:
        from tqdm import tqdm

        total = sum(p.stat().st_size for p, _ in planned)
        bar = tqdm(total=total, unit="B", unit_scale=True, desc="loading", leave=False, file=sys.stderr)
    parsed = ParsedFiles(cache_dir, parsed_memory) if cache_dir is not None else None
    try:
        for path, fmt in planned:
            report.files_read += 1
            for paper in _papers_of(path, fmt, sink, fields, parsed):
                report.entries_read += 1
                merger.add(paper)
            if bar is not None:
                bar.update(path.stat().st_size)
    finally:
        if bar is not None:
            bar.close()
    if parsed is not None:
        parsed.prune()
    report.papers, report.merged = merger.papers, merger.merged
    report.skipped, report.problems = sink.skipped, sink.problems
    if strict:
        try:
            report.check(strict=True)
        except InputError as error:
            error.report = report
            raise
    return report
