"""Hand-made extraction records over real seed-corpus sentences, shared by the resolve/graph/build tests.

Offsets are found in the real text, so every record is one extraction could have produced.
"""
from __future__ import annotations

from kg.extract.records import Extraction, Mention, Relation, Result
from kg.paper import Paper, paper_id


def paper(title: str, abstract: str, date: str | None = "2024-06-06") -> Paper:
    return Paper(id=paper_id(title), title=title, abstract=abstract, source="corpus.txt", line=1, date=date)


def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    spans, start = [], 0
    title_end = text.index("\n\n")
    spans.append((0, title_end))
    start = title_end + 2
    while start < len(text):
        stop = text.find(". ", start)
        stop = len(text) if stop < 0 else stop + 1
        spans.append((start, stop))
        start = stop + 1
    return tuple(spans)


def _locate(text: str, surface: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return start, start + len(surface)


def _sentence_of(spans, start: int) -> int:
    return next(i for i, (a, b) in enumerate(spans) if a <= start < b + 1)


def extraction(p: Paper, mentions=(), relations=(), results=()) -> Extraction:
    """mentions: (surface, type[, confidence][, {"long_form"/"short_form"/"nth": ...}]) tuples;
    relations: (TYPE, head or None, head_type, tail, tail_type, confidence);
    results: (value, method, dataset, metric)."""
    text = p.text
    spans = _sentences(text)
    made = []
    for spec in mentions:
        surface, entity_type, *rest = spec
        confidence = next((r for r in rest if isinstance(r, float)), 0.9)
        extra = next((r for r in rest if isinstance(r, dict)), {})
        start, end = _locate(text, surface, extra.pop("nth", 0))
        made.append(Mention(p.id, surface, entity_type, start, end, _sentence_of(spans, start), "test-rule",
                            confidence, **extra))
    rels = []
    for rel_type, head, head_type, tail, tail_type, confidence in relations:
        start, end = _locate(text, tail)
        index = _sentence_of(spans, start)
        a, b = spans[index]
        rels.append(Relation(p.id, rel_type, head, head_type, tail, tail_type, index, start, end,
                             text[a:b].strip(), "test-pattern", confidence))
    res = []
    for value, method, dataset, metric in results:
        start, end = _locate(text, value)
        index = _sentence_of(spans, start)
        a, b = spans[index]
        res.append(Result(p.id, value, method, dataset, metric, index, start, end, text[a:b].strip(),
                          "test-result", 0.8))
    return Extraction(p.id, p.title, mentions=tuple(made), relations=tuple(rels), results=tuple(res),
                      sentences=spans)


def test_offsets_point_at_the_surface():
    p = paper("UniCode^2: Cascaded Large-scale Codebooks", "We propose UniCode^2, a cascaded codebook framework.")
    e = extraction(p, [("UniCode^2", "method", {"nth": 1})])
    m = e.mentions[0]
    assert p.text[m.start:m.end] == "UniCode^2"
    assert m.sentence == 1
    assert p.text[slice(*e.sentences[0])] == p.title
