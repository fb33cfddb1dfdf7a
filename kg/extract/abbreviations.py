"""Abbreviation definitions: "long form (SF)" and "SF (long form)".

The long form is found with Schwartz & Hearst's (2003) right-to-left letter alignment:
every letter of the short form must occur, in order, in the long form, and the first one
must start a word. Hyphen parts and CamelCase parts count as words, so
"Retrieval-Augmented Generation (RAG)", "Split Invariant-Equivariant" (SIE) and
"Large Language Models (LLMs)" align. Pure functions over plain strings; the spaCy
component in ``components.py`` only maps the results onto tokens.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SHORT_FORM = re.compile(r"^(?=[^\s]*[A-Za-z])[A-Za-z0-9][\w\-^$.+/&'@]{0,13}$")
NOT_SHORT = {"e.g.", "i.e.", "etc", "see", "fig", "ours", "resp", "cf", "vs", "ie", "eg", "a", "b", "c", "i", "ii", "iii", "iv"}
LEADING_DROP = {"the", "a", "an", "our", "novel", "new", "proposed", "this", "these", "of", "and", "or", "to", "called", "named", "dubbed", "termed"}
PAREN = re.compile(r"\(([^()\n]{1,80})\)")


@dataclass(frozen=True)
class Definition:
    """Character offsets (into the text given) of both sides of one definition."""

    short: str
    long: str
    short_start: int
    short_end: int
    long_start: int
    long_end: int


def is_short_form(text: str) -> bool:
    if not SHORT_FORM.match(text) or text.lower().strip(".") in NOT_SHORT:
        return False
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 2 and not any(c.isdigit() for c in text):
        return False
    return any(c.isupper() for c in text) and not text.isdigit()


NUMBER_WORDS = {"1": "o", "2": "t", "3": "t", "4": "f", "5": "f", "6": "s", "7": "s", "8": "e", "9": "n"}


def align(short: str, long: str) -> int | None:
    """Start index in ``long`` of the long form that ``short`` abbreviates, or None.

    Among all alignments, the one with most letters on word starts wins, then the shortest.

    >>> long = "we use Retrieval-Augmented Generation"
    >>> long[align("RAG", long):]
    'Retrieval-Augmented Generation'
    >>> long = "a novel Matryoshka Multimodal Embedder"
    >>> long[align("MME", long):]
    'Matryoshka Multimodal Embedder'
    """
    chars = [c.lower() for c in short if c.isalnum()]
    spelled = [NUMBER_WORDS.get(c, c) for c in chars]
    for attempt in (chars, spelled, [c for c in chars if not c.isdigit()]):
        start = _align(attempt, long)
        if start is not None:
            while start > 0 and not long[start - 1].isspace() and long[start - 1] not in "(\"'":
                start -= 1
            return start
    return None


def _word_start(text: str, i: int) -> bool:
    if i == 0:
        return True
    prev, cur = text[i - 1], text[i]
    return not prev.isalnum() or (prev.islower() and cur.isupper())


def _align(chars: list[str], long: str) -> int | None:
    """Dynamic programme over the positions where each letter occurs (few per letter)."""
    if not chars:
        return None
    lower = long.lower()
    # best[p] = (word-start matches, start position) for chars[: s + 1] ending at p
    best: dict[int, tuple[int, int]] = {}
    for s, c in enumerate(chars):
        positions = [i for i, ch in enumerate(lower) if ch == c]
        if s == 0:
            positions = [i for i in positions if _word_start(long, i)]
            best = {p: (1, p) for p in positions}
            continue
        nxt: dict[int, tuple[int, int]] = {}
        for p in positions:
            prior = [v for q, v in best.items() if q < p]
            if prior:
                score, start = max(prior)
                nxt[p] = (score + _word_start(long, p), start)
        best = nxt
        if not best:
            return None
    if not best:
        return None
    # the last letter must sit in the last word of the window
    last_word = len(long) - len(long.split()[-1]) if long.split() else 0
    finals = [v for p, v in best.items() if p >= last_word]
    if not finals:
        return None
    return max(finals)[1]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading function words and surrounding punctuation from a long form."""
    while True:
        while start < end and not text[start].isalnum():
            start += 1
        word = re.match(r"[\w'-]+", text[start:end])
        if word and word.group(0).lower() in LEADING_DROP and start + len(word.group(0)) < end:
            start += len(word.group(0))
            continue
        break
    while end > start and text[end - 1] in " ,;:-\"'~":
        end -= 1
    return start, end


FUNCTION_WORDS = {"of", "for", "with", "and", "the", "to", "in", "on", "a", "an", "by", "via", "from"}
CLAUSE_WORDS = {"we", "our", "is", "are", "was", "were", "propose", "proposed", "which", "that", "this", "be", "can", "has", "have"}


def _content_words(text: str) -> int:
    return sum(1 for w in re.findall(r"[A-Za-z0-9]+", text) if w.lower() not in FUNCTION_WORDS)


def _clause(text: str) -> bool:
    """A long form never contains a clause ("we propose ...")."""
    return any(w.lower() in CLAUSE_WORDS for w in re.findall(r"[A-Za-z]+", text))


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9]+", text))


def find_definitions(text: str) -> list[Definition]:
    """All abbreviation definitions in ``text``.

    >>> [(d.short, d.long) for d in find_definitions("We use Large Language Models (LLMs) here.")]
    [('LLMs', 'Large Language Models')]
    >>> [(d.short, d.long) for d in find_definitions("We introduce SIE (Split Invariant-Equivariant).")]
    [('SIE', 'Split Invariant-Equivariant')]
    """
    out: list[Definition] = []
    for m in PAREN.finditer(text):
        inner = m.group(1).strip()
        inner_start = m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
        # Form 1: long form (SF)
        sf = inner.split(";")[0].split(",")[0].strip()
        if is_short_form(sf) and len(sf.split()) == 1:
            window_start = max(text.rfind("\n", 0, m.start()), text.rfind(". ", 0, m.start()), text.rfind("(", 0, m.start()), -1) + 1
            window = text[window_start:m.start()].rstrip()
            max_words = min(len(sf) + 5, 2 * len(sf))
            tail_words = re.findall(r"\S+", window)
            cut = " ".join(tail_words[-max_words:])
            offset = window_start + len(window) - len(cut)
            start = align(sf, cut)
            if start is not None:
                ls, le = _trim(text, offset + start, offset + len(cut))
                long = text[ls:le]
                if (le > ls and 1 <= _words(long) <= max_words and long != sf and len(long) > len(sf)
                        and _content_words(long) <= len(sf) + 1 and not _clause(long)):
                    out.append(Definition(sf, long, inner_start, inner_start + len(sf), ls, le))
                    continue
        # Form 2: SF (long form)
        before = re.search(r"(\S+)\s*$", text[: m.start()])
        if before and _words(inner) >= 2 and " " in inner:
            sf = before.group(1).strip("\"'")
            sf_start = before.start(1) + (len(before.group(1)) - len(before.group(1).lstrip("\"'")))
            if is_short_form(sf) and align(sf, inner) == 0:
                ls, le = _trim(text, inner_start, inner_start + len(inner))
                out.append(Definition(sf, text[ls:le], sf_start, sf_start + len(sf), ls, le))
    return out
