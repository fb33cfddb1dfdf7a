"""Saved "trending papers" listing pages: title lines each followed by an abstract line.

Two variants occur and one reader handles both, because it classifies lines rather than
counting blank lines: (1) blank-line separated, with page furniture and a date header
("Jun 6") above the papers; (2) compact, title and abstract on alternating lines, the
first title glued to the "Subscribe" button ("SubscribeOnline Clustered Codebook").
A title is a short line not ending in a period; an abstract is a long line (rules in
``listing.toml``). A title with no abstract after it, or an abstract with no title
before it, is reported and skipped; furniture lines are dropped.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator

from kg.paper import Paper, paper_id

from .fields import MISSING_ABSTRACT, MISSING_TITLE
from .problems import Problem, short, where
from .textio import UNDECODABLE, UNDECODABLE_FIX, DecodedText, bad_detail, clean, read_text, split_lines

NO_ABSTRACT_FIX = "put the abstract on the line after the title, or delete the title"
NO_TITLE_FIX = "put the paper's title on the line before the abstract"


@dataclass(frozen=True)
class Rules:
    boilerplate: frozenset[str]
    glued_prefixes: tuple[str, ...]
    date_header: re.Pattern
    abstract_min_words: int
    abstract_min_words_with_period: int


@lru_cache(maxsize=1)
def rules() -> Rules:
    data = tomllib.loads(resources.files(__package__).joinpath("listing.toml").read_text("utf-8"))
    return Rules(
        boilerplate=frozenset(clean(p).casefold() for p in data["boilerplate"]),
        glued_prefixes=tuple(data["glued_prefixes"]),
        date_header=re.compile(data["date_header"]),
        abstract_min_words=int(data["abstract_min_words"]),
        abstract_min_words_with_period=int(data["abstract_min_words_with_period"]),
    )


def unglue(line: str, rules: Rules) -> str:
    """Strip page furniture glued to the front of a title ("SubscribeOnline ..." -> "Online ...")."""
    for prefix in rules.glued_prefixes:
        rest = line[len(prefix):]
        if line.startswith(prefix) and rest and (rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"'“"):
            return rest
    return line


def is_abstract(line: str, rules: Rules) -> bool:
    words = len(line.split())
    if words >= rules.abstract_min_words:
        return True
    return line.endswith(".") and words >= rules.abstract_min_words_with_period


def looks_like_listing(text: str) -> bool:
    """True when some short line is directly followed (blank lines aside) by an abstract line."""
    r = rules()
    previous_title = False
    for raw in split_lines(text)[:400]:
        line = clean(raw)
        if not line or line.casefold() in r.boilerplate or r.date_header.match(line):
            continue
        if is_abstract(line, r):
            if previous_title:
                return True
            previous_title = False
        else:
            previous_title = True
    return False


def read_listing(path: Path, problem: Callable[[Problem], None], source: str | None = None, **_: object) -> Iterator[Paper]:
    """Yield one ``Paper`` per title/abstract pair of a listing page."""
    return parse_listing(read_text(path), source or str(path), problem)


def parse_listing(decoded: DecodedText, source: str, problem: Callable[[Problem], None]) -> Iterator[Paper]:
    r = rules()
    date: str | None = None
    title: tuple[int, str] | None = None  # (line number, text) of a title waiting for its abstract

    def title_alone(number: int, text: str) -> None:
        problem(Problem(where(source, number), MISSING_ABSTRACT, NO_ABSTRACT_FIX, short(text)))

    for number, raw in enumerate(split_lines(decoded.text), start=1):
        line = clean(raw)
        if not line or line.casefold() in r.boilerplate:
            continue
        if r.date_header.match(line):
            date = line
            continue
        line = unglue(line, r)
        if not is_abstract(line, r):
            if title is not None:
                title_alone(*title)
            title = (number, line)
            continue
        if title is None:
            problem(Problem(where(source, number), MISSING_TITLE, NO_TITLE_FIX, short(line)))
            continue
        (start, title_text), title = title, None
        bad = decoded.first_bad(start, number)
        if bad is not None:
            problem(Problem(where(source, bad[0]), UNDECODABLE, UNDECODABLE_FIX, bad_detail(bad[1], bad[2])))
            continue
        yield Paper(id=paper_id(title_text), title=title_text, abstract=line, source=source, line=start, date=date)
    if title is not None:
        title_alone(*title)
