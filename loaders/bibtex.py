"""BibTeX entries that carry an ``abstract`` field, read by a small parser of our own.

Handles brace- and quote-delimited values with nested braces, ``#`` concatenation,
``@string`` macros (and the month names), ``@comment`` and ``@preamble`` (skipped),
entries in ``{...}`` or ``(...)``, and text outside entries (a comment in BibTeX).
LaTeX accents and escapes become Unicode (table in ``bibtex_latex.tsv``); protective
braces are dropped. An entry with no abstract is reported and skipped (a bibliography
is not a corpus); an entry that does not parse is reported and reading resumes at the
next ``@`` that starts a line.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator

from kg.paper import Paper, paper_id

from .fields import EMPTY_RECORD, MISSING_ABSTRACT, MISSING_TITLE
from .ids import arxiv_id
from .problems import Problem, short, where
from .textio import UNDECODABLE, UNDECODABLE_FIX, DecodedText, bad_detail, clean, has_bad, read_text

MALFORMED = "malformed BibTeX entry"

MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_IDENT = re.compile(r"[^\s\"#%'(),={}]+")
_AT_LINE_START = re.compile(r"^[ \t]*@", re.MULTILINE)


class BibSyntaxError(Exception):
    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.pos = pos


@dataclass
class Entry:
    kind: str
    key: str
    fields: dict[str, str]
    start: int  # offset of the "@"
    end: int


class _Scanner:
    """Recursive-descent reader over the whole text; positions are string offsets."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.macros: dict[str, str] = {m: m.capitalize() for m in MONTHS}

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def expect(self, chars: str) -> str:
        self.skip_space()
        if self.pos >= len(self.text) or self.text[self.pos] not in chars:
            found = self.text[self.pos] if self.pos < len(self.text) else "end of file"
            raise BibSyntaxError(f"expected {' or '.join(repr(c) for c in chars)}, found {found!r}", self.pos)
        self.pos += 1
        return self.text[self.pos - 1]

    def ident(self) -> str:
        self.skip_space()
        match = _IDENT.match(self.text, self.pos)
        if not match:
            raise BibSyntaxError("expected a name", self.pos)
        self.pos = match.end()
        return match.group()

    def braced(self) -> str:
        """The text of a ``{...}`` group (outer braces dropped, inner kept), pos after it."""
        start = self.pos
        depth = 0
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\":
                self.pos += 2
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    self.pos += 1
                    return self.text[start + 1 : self.pos - 1]
            elif char == "@" and depth == 1 and self.text[self.pos - 1] == "\n":
                break  # an entry starting on its own line: this group was never closed
            self.pos += 1
        raise BibSyntaxError("unbalanced braces", start)

    def quoted(self) -> str:
        start = self.pos
        self.pos += 1
        depth = 0
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\":
                self.pos += 2
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif char == '"' and depth == 0:
                self.pos += 1
                return self.text[start + 1 : self.pos - 1]
            self.pos += 1
        raise BibSyntaxError("unterminated quoted value", start)

    def value(self) -> str:
        parts = []
        while True:
            self.skip_space()
            char = self.text[self.pos] if self.pos < len(self.text) else ""
            if char == "{":
                parts.append(self.braced())
            elif char == '"':
                parts.append(self.quoted())
            elif char.isdigit():
                parts.append(self.ident())
            elif char:
                name = self.ident().lower()
                if name not in self.macros:
                    raise BibSyntaxError(f"undefined @string macro {name!r}", self.pos)
                parts.append(self.macros[name])
            else:
                raise BibSyntaxError("expected a value, found end of file", self.pos)
            self.skip_space()
            if self.pos < len(self.text) and self.text[self.pos] == "#":
                self.pos += 1
                continue
            return "".join(parts)

    def fields(self, close: str) -> dict[str, str]:
        found: dict[str, str] = {}
        while True:
            self.skip_space()
            if self.pos < len(self.text) and self.text[self.pos] == close:
                self.pos += 1
                return found
            name = self.ident().lower()
            self.expect("=")
            found.setdefault(name, self.value())
            if self.expect(close + ",") == close:
                return found

    def entry(self) -> Entry | None:
        """Parse the entry whose ``@`` is at pos; None for @comment/@preamble/@string."""
        start = self.pos
        self.pos += 1
        kind = self.ident().lower()
        opener = self.expect("{(")
        close = "}" if opener == "{" else ")"
        if kind == "comment":
            if opener == "{":
                self.pos -= 1
                self.braced()
            return None
        if kind == "preamble":
            self.value()
            self.expect(close)
            return None
        if kind == "string":
            for name, value in self.fields(close).items():
                self.macros[name] = value
            return None
        self.skip_space()
        match = re.compile(r"[^,\s" + re.escape(close) + r"]*").match(self.text, self.pos)
        key = match.group()
        self.pos = match.end()
        if self.expect("," + close) == close:
            return Entry(kind, key, {}, start, self.pos)
        return Entry(kind, key, self.fields(close), start, self.pos)


@lru_cache(maxsize=1)
def _latex_table() -> tuple[dict[str, str], dict[str, str]]:
    """(accent command -> combining mark, command -> replacement); "drop" commands map to ""."""
    accents: dict[str, str] = {}
    symbols: dict[str, str] = {}
    text = resources.files(__package__).joinpath("bibtex_latex.tsv").read_text("utf-8")
    for row in text.splitlines():
        if not row or row.startswith("#") or row.startswith("command\t"):
            continue
        command, kind, code = row.split("\t")
        if kind == "drop":
            symbols[command] = ""
        else:
            (accents if kind == "accent" else symbols)[command] = chr(int(code[2:], 16))
    return accents, symbols


