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

from kg.extract.resources import RULES, generic_keys, read_jsonl, word_list
from kg.resolve.keys import surface_key

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


TITLE_RUN = re.compile(
    r"(?<![\w-])(?:[A-Z][\w'^]*(?:-[A-Za-z0-9]\w*)*)"
    r"(?:\s(?:(?:of|for|with|via|in|on|to|the|from|by)\s)?(?:[A-Z][\w'^]*(?:-[A-Za-z0-9]\w*)*))+")
CONNECTORS = {"of", "for", "with", "via", "in", "on", "to", "the", "from", "by"}
SENTENCE_END = re.compile(r"(?:^|[.!?:;]\s+|\n\s*)$")


def find_title_case_runs(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Runs of two or more capitalised words in the abstract body ("Grouped-Query Attention");
    a sentence-initial ordinary word ("Recent Transformer ...") is not part of a run."""
    openers = word_list("sentence_openers.txt")
    generic = generic_keys()  # "LLM APIs" is not a name: its head is generic
    out = []
    for m in TITLE_RUN.finditer(text, start):
        s, e = m.start(), m.end()
        words = list(re.finditer(r"\S+", m.group(0)))
        if SENTENCE_END.search(text[max(start, s - 3):s]) or s == start:
            if words[0].group(0).lower() in openers:
                words = words[1:]
                while words and words[0].group(0).lower() in CONNECTORS:
                    words = words[1:]
        suffixes = word_list("hyphen_suffixes.txt")
        segment: list = []
        plain = re.compile(r"^[A-Z][a-z]+(?:-[A-Za-z][a-z]+)*$")
        for n, w in enumerate(words + [None]):
            bad = w is None or w.group(0).rsplit("-", 1)[-1].lower() in suffixes
            if not bad and w.group(0).lower() in CONNECTORS:
                # a connector joins plain capitalised words only ("Pooling with Teacher"),
                # never two acronyms ("BERT-base with T5-XXL")
                nxt = words[n + 1].group(0) if n + 1 < len(words) else ""
                bad = not (segment and plain.match(segment[-1].group(0)) and plain.match(nxt))
            if not bad:
                segment.append(w)
                continue
            while segment and segment[-1].group(0).lower() in CONNECTORS:
                segment.pop()
            last = segment[-1].group(0) if segment else ""
            if len(segment) >= 2 and (surface_key(last) not in generic or _run_type(last) in ("dataset", "benchmark")):
                out.append((s + segment[0].start(), s + segment[-1].end()))
            segment = []
    return out


NAMEISH = re.compile(r"^(?:[A-Za-z]+\d[A-Za-z0-9]*|[A-Za-z]*[a-z][A-Z]\w*)$")
PHRASE_WORD = re.compile(r"[A-Za-z0-9][\w]*(?:-[\w]+)*")


def find_head_phrases(text: str) -> list[tuple[int, int, str]]:
    """Lower-case names built around a head word that signals a task or method:
    "dense passage retrieval", "multi-label classification", "self-supervised learning".
    Modifiers are words seen in Papers with Code names; at most four, no punctuation between.
    """
    heads = {h: "task" for h in word_list("task_heads.txt")}
    vocab = _name_words()
    stop = word_list("modifier_stop.txt")
    words = list(PHRASE_WORD.finditer(text))
    out = []
    maybe = _head_finals()
    for i, w in enumerate(words):
        head = w.group(0).lower()
        if head not in maybe and ("-" not in head or head.rsplit("-", 1)[-1] not in maybe):
            continue  # cannot end a head (most words): the tests below would all fail
        type_ = heads.get(head) or (heads.get(head[:-1]) if head.endswith("s") else None)
        if type_ is None and "-" in head:  # "question-answering", "code-summarization"
            last = head.rsplit("-", 1)[-1]
            type_ = heads.get(last) or (heads.get(last[:-1]) if last.endswith("s") else None)
        first = i
        if type_ is None and i > 0 and text[words[i - 1].end():w.start()] == " ":
            pair = words[i - 1].group(0).lower() + " " + head  # a two-word head: "representation learning"
            type_ = heads.get(pair) or (heads.get(pair[:-1]) if pair.endswith("s") else None)
            first = i - 1
        if type_ is None:
            continue
        j = first
        while j > 0 and i - j < 4:
            prev = words[j - 1]
            gap = text[prev.end():words[j].start()]
            token = prev.group(0).lower()
            parts = [p for p in token.split("-") if p]
            if gap == " " and j == first and NAMEISH.match(prev.group(0)) and token not in stop:
                j -= 1  # "Text2Code search": a shaped name right before the head
                break
            if len(parts) > 1 and parts[-1] in stop:
                break  # "LLM-based sentiment lexicon generation" -> "sentiment lexicon generation"
            if gap != " " or token in stop or not all(p in vocab or p in stop or p.isdigit() for p in parts):
                break
            if len(parts) == 1 and token not in vocab:
                break
            j -= 1
        while j < i and words[j].group(0).lower() in stop:
            j += 1
        if j < i:
            out.append((words[j].start(), w.end(), type_))
    return out


@lru_cache(maxsize=None)
def _head_finals() -> frozenset[str]:
    """Last words of the task heads, also with a plural "s": a word that is none of these
    cannot end a head phrase, alone, after a hyphen or as the second word of a pair."""
    finals = {h.rsplit(" ", 1)[-1] for h in word_list("task_heads.txt")}
    return frozenset(finals | {f + "s" for f in finals})


@lru_cache(maxsize=None)
def _name_words() -> frozenset[str]:
    from kg.extract.resources import GAZETTEERS

    return frozenset(x.strip().lower() for x in (GAZETTEERS / "name_words.txt").read_text(encoding="utf-8").splitlines()
                     if x.strip() and not x.startswith("#"))


@lru_cache(maxsize=None)
def _suffixes() -> tuple[tuple[str, str], ...]:
    from kg.extract.resources import read_tsv

    rows = read_tsv(RULES / "name_suffixes.tsv")
    return tuple(sorted(((r["suffix"], r["type"]) for r in rows), key=lambda x: -len(x[0])))


def _suffix_type(word: str) -> str | None:
    """Type a one-word name's ending signals: "TriviaQA" -> dataset, "LiveCodeBench" -> benchmark."""
    core = word.rsplit("-", 1)[0] if word.rsplit("-", 1)[-1].isdigit() else word
    for suffix, type_ in _suffixes():
        if core.endswith(suffix) and len(core) > len(suffix):
            before = core[-len(suffix) - 1]
            if suffix[0].isupper() or before.islower() or before.isdigit() or before == "-":
                return type_
    return None


def _run_type(name: str) -> str:
    from kg.extract.merge import head_type

    return head_type(name) or "method"


TITLE_TASK = re.compile(r"(?:^|\s)(?:for|in|on|towards?|improving|boosting|enhancing|advancing|rethinking)\s+"
                        r"((?:[\w'-]+\s+){0,4}?[\w'-]+)\s*(?=$|:|\?|\bvia\b|\bwith\b|\bby\b|\busing\b)", re.I)


def title_tasks(title: str) -> list[tuple[int, int]]:
    """Tasks a title names: "... for Dense Text Retrieval", "Towards Code Search: ..."; the
    phrase must end the title (or its part) and end in a task head word."""
    heads = word_list("task_heads.txt")
    out = []
    for m in TITLE_TASK.finditer(title):
        phrase = m.group(1)
        words = phrase.split()
        if words and words[-1].lower().rstrip("s") in heads or (words and words[-1].lower() in heads):
            while words and words[0].lower() in ("the", "a", "an", "large-scale", "efficient", "effective"):
                words = words[1:]
            if words:
                start = m.start(1) + phrase.index(words[0])
                out.append((start, m.end(1)))
    return out


def title_prefix(title: str) -> tuple[int, int] | None:
    """The name before ":" in a title ("Rank-R1: Enhancing ...", "Diverse Beam Search: ...");
    not a phrase ("Order Matters: ...", "Rethinking Few-Shot Classification: ...")."""
    colon = title.find(":")
    if colon <= 0:
        return None
    prefix = title[:colon]
    words = prefix.split()
    if not 1 <= len(words) <= 4 or "," in prefix:
        return None
    stop = word_list("title_prefix_stop.txt")
    if any(w.lower() in stop for w in words) or (words[0].lower().endswith("ing") and words[0][1:].islower()):
        return None
    if words[0][0].islower() and not any(c.isupper() for c in words[0]):
        return None
    start = len(prefix) - len(prefix.lstrip())
    return start, len(prefix.rstrip())


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
    body = text.find("\n\n")
    prefix = title_prefix(text[:body] if body > 0 else "")
    if prefix:
        s, e = prefix
        out.append((s, e, _run_type(text[s:e]) if _run_type(text[s:e]) in ("dataset", "benchmark") else "method",
                    "shape.title_prefix", 0.75))
        taken.add((s, e))
    for s, e in title_tasks(text[:body] if body > 0 else ""):
        if (s, e) not in taken:
            out.append((s, e, "task", "shape.title_task", 0.6))
            taken.add((s, e))
    if body > 0:  # in the title every word is capitalised: only "... Dataset/Benchmark" runs count
        for s, e in find_title_case_runs(text[:body]):
            type_ = _run_type(text[s:e])
            if type_ in ("dataset", "benchmark") and text[s:e].split()[-1][0].isupper():
                out.append((s, e, type_, "shape.title_case", 0.6))
                taken.add((s, e))
    for s, e in find_title_case_runs(text, body + 2 if body >= 0 else 0):
        if (s, e) not in taken:
            out.append((s, e, _run_type(text[s:e]), "shape.title_case", 0.6))
            taken.add((s, e))
    for s, e, type_ in find_head_phrases(text):
        if (s, e) not in taken:
            out.append((s, e, type_, "shape.head_phrase", 0.55))
            taken.add((s, e))
    cache = _word_cache(rules)
    for m in WORD.finditer(text):
        raw = m.group(0)
        shape = cache.get(raw, _MISS)
        if shape is _MISS:
            shape = cache[raw] = _word_shape(raw, rules)
            if len(cache) > _WORD_CACHE_SIZE:
                cache.clear()
        if shape is None:
            continue
        lead, length, type_, rule_id, confidence = shape
        span = (m.start() + lead, m.start() + lead + length)
        if span not in taken:
            out.append((span[0], span[1], type_, rule_id, confidence))
    out.sort()
    return out


_MISS = object()
_WORD_CACHE_SIZE = 200_000
_WORD_CACHES: dict[int, dict] = {}


def _word_cache(rules: tuple[ShapeRule, ...]) -> dict:
    """Shapes of words seen before (most words of an abstract are): one per rule set."""
    return _WORD_CACHES.setdefault(id(rules), {})


def _word_shape(raw: str, rules: tuple[ShapeRule, ...]):
    """(offset of the name in ``raw``, length, type, rule id, confidence) of the first word
    rule that matches the stripped word, or None. Depends on ``raw`` alone, so it is cached."""
    word, lead = _strip(raw, 0)
    if len(word) < 2:
        return None
    for rule in rules:
        if rule.scope == "word" and rule.regex.match(word):
            type_ = _suffix_type(word) if rule.type == "method" else None
            return lead, len(word), type_ or rule.type, rule.id, rule.confidence
    return None
