"""Read one fuzzed input file as ``kg build`` would and check the loaders' promises.

The promises (loaders/__init__.py, loaders/problems.py): a loader yields ``Paper``
records and hands every record or file it cannot read to the problem sink as one
``Problem`` line; the only exception a user sees is ``InputError`` (nothing read, or
``--strict``). So for any bytes at all:

- nothing but ``InputError`` escapes, and reading ends within a time limit (a hang or
  a runaway backtrack fails the case instead of stalling the run);
- every paper is whole (title and abstract with words, clean spacing, the stable id,
  text that can be written as UTF-8) and every problem names the file, a reason and a fix;
- a file with any content gives at least one paper or one problem (never silence);
- every well-formed record the generator put in (``Expected``) is either read exactly
  or reported by a problem on one of its lines (or by a file-level problem).
"""
from __future__ import annotations

import contextlib
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.loaders import Problem, read_file
from kg.loaders.textio import clean
from kg.paper import Paper, normalise_title, paper_id

CASE_SECONDS = 10.0  # one input file of a few KB must never take this long


class Hang(Exception):
    """Reading one fuzzed file ran past CASE_SECONDS."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise ``Hang`` in the main thread if the block runs longer than ``seconds``."""

    def alarm(*_):
        raise Hang(f"reading took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Expected:
    """A record the generator wrote: its lines in the file and what the loader must read."""

    first: int
    last: int
    title: str | None  # None: the exact text is not predicted, only "read or reported"
    abstract: str | None


@dataclass
class Outcome:
    papers: list[Paper] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


FILE_LEVEL_REASONS = {"malformed XML", "DTD or entity declaration refused", "not an Atom feed", "unknown format",
                      "empty file", "no papers found", "unreadable file"}


def _utf8(text: str | None) -> bool:
    if text is None:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_input(data: bytes, fmt: str, folder: Path, suffix: str) -> Outcome:
    """Write ``data`` to a file and read it with the ``fmt`` loader; check the general promises."""
    path = folder / f"input{suffix}"
    path.write_bytes(data)
    outcome = Outcome()
    began = time.perf_counter()
    with time_limit(CASE_SECONDS):
        try:
            outcome.papers = list(read_file(path, fmt, outcome.problems.append))
        except InputError:
            pass  # the documented clear error
    outcome.seconds = time.perf_counter() - began
    source = str(path)
    lines = data.count(b"\n") + 1
    for paper in outcome.papers:
        assert isinstance(paper, Paper)
        assert paper.title and paper.abstract, paper
        assert paper.title == clean(paper.title) and paper.abstract == clean(paper.abstract), paper
        assert normalise_title(paper.title), paper
        assert paper.id == paper_id(paper.title)
        assert paper.source == source and 1 <= paper.line <= lines, paper
        for value in (paper.title, paper.abstract, paper.url, paper.venue, paper.date, paper.record_id,
                      paper.arxiv_id, *paper.authors):
            assert _utf8(value), f"paper text that cannot be written as UTF-8: {value!r}"
    for problem in outcome.problems:
        assert isinstance(problem, Problem)
        assert problem.where == source or problem.where.startswith(source + ":"), problem
        assert problem.reason and problem.fix, problem
        assert _utf8(problem.message), f"a problem line that cannot be printed: {problem.message!r}"
    if data.strip():
        assert outcome.papers or outcome.problems, "a file with content gave neither papers nor problems"
    return outcome


def problem_line(problem: Problem, source: str) -> int | None:
    rest = problem.where[len(source) + 1:] if problem.where.startswith(source + ":") else ""
    return int(rest) if rest.isdigit() else None


def check_accounted(outcome: Outcome, expected: list[Expected], source: str,
                    stops_reading: tuple[str, ...] = ()) -> None:
    """Each expected record is read exactly, or reported on one of its lines.

    A file-level problem accounts for every record; a problem whose reason is in
    ``stops_reading`` (reading of the file ended there) accounts for the records after it.
    """
    papers_at: dict[int, list[Paper]] = {}
    for paper in outcome.papers:
        papers_at.setdefault(paper.line, []).append(paper)
    lines = [(problem_line(p, source), p) for p in outcome.problems]
    if any(line is None or p.reason in FILE_LEVEL_REASONS for line, p in lines):
        return
    stopped_at = min((line for line, p in lines if p.reason in stops_reading), default=None)
    for record in expected:
        if any(record.first <= line <= record.last for line, _ in lines):
            continue
        if stopped_at is not None and record.first >= stopped_at:
            continue
        found = papers_at.get(record.first, [])
        assert found, f"record on lines {record.first}-{record.last} neither read nor reported: {record}"
        if record.title is not None:
            assert any(p.title == record.title and p.abstract == record.abstract for p in found), (
                f"record on line {record.first} read wrongly: {found[0].title!r} / {found[0].abstract!r}, "
                f"expected {record.title!r} / {record.abstract!r}")
