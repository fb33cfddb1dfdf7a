"""The ``Paper`` record every loader yields, and the stable paper id.

A paper's id depends only on its normalised title, so the same paper read from a
listing page, JSONL, CSV, Atom or BibTeX gets the same id on every run.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

_DASHES = re.compile(r"[\u2010-\u2015_\-]+")
_NON_WORD = re.compile(r"[^\w ]+")
_SPACES = re.compile(r"\s+")


def normalise_title(title: str) -> str:
    """Case-, accent-, punctuation- and space-insensitive key for duplicate detection.

    >>> normalise_title("Pointer  Networks.") == normalise_title("pointer-networks")
    True
    """
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _DASHES.sub(" ", text)
    text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def paper_id(title: str) -> str:
    """Stable id from the normalised title: ``p-`` and 16 hex digits of its SHA-1.

    >>> paper_id("Pointer Networks") == paper_id("POINTER NETWORKS")
    True
    """
    digest = hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()
    return "p-" + digest[:16]


@dataclass(frozen=True)
class Paper:
    """One paper as read from an input file.

    ``source`` and ``line`` say where it was read (the first place, after merging);
    ``record_id`` is the id the input gave it, if any (kept, never used as the key).
    """

    id: str
    title: str
    abstract: str
    source: str
    line: int
    date: str | None = None
    url: str | None = None
    arxiv_id: str | None = None
    record_id: str | None = None
    venue: str | None = None
    authors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        """Title and abstract as one text; extraction offsets refer to this string."""
        return paper_text(self.title, self.abstract)

    def to_dict(self) -> dict:
        data = {
            "id": self.id,
            "title": self.title,
            "abstract": self.abstract,
            "source": self.source,
            "line": self.line,
            "date": self.date,
            "url": self.url,
            "arxiv_id": self.arxiv_id,
            "record_id": self.record_id,
            "venue": self.venue,
            "authors": list(self.authors),
        }
        return {k: v for k, v in data.items() if v not in (None, [], "")}


TITLE_SEPARATOR = "\n\n"


def paper_text(title: str, abstract: str) -> str:
    """The text extraction reads: the title, a blank line, the abstract (sentence 0 is the title)."""
    return f"{title.strip()}{TITLE_SEPARATOR}{abstract.strip()}"
