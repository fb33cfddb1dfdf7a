"""The example corpus as tests take it: its papers in id order, and JSON Lines inputs made of them.

Many tests build from a slice of the seed papers; they read the corpus once a session here
instead of each module on its own.
"""
from __future__ import annotations

import json
from functools import lru_cache

CORPUS = "examples/corpus"   # relative, as the tests run from the repository root


@lru_cache(maxsize=1)
def seed_papers() -> tuple:
    """Every paper of the example corpus, sorted by id (a tuple: slice it into a list)."""
    from kg.loaders import read_corpus

    return tuple(sorted(read_corpus([CORPUS]).papers, key=lambda p: p.id))


def write_jsonl(path, papers):
    """Write ``papers`` (their titles and abstracts) to ``path`` as a JSON Lines input file."""
    path.write_text("".join(json.dumps({"title": p.title, "abstract": p.abstract}) + "\n" for p in papers),
                    encoding="utf-8")
    return path
