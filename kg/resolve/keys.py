"""Comparison keys for entity names: what makes two spellings "the same string".

Case, Unicode forms, TeX leftovers (``UniCode^2``, ``96.4\\%``), hyphens versus spaces,
a leading article and a plural ``-s`` on the last word do not matter; digits, version
and size suffixes do (``GPT-3`` and ``GPT-4`` keep different keys).
"""
from __future__ import annotations

import re
import unicodedata

_TEX_COMMANDS = re.compile(r"\\(?:textbf|textit|emph|mathrm|mathbf|text)\{([^{}]*)\}")
_TEX_ESCAPES = re.compile(r"\\([%&_#$])")
_TEX_MARKUP = re.compile(r"[{}$]|\\,")
_SEPARATORS = re.compile(r"[\s\u00a0\u2010-\u2015_\-/]+")
_DROP = re.compile(r"[^\w@.+#^' ]")
_ARTICLE = re.compile(r"^(the|a|an) ")
_PLURAL_EXCEPTIONS = ("ss", "us", "is", "ics")
# "GPT4" is "GPT-4", "LLaMA2" is "LLaMA-2": a digit glued to a word of two or more letters.
_GLUED_DIGIT = re.compile(r"(?<=[^\W\d_]{2})(?=\d)")


def clean_surface(text: str) -> str:
    """The name as a person would write it: Unicode normalised, TeX markup removed, spaces folded.

    >>> clean_surface("UniCode$^2$")
    'UniCode^2'
    >>> clean_surface("96.4\\\\%")
    '96.4%'
    """
    text = unicodedata.normalize("NFKC", text)
    text = _TEX_COMMANDS.sub(r"\1", text)
    text = _TEX_ESCAPES.sub(r"\1", text)
    text = _TEX_MARKUP.sub("", text)
    text = text.replace("\u200b", "").replace("\u200c", "").replace("\u200d", "")
    return re.sub(r"\s+", " ", text).strip()


def singular(word: str) -> str:
    """Drop a plural ``s`` (``LLMs`` -> ``LLM``, ``models`` -> ``model``), not ``loss`` or ``corpus``."""
    lower = word.lower()
    if lower.endswith("ies") and len(word) > 4:
        return word[:-3] + ("Y" if word[-3:].isupper() else "y")
    if len(word) > 2 and lower.endswith("s") and not lower.endswith(_PLURAL_EXCEPTIONS):
        stem = word[:-1]
        if word[-1] == "s" and stem[-1:].isupper():  # acronym plural: LLMs, GANs
            return stem
        if len(word) > 3:
            return stem
    return word


def surface_key(text: str) -> str:
    """Key under which spellings of one name collide.

    >>> surface_key("Large Language Models") == surface_key("large-language model")
    True
    >>> surface_key("LLMs") == surface_key("LLM")
    True
    >>> surface_key("GPT-3") == surface_key("GPT-4")
    False
    >>> surface_key("LLaMA2") == surface_key("LLaMA-2")
    True
    """
    text = clean_surface(text)
    text = _SEPARATORS.sub(" ", text)
    text = _DROP.sub(" ", text)
    words = _GLUED_DIGIT.sub(" ", text).split()
    if not words:
        return ""
    words[-1] = singular(words[-1])
    key = " ".join(words).lower()
    return _ARTICLE.sub("", key)


_SPELLING = ((re.compile(r"isation"), "ization"), (re.compile(r"ise(d|s)?\b"), r"ize\1"),
             (re.compile(r"elling\b"), "eling"), (re.compile(r"yse\b"), "yze"))


def compact_key(key: str) -> str:
    """A looser key for spellings of one long name: no spaces at all, British -ise as -ize.

    ``pre-trained`` / ``pretrained``, ``nat-ural`` / ``natural``, ``quantisation`` /
    ``quantization`` agree; versions still do not (``gpt3`` vs ``gpt4``).

    >>> compact_key("pre trained language model") == compact_key("pretrained language model")
    True
    >>> compact_key("vector quantisation") == compact_key("vector quantization")
    True
    """
    for pattern, replacement in _SPELLING:
        key = pattern.sub(replacement, key)
    return key.replace(" ", "")
