"""Which loader reads a file: ``--format`` if given, else the extension, else the content.

Extensions decide when they are known; other files are sniffed from their first
kilobytes (``<feed``/``<?xml`` -> Atom, ``{`` -> JSON Lines, ``@article{`` -> BibTeX,
a header row with a title and an abstract column -> CSV, title/abstract line pairs ->
listing). A file that fits none is reported as an unknown format, never guessed.
"""
from __future__ import annotations

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
_CSV_HEADER = re.compile(r"title.*abstract|abstract.*title", re.IGNORECASE)


def format_from_extension(path: Path) -> str | None:
    return EXTENSIONS.get(path.suffix.lower())


def sniff(head: bytes) -> str | None:
    """The format that the first bytes of a file look like, or None."""
    if b"\x00" in head:
        return None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith("<?xml") or text.startswith("<feed"):
        return "atom"
    if text.startswith("{"):
        return "jsonl"
    if _BIBTEX.search(text):
        return "bibtex"
    first_line = text.split("\n", 1)[0]
    if ("," in first_line or "\t" in first_line) and _CSV_HEADER.search(first_line):
        return "csv"
    from .listing import looks_like_listing

    if looks_like_listing(text):
        return "listing"
    return None


def detect(path: Path, head: bytes) -> str | None:
    return format_from_extension(path) or sniff(head)
