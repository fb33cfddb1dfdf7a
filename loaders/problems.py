"""Problems found while reading inputs: one line each, counted by reason.

A loader never drops a record silently: it hands a ``Problem`` to the sink and goes
on. The reason is a short fixed phrase (the key of the summary's "skipped" counts);
the detail says what exactly was seen, and the fix says what to do about it.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Problem:
    """One skipped record or file: ``where`` is ``file:line`` (or ``file``)."""

    where: str
    reason: str
    fix: str
    detail: str | None = None

    @property
    def message(self) -> str:
        text = f"{self.where}: {self.reason}"
        if self.detail:
            text += f": {self.detail}"
        return printable(f"{text} ({self.fix})")

    def __str__(self) -> str:
        return self.message


_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with lone surrogates written as escapes, so the line can always be printed.

    An excerpt of a record with undecodable bytes holds them (as ``surrogateescape``
    decoding keeps them): the byte 0xE9 shows as ``\\xe9``, any other as ``\\udXXX``.
    """
    def escape(match: re.Match) -> str:
        code = ord(match.group())
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"

    return _SURROGATE.sub(escape, text)


def where(source: str, line: int | None = None) -> str:
    return f"{source}:{line}" if line else source


class ProblemSink:
    """Collects problems in order, counts them by reason and passes each on at once."""

    def __init__(self, on_problem: Callable[[Problem], None] | None = None):
        self.problems: list[Problem] = []
        self.skipped: Counter[str] = Counter()
        self._on_problem = on_problem

    def __call__(self, problem: Problem) -> None:
        self.problems.append(problem)
        self.skipped[problem.reason] += 1
        if self._on_problem is not None:
            self._on_problem(problem)

    def report(self, source: str, line: int | None, reason: str, fix: str, detail: str | None = None) -> None:
        self(Problem(where(source, line), reason, fix, detail))


def short(text: str, limit: int = 60) -> str:
    """A quoted, shortened excerpt of ``text`` for a problem line."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f'"{text}"'
