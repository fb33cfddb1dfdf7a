"""The arXiv API's Atom XML (``export.arxiv.org/api/query``): one paper per ``<entry>``.

Parsed with the standard library's expat, with line numbers kept per entry. A document
type declaration or entity declaration is refused before parsing (arXiv feeds have none,
and entity expansion is how XML bombs work). XML that is not well formed cannot be read
in part, so it is one file-level problem naming the line and column expat stopped at.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable, Iterator
from xml.parsers import expat

from kg.paper import Paper, paper_id

from .fields import EMPTY_RECORD, MISSING_ABSTRACT, MISSING_TITLE
from .ids import arxiv_id
from .problems import Problem, short, where
from .textio import UNDECODABLE, bad_detail, clean, decode

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"

MALFORMED = "malformed XML"
DTD_REFUSED = "DTD or entity declaration refused"
NOT_ATOM = "not an Atom feed"

_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class _Refused(Exception):
    pass


def _parse(data: bytes) -> tuple[ET.Element, list[int]]:
    """The element tree of ``data`` and the start line of each Atom ``<entry>``, in order."""
    builder = ET.TreeBuilder()
    # The bytes were checked to be UTF-8 before parsing, so UTF-8 it is, whatever the <?xml ...?>
    # line declares: a misspelt or foreign encoding name must neither crash expat nor garble text.
    parser = expat.ParserCreate(encoding="UTF-8", namespace_separator="}")
    entry_lines: list[int] = []

    def start(name: str, attrs: dict) -> None:
        tag = "{" + name if "}" in name else name
        if tag == ATOM + "entry":
            entry_lines.append(parser.CurrentLineNumber)
        builder.start(tag, attrs)

    def refuse(*_: object) -> None:
        raise _Refused(parser.CurrentLineNumber)

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: builder.end("{" + name if "}" in name else name)
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.Parse(data, True)
    return builder.close(), entry_lines


def _text(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    return clean("".join(element.itertext())) or None


def read_atom(path: Path, problem: Callable[[Problem], None], source: str | None = None, **_: object) -> Iterator[Paper]:
    """Yield one ``Paper`` per entry of an arXiv API Atom feed."""
    return parse_atom(path.read_bytes(), source or str(path), problem)


def parse_atom(data: bytes, source: str, problem: Callable[[Problem], None]) -> Iterator[Paper]:
    declaration = _DECLARATION.search(data)
    if declaration:
        line = data.count(b"\n", 0, declaration.start()) + 1
        problem(
            Problem(
                where(source, line),
                DTD_REFUSED,
                "remove the <!DOCTYPE>/<!ENTITY> declarations; arXiv API feeds have none",
                f"found <!{declaration.group(1).decode().upper()}",
            )
        )
        return
    decoded = decode(data)
    if decoded.bad:
        line = min(decoded.bad)
        problem(
            Problem(
                where(source, line),
                UNDECODABLE,
                "re-save the file as UTF-8; an XML file cannot be read in part, so it was skipped",
                bad_detail(*decoded.bad[line]),
            )
        )
        return
    try:
        root, entry_lines = _parse(data)
    except expat.ExpatError as error:
        problem(
            Problem(
                where(source, error.lineno),
                MALFORMED,
                "fix the XML; the file was skipped",
                f"{expat.errors.messages[error.code]} at column {error.offset + 1}",
            )
        )
        return
    except _Refused as refused:
        problem(Problem(where(source, refused.args[0]), DTD_REFUSED, "remove the declaration"))
        return
    if root.tag != ATOM + "feed" and root.tag != ATOM + "entry":
        problem(
            Problem(
                where(source, 1),
                NOT_ATOM,
                "give an arXiv API Atom feed, or the right --format",
                f"the root element is <{root.tag.split('}')[-1]}>",
            )
        )
        return
    entries = [root] if root.tag == ATOM + "entry" else root.findall(ATOM + "entry")
    for line, entry in zip(entry_lines, entries):
        paper = _entry_to_paper(entry, source, line, problem)
        if paper is not None:
            yield paper


def _entry_to_paper(entry: ET.Element, source: str, line: int, problem: Callable[[Problem], None]) -> Paper | None:
    title = _text(entry.find(ATOM + "title"))
    abstract = _text(entry.find(ATOM + "summary"))
    if not title or not abstract:
        if title:
            problem(Problem(where(source, line), MISSING_ABSTRACT, "add a <summary> to the entry", short(title)))
        elif abstract:
            problem(Problem(where(source, line), MISSING_TITLE, "add a <title> to the entry", short(abstract)))
        else:
            problem(Problem(where(source, line), EMPTY_RECORD, "give the entry a <title> and a <summary>"))
        return None
    entry_id = _text(entry.find(ATOM + "id"))
    url = None
    for link in entry.findall(ATOM + "link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            url = link.get("href")
            break
    published = _text(entry.find(ATOM + "published")) or _text(entry.find(ATOM + "updated"))
    authors = tuple(
        name for name in (_text(a.find(ATOM + "name")) for a in entry.findall(ATOM + "author")) if name
    )
    return Paper(
        id=paper_id(title),
        title=title,
        abstract=abstract,
        source=source,
        line=line,
        date=published[:10] if published else None,
        url=url or entry_id,
        arxiv_id=arxiv_id(entry_id) or arxiv_id(url),
        record_id=entry_id,
        venue=_text(entry.find(ARXIV + "journal_ref")),
        authors=authors,
    )
