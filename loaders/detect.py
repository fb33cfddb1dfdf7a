"""Which loader reads a file: ``--format`` if given, else the extension, else the content.

Extensions decide when they are known; other files are sniffed from their first
kilobytes (``<feed``/``<?xml`` -> Atom, ``{`` -> JSON Lines, ``@article{`` -> BibTeX,
a header row of short names over rows of as many cells -> CSV, title/abstract line pairs ->
listing). A file that fits none is reported as an unknown format, never guessed.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

FORMATS = ("listing", "jsonl", "csv", "atom", "bibtex")

EXTENSIONS: dict[str, str] = {
    ".txt": "listing",
    ".text": "listing",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".xml": "atom",
    ".atom": "atom",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
}

UNKNOWN = "unknown format"
UNKNOWN_FIX = "give --format listing|jsonl|csv|atom|bibtex, or use an extension: " + " ".join(sorted(EXTENSIONS))

_BIBTEX = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_HEADER_CELL_MAX = 40


def _looks_like_csv(text: str) -> bool:
    """A header of short names, then rows with as many cells (quoted cells may span lines)."""
    import csv

    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        return False
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        return False
    header, body = rows[0], [row for row in rows[1:-1] if row]  # the last row may be cut off
    if any(not cell.strip() or len(cell) > _HEADER_CELL_MAX for cell in header):
        return False
    return bool(body) and all(len(row) == len(header) for row in body[:20])


def format_from_extension(path: Path) -> str | None:
    return EXTENSIONS.get(path.suffix.lower())


def sniff(head: bytes) -> str | None:
    """The format that the first bytes of a file look like, or None."""
    if b"\x00" in head:
        return None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith("<?xml") or text.startswith("<feed"):
        return "atom"
    if text.startswith("{") or re.match(r"\[\s*[{\]]", text):
        return "jsonl"
    if _BIBTEX.search(text):
        return "bibtex"
    if _looks_like_csv(text):
        return "csv"
    from .listing import looks_like_listing

    if looks_like_listing(text):
        return "listing"
    return None


def detect(path: Path, head: bytes) -> str | None:
    return format_from_extension(path) or sniff(head)
