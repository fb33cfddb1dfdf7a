"""Name shapes: acronyms, CamelCase, versioned and alphanumeric model names, metric shapes.

Rules are regular expressions in ``rules/shapes.jsonl``: ``word`` rules test one
whitespace-delimited word (after trailing punctuation and adjective suffixes such as
"-based" are stripped), ``text`` rules run over the whole text with a ``name`` group.
Pure functions over strings; offsets are character offsets into the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.extract.resources import RULES, read_jsonl, word_list

WORD = re.compile(r"[^\s()\[\]{},;:\"“”]+")
TRAIL = ".,;:!?'’\""


@dataclass(frozen=True)
class ShapeRule:
    id: str
    scope: str
    regex: re.Pattern
    type: str
    confidence: float


@lru_cache(maxsize=None)
def load_rules() -> tuple[ShapeRule, ...]:
    return tuple(ShapeRule(r["id"], r["scope"], re.compile(r["regex"]), r["type"], float(r["confidence"]))
                 for r in read_jsonl(RULES / "shapes.jsonl"))


def _strip(word: str, start: int) -> tuple[str, int]:
    """Trailing punctuation, possessive and adjective hyphen parts removed."""
    suffixes = word_list("hyphen_suffixes.txt")
    while True:
        before = word
        word = word.rstrip(TRAIL)
        for tail in ("'s", "’s"):
            if word.endswith(tail):
                word = word[: -len(tail)]
        parts = word.rsplit("-", 1)
        if len(parts) == 2 and parts[1].lower() in suffixes and parts[0]:
            word = parts[0]
        lead = len(word) - len(word.lstrip("'‘\"-"))
        word, start = word[lead:], start + lead
        if word == before:
            return word, start


def find_shapes(text: str) -> list[tuple[int, int, str, str, float]]:
    """(start, end, type, rule id, confidence) for every shaped name.

    >>> [text for s, e, *_ in find_shapes("We beat GPT-4 and LLM-based CVQ-VAE on nDCG@10.") for text in [
    ...     "We beat GPT-4 and LLM-based CVQ-VAE on nDCG@10."[s:e]]]
    ['GPT-4', 'LLM', 'CVQ-VAE', 'nDCG@10']
    """
    rules = load_rules()
    out = []
    taken: set[tuple[int, int]] = set()
    for rule in rules:
        if rule.scope != "text":
            continue
        for m in rule.regex.finditer(text):
            s, e = m.span("name")
            out.append((s, e, rule.type, rule.id, rule.confidence))
            taken.add((s, e))
    word_rules = [r for r in rules if r.scope == "word"]
    for m in WORD.finditer(text):
        word, start = _strip(m.group(0), m.start())
        if len(word) < 2:
            continue
        for rule in word_rules:
            if rule.regex.match(word):
                span = (start, start + len(word))
                if span not in taken:
                    out.append((span[0], span[1], rule.type, rule.id, rule.confidence))
                break
    out.sort()
    return out
