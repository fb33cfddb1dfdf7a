"""Memoised name keys: the pure functions of :mod:`kg.resolve.keys`, each result computed once.

A corpus repeats its names: the 41k-abstract corpus has 262k mentions but 66k distinct
texts, and resolution keys each text many times over (definitions, concept keys, aliases,
votes). Memoising cut resolution from ~40 s to a few seconds there.

The caches live here, not in ``keys.py``, because ``keys.py``'s bytes are part of the
extraction cache's pipeline version: editing it would discard every cached extraction.
They are bounded, so a long-running process (the query service) does not grow without end.

>>> surface_key("Large Language Models") == surface_key("large-language model")
True
"""
from __future__ import annotations

from functools import lru_cache

from kg.resolve import keys

MEMO_SIZE = 1 << 18   # entries per function; the 41k corpus needs about 100k

clean_surface = lru_cache(maxsize=MEMO_SIZE)(keys.clean_surface)
surface_key = lru_cache(maxsize=MEMO_SIZE)(keys.surface_key)
compact_key = lru_cache(maxsize=MEMO_SIZE)(keys.compact_key)


def clear() -> None:
    """Empty every cache (tests that compare cold and warm runs)."""
    for function in (clean_surface, surface_key, compact_key):
        function.cache_clear()