_ACCENT = re.compile(r"\\([\"'`^~=.]|[uvHckr](?![A-Za-z]))\s*\{?\\?([A-Za-z])\}?")
_SYMBOL = re.compile(r"\\(?:([A-Za-z]+)(?![A-Za-z])\s?|([&%_#$]))")


def latex_to_text(value: str) -> str:
    """Plain text from a BibTeX value: accents to Unicode, escapes resolved, braces dropped.

    >>> latex_to_text(r"{BERT}: Pre-training of Deep Bidirectional {T}ransformers for Language Understanding")
    'BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding'
    >>> latex_to_text(r"A \\emph{Very} Good $\\alpha$-Model")
    'A Very Good $\\\\alpha$-Model'
    >>> latex_to_text(r'Schmidhuber, J{\\"u}rgen and Gra\\c{c}a, Jo\\~{a}o \\& co')
    'Schmidhuber, Jürgen and Graça, João & co'
    """
    accents, symbols = _latex_table()
    value = _ACCENT.sub(lambda m: m.group(2) + accents[m.group(1)], value)
    value = _SYMBOL.sub(lambda m: symbols.get(m.group(1) or m.group(2), m.group(0)), value)
    value = re.sub(r"(?<!\\)[{}]", "", value).replace("~", " ").replace("---", "\u2014").replace("--", "\u2013")
    return unicodedata.normalize("NFC", clean(value))


def _split_authors(value: str) -> tuple[str, ...]:
    names, depth, current = [], 0, []
    for token in re.split(r"(\s+and\s+|[{}])", value):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        if depth == 0 and re.fullmatch(r"\s+and\s+", token or ""):
            names.append("".join(current))
            current = []
        else:
            current.append(token)
    names.append("".join(current))
    return tuple(n for n in (latex_to_text(name) for name in names) if n)


def _date(fields: dict[str, str]) -> str | None:
    year = clean(fields.get("year", ""))
    if not re.fullmatch(r"\d{4}", year):
        return year or None
    month = clean(fields.get("month", "")).lower()[:3]
    number = MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else None)
    return f"{year}-{number:02d}" if number else year


def entries(text: str, problem: Callable[[Problem], None], source: str, line_of: Callable[[int], int]) -> Iterator[Entry]:
    """Every regular entry of ``text``; syntax errors are reported and skipped."""
    scanner = _Scanner(text)
    while True:
        at = text.find("@", scanner.pos)
        if at < 0:
            return
        scanner.pos = at
        try:
            entry = scanner.entry()
        except BibSyntaxError as error:
            problem(
                Problem(
                    where(source, line_of(at)),
                    MALFORMED,
                    "fix the entry; reading went on at the next line starting with @",
                    f"{error} at line {line_of(error.pos)}",
                )
            )
            resume = _AT_LINE_START.search(text, at + 1)
            if resume is None:
                return
            scanner.pos = resume.start()
            continue
        if entry is not None:
            yield entry


def read_bibtex(path: Path, problem: Callable[[Problem], None], source: str | None = None, **_: object) -> Iterator[Paper]:
    """Yield one ``Paper`` per BibTeX entry that has a title and an abstract."""
    return parse_bibtex(read_text(path), source or str(path), problem)


def parse_bibtex(decoded: DecodedText, source: str, problem: Callable[[Problem], None]) -> Iterator[Paper]:
    text = decoded.text
    newlines = [i for i, c in enumerate(text) if c == "\n"]

    def line_of(offset: int) -> int:
        return bisect.bisect_left(newlines, offset) + 1

    for entry in entries(text, problem, source, line_of):
        start, end = line_of(entry.start), line_of(max(entry.end - 1, entry.start))
        label = f"@{entry.kind}{{{entry.key}}}"
        bad = decoded.first_bad(start, end)
        if bad is not None:
            problem(Problem(where(source, bad[0]), UNDECODABLE, UNDECODABLE_FIX, bad_detail(bad[1], bad[2])))
            continue
        fields = entry.fields
        title = latex_to_text(fields.get("title", ""))
        abstract = latex_to_text(fields.get("abstract", ""))
        if not title or not abstract:
            if title:
                problem(Problem(where(source, start), MISSING_ABSTRACT, "add an abstract = {...} field", f"{label} {short(title)}"))
            elif abstract:
                problem(Problem(where(source, start), MISSING_TITLE, "add a title = {...} field", label))
            else:
                problem(Problem(where(source, start), EMPTY_RECORD, "add title and abstract fields", label))
            continue
        eprint = fields.get("eprint", "")
        arxiv = (
            arxiv_id(fields.get("arxivid") or fields.get("arxiv"))
            or (arxiv_id(eprint) if "arxiv" in fields.get("archiveprefix", "arxiv").lower() else None)
            or arxiv_id(fields.get("doi"))
            or arxiv_id(fields.get("url"))
            or arxiv_id(fields.get("journal"))
        )
        url = clean(fields.get("url", "")) or None
        if url is None and fields.get("doi"):
            url = "https://doi.org/" + clean(fields["doi"]).removeprefix("https://doi.org/")
        if url is None and arxiv:
            url = f"https://arxiv.org/abs/{arxiv}"
        venue = latex_to_text(fields.get("journal") or fields.get("booktitle") or "") or None
        if any(has_bad(value) for value in fields.values()):  # bytes from an @string macro on other lines
            problem(Problem(where(source, start), UNDECODABLE, UNDECODABLE_FIX,
                            f"{label} uses an @string macro whose value is not UTF-8"))
            continue
        yield Paper(
            id=paper_id(title),
            title=title,
            abstract=abstract,
            source=source,
            line=start,
            date=_date(fields),
            url=url,
            arxiv_id=arxiv,
            record_id=entry.key or None,
            venue=venue,
            authors=_split_authors(fields.get("author", "")),
        )
