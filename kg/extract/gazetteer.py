"""Gazetteer lookup: names from the cleaned lists in ``gazetteers/`` (see
``scripts/build_gazetteers.py``) matched with spaCy's PhraseMatcher.

Plain-word names match case-insensitively (attr LOWER); names whose capitals or
digits carry meaning (acronyms, CamelCase) match exactly (attr ORTH), so "CORD"
the benchmark does not fire on "cord".
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.extract.resources import GAZETTEERS, generic_keys, read_tsv
from kg.resolve.keys import surface_key

# Confidence by origin: names annotated in our training abstracts are the best evidence.
ORIGIN_CONFIDENCE = {"train": 0.8, "pwc": 0.6}
# Papers with Code task names alone are weak evidence (the list holds many everyday phrases):
# below the merge threshold, they count only when another source agrees.
TYPE_CONFIDENCE = {("pwc", "task"): 0.45}


@dataclass(frozen=True)
class Entry:
    name: str
    type: str
    match: str  # "lower" or "exact"
    origin: str
    confidence: float


def load_entries(origins=("train", "pwc"), directory=None) -> list[Entry]:
    """Gazetteer entries, training names first so they win a name clash."""
    directory = Path(directory) if directory else GAZETTEERS
    owner: dict[str, str] = {}  # key -> origin that claimed it (training names win)
    names: set[str] = set()
    generic = generic_keys()
    out = []
    for origin in origins:
        for row in read_tsv(directory / f"{origin}.tsv"):
            key = surface_key(row["name"])
            if not key or key in generic or owner.setdefault(key, origin) != origin or row["name"] in names:
                continue
            names.add(row["name"])
            conf = TYPE_CONFIDENCE.get((origin, row["type"]), ORIGIN_CONFIDENCE[origin])
            out.append(Entry(row["name"], row["type"], row["match"], origin, conf))
    return out


def build_matchers(nlp, entries: list[Entry]):
    """Two PhraseMatchers (exact and lower-case); match ids are entry indexes as strings."""
    from spacy.matcher import PhraseMatcher

    exact = PhraseMatcher(nlp.vocab, attr="ORTH")
    lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    names = [e.name for e in entries]
    for i, doc in enumerate(nlp.tokenizer.pipe(names, batch_size=1000)):
        (lower if entries[i].match == "lower" else exact).add(str(i), [doc])
    # plurals of plain-word names ("Transformers", "graph neural networks") match too
    plurals = [(i, e.name + "s") for i, e in enumerate(entries)
               if e.match == "lower" and e.name[-1:].isalpha() and not e.name.endswith("s")]
    for (i, _), doc in zip(plurals, nlp.tokenizer.pipe([p for _, p in plurals], batch_size=1000)):
        lower.add(str(i), [doc])
    return exact, lower


def match(doc, exact, lower, entries: list[Entry]) -> list[tuple[int, int, Entry]]:
    """(start token, end token, entry) for every match, in text order."""
    strings = doc.vocab.strings
    found = [(s, e, entries[int(strings[m])]) for m, s, e in exact(doc)]
    found += [(s, e, entries[int(strings[m])]) for m, s, e in lower(doc)]
    found.sort(key=lambda x: (x[0], x[1]))
    return found
