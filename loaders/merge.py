"""Merge duplicate papers: same normalised title, or same arXiv id, within and across files.

Every loader makes a paper's id from its normalised title (:func:`kg.paper.paper_id`), so papers
are matched by id: the same test as comparing normalised titles, without normalising each title
again.

The first occurrence wins (its id, title, abstract, source and line), so the result
depends only on input order, which is fixed (arguments in order, folders sorted).
Fields the first one lacks (date, url, arXiv id, record id, venue, authors) are filled
from the later ones.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from kg.paper import Paper

_FILLABLE = ("date", "url", "arxiv_id", "record_id", "venue", "authors")


class Merger:
    """Feed papers in order with ``add``; read the merged list from ``papers``."""

    def __init__(self) -> None:
        self.papers: list[Paper] = []
        self.merged = 0
        self._by_id: dict[str, int] = {}
        self._by_arxiv: dict[str, int] = {}

    def add(self, paper: Paper) -> bool:
        """Add ``paper``; True if it was new, False if it merged into an earlier one."""
        index = self._by_id.get(paper.id)
        if index is None and paper.arxiv_id:
            index = self._by_arxiv.get(paper.arxiv_id)
        if index is None:
            index = len(self.papers)
            self.papers.append(paper)
            self._remember(index, paper.id, paper.arxiv_id)
            return True
        first = self.papers[index]
        filled = {name: getattr(paper, name) for name in _FILLABLE if not getattr(first, name) and getattr(paper, name)}
        if filled:
            first = replace(first, **filled)
            self.papers[index] = first
        self._remember(index, paper.id, first.arxiv_id)
        self.merged += 1
        return False

    def _remember(self, index: int, paper_id: str, arxiv: str | None) -> None:
        self._by_id.setdefault(paper_id, index)
        if arxiv:
            self._by_arxiv.setdefault(arxiv, index)


def merge(papers: Iterable[Paper]) -> tuple[list[Paper], int]:
    """(merged papers in first-seen order, number of duplicates merged)."""
    merger = Merger()
    for paper in papers:
        merger.add(paper)
    return merger.papers, merger.merged
