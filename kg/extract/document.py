"""Document-level entities: the mentions of one thing in one paper, grouped.

Mentions group when their surface keys agree (case, hyphens, plurals:
``kg.resolve.keys.surface_key``) or when they are the two sides of an abbreviation
definition. The canonical name is the most complete full form (the long form of a
definition, else the longest spelling); the other spellings are its aliases. This is
the shape ``../shared/eval/README.md`` describes and ``kg extract`` writes.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from kg.extract.records import ENTITY_TYPES, Extraction
from kg.paper import Paper
from kg.resolve.keys import clean_surface, surface_key


@dataclass(frozen=True)
class DocEntity:
    name: str
    type: str
    aliases: tuple[str, ...]
    keys: frozenset[str]


class _Union:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, k: str) -> str:
        self.parent.setdefault(k, k)
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _definitions(extraction: Extraction) -> list[tuple[str, str]]:
    """(short, long) of every definition the paper states: the resolver's reading
    (``kg.resolve.abbreviations.definition_pairs``) plus the extractor's own records, which
    also hold forms that are not letter abbreviations ("Massive MIMO" for "massive
    multiple-input multiple-output")."""
    from kg.resolve.abbreviations import definition_pairs

    pairs = [(short, long) for _, short, long in definition_pairs(extraction)]
    for a in extraction.abbreviations:
        if "(" not in a.short + a.long and ")" not in a.short + a.long:
            pairs.append((clean_surface(a.short), clean_surface(a.long)))
    return list(dict.fromkeys(pairs))


def group_entities(extraction: Extraction) -> list[DocEntity]:
    """Entities of one paper, in order of first mention.

    Every definition ties its two spellings, also when only one side is a mention (the
    other was generic, or no token span: "(SVD)-based") and through a chain ("VLMs" =
    "vision and language models", "VLMs" = "vision-language models"). Two mentions of
    different types are never tied: "Knowledge-intensive language tasks (KILT)" stays a task
    apart from the KILT benchmark when the extractor typed them apart."""
    uf = _Union()
    longs: set[str] = set()
    mention_types: dict[str, set[str]] = defaultdict(set)
    for m in extraction.mentions:
        k = surface_key(m.text)
        uf.find(k)
        mention_types[k].add(m.type)
    types_of: dict[str, set[str]] = {k: set(v) for k, v in mention_types.items()}
    spelled: dict[str, str] = {}
    for short, long in _definitions(extraction):
        lk, sk = surface_key(long), surface_key(short)
        if not lk or not sk or lk == sk:
            continue
        ra, rb = uf.find(lk), uf.find(sk)
        ta, tb = types_of.get(ra, set()), types_of.get(rb, set())
        if ta and tb and not ta & tb:
            continue
        spelled.setdefault(lk, long)
        spelled.setdefault(sk, short)
        longs.add(lk)
        if ra != rb:
            uf.union(ra, rb)
            types_of[uf.find(ra)] = ta | tb
    forms: dict[str, Counter] = defaultdict(Counter)
    types: dict[str, Counter] = defaultdict(Counter)
    order: dict[str, None] = {}
    keys: dict[str, set] = defaultdict(set)
    for m in extraction.mentions:
        k = surface_key(m.text)
        root = uf.find(k)
        order.setdefault(root)
        text = clean_surface(m.text)
        forms[root][text] += 1
        types[root][m.type] += m.confidence
        keys[root].add(k)
    for k, text in spelled.items():
        root = uf.find(k)
        if root in order and k not in keys[root]:
            forms[root][text] += 0
            keys[root].add(k)
    out = []
    for root in order:
        spellings = forms[root]

        def rank(text: str):  # a spelling the extractor found, the long form, the longest
            return (spellings[text] > 0, surface_key(text) in longs, len(text), spellings[text],
                    text != text.lower())

        name = max(spellings, key=rank)
        type_ = max(sorted(types[root]), key=lambda t: types[root][t])
        aliases = tuple(sorted((s for s in spellings if s != name), key=str.lower))
        out.append(DocEntity(name, type_, aliases, frozenset(keys[root])))
    return out


def canonical_map(entities: list[DocEntity]) -> dict[str, DocEntity]:
    """Surface key of any spelling -> its entity."""
    return {k: e for e in entities for k in e.keys}


def to_record(paper: Paper, extraction: Extraction) -> dict:
    """The JSON object ``kg extract`` writes for one paper."""
    entities = group_entities(extraction)
    by_key = canonical_map(entities)

    def canon(text: str | None) -> str | None:
        if text is None:
            return None
        e = by_key.get(surface_key(text))
        return e.name if e is not None else clean_surface(text)

    def unique(names):
        seen, out = set(), []
        for n in names:
            if n is not None and n not in seen:
                seen.add(n)
                out.append(n)
        return out

    rels = extraction.relations
    return {
        "id": paper.id,
        "title": paper.title,
        "entities": {t: [e.name for e in entities if e.type == t] for t in ENTITY_TYPES},
        "aliases": {e.name: list(e.aliases) for e in entities if e.aliases},
        "proposes": unique(canon(r.tail) for r in rels if r.type == "PROPOSES"),
        "evaluated_on": unique(canon(r.tail) for r in rels if r.type == "EVALUATES_ON"),
        "uses_metric": unique(canon(r.tail) for r in rels if r.type == "USES_METRIC"),
        "addresses": unique(canon(r.tail) for r in rels if r.type == "ADDRESSES"),
        "results": [{"method": canon(r.method), "dataset": canon(r.dataset), "metric": canon(r.metric),
                     "value": r.value} for r in extraction.results],
        "mentions": [{"text": m.text, "type": m.type, "start": m.start, "end": m.end, "sentence": m.sentence,
                      "rule": m.rule, "confidence": m.confidence} for m in extraction.mentions],
        "relations": [{"type": r.type, "head": canon(r.head), "tail": canon(r.tail), "tail_type": r.tail_type,
                       "dataset": canon(r.dataset), "sentence": r.sentence, "start": r.start, "end": r.end,
                       "rule": r.rule, "confidence": r.confidence} for r in rels],
    }


def extract_records(papers, *, n_process: int = 1, batch_size: int = 64, use_model: bool = True):
    """``(paper, record)`` pairs for ``kg extract`` and ``kg eval``, in input order."""
    from kg.extract.pipeline import extract_papers

    papers = list(papers)
    for paper, extraction in zip(papers, extract_papers(papers, n_process=n_process, batch_size=batch_size,
                                                         use_model=use_model)):
        yield paper, to_record(paper, extraction)
