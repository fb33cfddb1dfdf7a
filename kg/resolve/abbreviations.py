"""Abbreviation definitions in one paper: ``Retrieval-Augmented Generation (RAG)``.

Extraction reports them as ``Abbreviation`` records and as ``long_form``/``short_form`` on
mentions; a mention written whole as ``Long Form (LF)`` is split here too. Within its paper a
definition is always obeyed, whatever the long form means elsewhere.
"""
from __future__ import annotations

import re
from functools import lru_cache

from kg.extract.records import Extraction
from kg.resolve.memo import MEMO_SIZE, clean_surface, surface_key

_DEFINITION = re.compile(r"^(?P<long>.+?)\s*\((?P<short>[^()]{1,20})\)$")
_WORDS = re.compile(r"[^\W\d_]+")


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalpha())


@lru_cache(maxsize=MEMO_SIZE)
def could_abbreviate(short: str, long: str) -> bool:
    """True when ``short`` reads as an abbreviation of ``long``: its first letter starts a word
    of ``long`` and its letters occur in ``long`` in order.

    >>> could_abbreviate("RAG", "Retrieval-Augmented Generation")
    True
    >>> could_abbreviate("LLMs", "large language models")
    True
    >>> could_abbreviate("the model", "our approach")
    False
    """
    letters, target = _letters(short), _letters(long)
    if len(letters) < 2 or " " in short.strip() or len(short) > 20:
        return False
    words = _WORDS.findall(long.lower())
    if not any(word.startswith(letters[0]) for word in words):
        return False
    position = 0
    for letter in letters:
        position = target.find(letter, position)
        if position < 0:
            return False
        position += 1
    return True


@lru_cache(maxsize=MEMO_SIZE)
def split_definition(text: str) -> tuple[str, str] | None:
    """``"Large Language Models (LLMs)"`` -> ``("Large Language Models", "LLMs")``; else None."""
    match = _DEFINITION.match(clean_surface(text))
    if not match:
        return None
    long, short = match.group("long").strip(), match.group("short").strip()
    if could_abbreviate(short, long):
        return long, short
    if could_abbreviate(long, short):  # "RAG (Retrieval-Augmented Generation)"
        return short, long
    return None


def definition_pairs(extraction: Extraction) -> list[tuple[int, str, str]]:
    """(offset, short, long) of every definition one paper states, as written, in text order.

    Pairs whose short side cannot abbreviate the long side are dropped (an extraction slip such
    as ``SVD)-based`` for "singular value decomposition" is not a name)."""
    found: list[tuple[int, str, str]] = []
    for abbreviation in extraction.abbreviations:
        found.append((abbreviation.start, abbreviation.short, abbreviation.long))
    for mention in extraction.mentions:
        if mention.long_form:
            found.append((mention.start, mention.text, mention.long_form))
        if mention.short_form:
            found.append((mention.start, mention.short_form, mention.text))
        pair = split_definition(mention.text)
        if pair:
            found.append((mention.start, pair[1], pair[0]))
    found = [(start, clean_surface(short), clean_surface(long)) for start, short, long in found]
    return sorted(f for f in found if could_abbreviate(f[1], f[2]) and "(" not in f[1] + f[2] and ")" not in f[1] + f[2])


def paper_definitions(extraction: Extraction) -> dict[str, str]:
    """short-form key -> long-form key for one paper; the first definition in the text wins."""
    return definitions_of(definition_pairs(extraction))


def definitions_of(pairs: list[tuple[int, str, str]]) -> dict[str, str]:
    """:func:`paper_definitions` from the paper's :func:`definition_pairs` (when they are at hand)."""
    definitions: dict[str, str] = {}
    for _, short, long in pairs:
        short_key, long_key = surface_key(short), surface_key(long)
        if short_key and long_key and short_key != long_key:
            definitions.setdefault(short_key, long_key)
    return definitions


def mention_surfaces(text: str) -> list[str]:
    """The surface forms one mention text stands for: both sides of a written definition."""
    return list(surfaces_of(text))


@lru_cache(maxsize=MEMO_SIZE)
def surfaces_of(text: str) -> tuple[str, ...]:
    """:func:`mention_surfaces` as a tuple, memoised (resolution asks for each text many times)."""
    pair = split_definition(text)
    return pair if pair else (clean_surface(text),)


@lru_cache(maxsize=MEMO_SIZE)
def head_key(text: str) -> str:
    """The name key a mention text is resolved under: the key of its first surface form."""
    return surface_key(surfaces_of(text)[0])
