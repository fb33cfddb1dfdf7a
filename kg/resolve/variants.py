"""Versions and sizes: distinct entities, linked to their base (``BERT-base`` VARIANT_OF ``BERT``).

The steps are data (``variants.toml``); a name key is shortened one step at a time and the
variant is linked to the nearest shorter key that is an entity of the same type family.
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Iterator


@lru_cache(maxsize=1)
def _rules() -> tuple[frozenset[str], tuple[re.Pattern, ...], tuple[re.Pattern, ...]]:
    data = tomllib.loads(resources.files("kg.resolve").joinpath("variants.toml").read_text(encoding="utf-8"))
    return (frozenset(data["sizes"]),
            tuple(re.compile(p) for p in data["words"]),
            tuple(re.compile(p) for p in data["suffixes"]))


def base_keys(key: str) -> Iterator[str]:
    """Shorter keys this name key may be a variant of, nearest first.

    >>> list(base_keys("llama 2 7b"))
    ['llama 2', 'llama']
    >>> list(base_keys("gpt 4o"))
    ['gpt 4', 'gpt']
    >>> list(base_keys("bert base"))
    ['bert']
    >>> list(base_keys("ndcg@10"))
    ['ndcg']
    """
    sizes, words, suffixes = _rules()
    parts = key.split(" ")
    while parts:
        last = parts[-1]
        if len(parts) > 1 and (last in sizes or any(w.fullmatch(last) for w in words)):
            parts.pop()
        else:
            cuts = [s.sub("", last) for s in suffixes]
            cut = next((c for c in cuts if c and c != last), None)
            if cut is None:
                return
            parts[-1] = cut
        yield " ".join(parts)
