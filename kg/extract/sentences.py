"""Sentence boundaries for abstracts: the title is always sentence 0.

A blank line (the title separator) starts a sentence; so does a token after ``.``,
``!`` or ``?`` unless the next word is lower-case (``e.g. works``) or the dot ends a
known abbreviation (``et al.``, ``Fig.``).
"""
from __future__ import annotations

from collections.abc import Sequence

ENDERS = {".", "!", "?"}
NO_BREAK_AFTER = {"al.", "e.g.", "i.e.", "fig.", "eq.", "vs.", "etc.", "cf.", "approx.", "resp.", "sec.", "no.", "ref."}


def sentence_starts(words: Sequence[str]) -> list[bool]:
    """For each token text, whether it starts a sentence.

    >>> sentence_starts(["Title", "\\n\\n", "We", "win", ".", "It", "works", "."])
    [True, False, True, False, False, True, False, False]
    """
    starts = [False] * len(words)
    if not words:
        return starts
    starts[0] = True
    for i in range(1, len(words)):
        prev, word = words[i - 1], words[i]
        if word.isspace():
            continue
        if prev.isspace() and "\n" in prev:
            starts[i] = True
        elif prev in ENDERS or (prev.endswith(".") and prev.lower() not in NO_BREAK_AFTER):
            starts[i] = not word[0].islower()
        if starts[i] and i >= 2 and prev in ENDERS and words[i - 2].lower() + prev in NO_BREAK_AFTER:
            starts[i] = False
    return starts
