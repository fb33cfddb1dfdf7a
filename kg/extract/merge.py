"""Combining rule and model mentions into one set of typed entity mentions.

POLICY (also in ``POLICY.md``; the numbers are the ``MergeConfig`` defaults):

1. Candidates. Every component proposes spans with a type, a rule id and a confidence:
   gazetteer (training names 0.8, Papers with Code names 0.6, PwC task names 0.45),
   name shapes (0.5-0.85), abbreviation definitions (both sides 0.85, later uses 0.8),
   cue-built names ("X dataset", "a benchmark called X", "we term X": 0.75) and the
   statistical model: its per-label score times ``model_weight`` (0.7), so a model span
   alone passes only where the model is precise (datasets) and otherwise needs a rule
   that agrees (policy 3). Anything below 0.5 alone needs agreement to survive.
2. Generic phrases (``rules/generic.txt``: "models", "deep learning", "LLMs", ...) are
   dropped whatever proposed them.
3. Same span, several proposals: the confidences combine by noisy-or
   (1 - prod(1 - c)), so agreement between rules and model raises confidence; the type
   is the one with the largest summed confidence (type conflict = weighted vote). A name
   shape's "method" is only a default, so its type vote counts 0.3 of its confidence;
   the model's type counts 0.5 (its types are less reliable than its spans).
4. Cues retype: a span right before "dataset"/"benchmark" or right after "a dataset
   called" gets that type with a strong vote (0.9): the text says what it is.
5. Overlaps: a phrase built by a rule (head phrase, capitalised run, cue run, abbreviation
   long form) first inherits the confidence of a same-type name inside it, so the most
   complete form wins ("dense text retrieval" over the gazetteer's "text retrieval").
   Then spans are taken greedily by confidence (rounded to 0.05), then by length; a span
   that overlaps an accepted one is dropped.
6. Model spans below ``model_threshold`` and any span below ``threshold`` are dropped.
7. Document-level type consistency: all accepted mentions with one surface key (and the
   two sides of an abbreviation definition) take the type with the largest summed
   confidence over the document, so "RAG" and "Retrieval-Augmented Generation" agree.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache

from kg.extract.resources import generic_keys, head_types
from kg.resolve import keys
from kg.resolve.keys import singular

# a pure function of the string, asked about the same spans many times per document
surface_key = lru_cache(maxsize=1 << 16)(keys.surface_key)


@dataclass(frozen=True)
class Candidate:
    """A proposed mention: character span, type, rule id, confidence."""

    start: int
    end: int
    type: str
    rule: str
    confidence: float


@dataclass(frozen=True)
class MergeConfig:
    threshold: float = 0.5
    model_threshold: float = 0.5
    cue_vote: float = 0.9
    # Each source's confidence is scaled by this weight before combining (tuning knob).
    weights: dict = field(default_factory=lambda: {"model": 0.7})


def noisy_or(values) -> float:
    p = 1.0
    for v in values:
        p *= 1.0 - max(0.0, min(1.0, v))
    return 1.0 - p


def head_type(name: str) -> str | None:
    """Type signalled by the last word ("... dataset" -> dataset), if any."""
    words = name.replace("-", " ").split()
    if not words:
        return None
    last = words[-1].lower()
    table = head_types()
    return table.get(last) or table.get(singular(last).lower())


GUESS_WEIGHT = 0.3


MODEL_TYPE_WEIGHT = 0.5


def _type_weight(c: Candidate) -> float:
    """How much a proposal's type counts in a vote: a shape rule's "method" is a default,
    not evidence (it says "a name is here"); the model's type is weaker evidence than a rule's."""
    if c.type == "method" and c.rule.startswith("shape.") and c.rule != "shape.head_phrase":
        return GUESS_WEIGHT
    if c.rule == "model":
        return MODEL_TYPE_WEIGHT
    return 1.0


def combine(cands: list[Candidate], config: MergeConfig) -> list[Candidate]:
    """One candidate per span: noisy-or confidence, weighted-vote type (policy 3)."""
    by_span: dict[tuple[int, int], list[Candidate]] = defaultdict(list)
    for c in cands:
        by_span[(c.start, c.end)].append(c)
    out = []
    for (s, e), group in by_span.items():
        votes: dict[str, float] = defaultdict(float)
        for c in group:
            votes[c.type] += c.confidence * _type_weight(c)
        type_ = max(sorted(votes), key=lambda t: votes[t])
        best = max(group, key=lambda c: (c.confidence, c.rule))
        conf = noisy_or(c.confidence for c in group)
        rules = sorted({c.rule for c in group})
        out.append(Candidate(s, e, type_, "+".join(rules), round(conf, 4)))
        del best
    return out


PHRASE_RULES = ("shape.head_phrase", "shape.title_case", "cue.", "abbrev.long")


def inherit_contained(cands: list[Candidate]) -> list[Candidate]:
    """A phrase rule's span takes the confidence of a same-type name inside it, so the most
    complete form wins ("dense text retrieval" over "text retrieval"; policy 5)."""
    out = []
    for c in cands:
        if any(r.startswith(PHRASE_RULES) for r in c.rule.split("+")):
            inner = [d.confidence for d in cands if d.type == c.type and c.start <= d.start and d.end <= c.end
                     and (d.start, d.end) != (c.start, c.end)]
            if inner and max(inner) > c.confidence:
                c = replace(c, confidence=max(inner))
        out.append(c)
    return out


def resolve_overlaps(cands: list[Candidate]) -> list[Candidate]:
    """Greedy by (confidence rounded to 0.05, length); overlapping losers dropped (policy 5)."""
    order = sorted(cands, key=lambda c: (-round(c.confidence * 20), -(c.end - c.start), c.start))
    taken: list[Candidate] = []
    occupied = []
    for c in order:
        if any(c.start < e and s < c.end for s, e in occupied):
            continue
        taken.append(c)
        occupied.append((c.start, c.end))
    return sorted(taken, key=lambda c: (c.start, c.end))


# A task that only a list or the head-word rule proposes is often a field named in passing
# ("language modeling", "text retrieval"); when the model ran and saw no name there, it
# is dropped (dev: 13 such tasks, none annotated; policy 6b).
WEAK_TASK_RULES = frozenset({"gazetteer.train", "gazetteer.pwc", "shape.head_phrase"})


def _unheard_task(c: Candidate, model_spans: list[tuple[int, int]]) -> bool:
    return (c.type == "task" and set(c.rule.split("+")) <= WEAK_TASK_RULES and len(c.rule.split("+")) == 1
            and not any(c.start < e and s < c.end for s, e in model_spans))


def merge(text: str, cands: list[Candidate], retype: list[tuple[int, int, str]],
          pairs: list[tuple[tuple[int, int], tuple[int, int]]], config: MergeConfig = MergeConfig(),
          model_ran: bool = False) -> list[Candidate]:
    """Apply the policy. ``retype`` = cue votes (start, end, type); ``pairs`` = abbreviation
    definitions as ((long start, long end), (short start, short end)); ``model_ran``: the
    statistical model was in the pipeline (its silence then counts, policy 6b)."""
    generic = generic_keys()
    model_spans = [(c.start, c.end) for c in cands if c.rule.startswith("model")]
    kept = []
    for c in cands:
        if c.rule.startswith("model"):
            if c.confidence < config.model_threshold:
                continue
            c = replace(c, confidence=c.confidence * config.weights.get("model", 1.0))
        if surface_key(text[c.start:c.end]) in generic:
            continue
        kept.append(c)
    spans = {(c.start, c.end) for c in kept}
    for s, e, t in retype:
        if (s, e) in spans:
            kept.append(Candidate(s, e, t, "cue", config.cue_vote))
    merged = [c for c in combine(kept, config) if c.confidence >= config.threshold]
    if model_ran:
        merged = [c for c in merged if not _unheard_task(c, model_spans)]
    accepted = resolve_overlaps(inherit_contained(merged))
    unified = _drop_overlong_title_tasks(text, unify_types(text, accepted, kept, pairs))
    # "Image-Text Retrieval" is a task whatever voted, and so is its short form "ITR" (policy 6d)
    tasks = {surface_key(text[c.start:c.end]) for c in unified
             if c.type in ("dataset", "benchmark") and _task_headed(text[c.start:c.end])}
    tasks |= {surface_key(text[ss:se]) for (ls, le), (ss, se) in pairs if surface_key(text[ls:le]) in tasks}
    out = []
    for c in unified:
        if _bare_task_acronym(text, c):
            continue
        if c.type in ("dataset", "benchmark") and surface_key(text[c.start:c.end]) in tasks:
            c = replace(c, type="task")
        out.append(c)
    return out


def _drop_overlong_title_tasks(text: str, cands: list[Candidate]) -> list[Candidate]:
    """A task of three or more words written only in the title that holds a task the abstract
    names ("Unsupervised Dense Information Retrieval" with "information retrieval") is the
    title's long form, not what annotators list (train 2-fold: 2 of 7 such were annotated).
    Policy 6e."""
    title_end = text.find("\n")
    if title_end < 0:
        return cands
    tasks = [c for c in cands if c.type == "task"]
    body_keys = {surface_key(text[c.start:c.end]) for c in tasks if c.start > title_end}
    out = []
    for c in cands:
        if c.type == "task" and c.end <= title_end and len(text[c.start:c.end].replace("-", " ").split()) >= 3:
            key = surface_key(text[c.start:c.end])
            padded = f" {key} "
            if key not in body_keys and any(k != key and f" {k} " in padded for k in body_keys):
                continue
        out.append(c)
    return out


def _task_headed(name: str) -> bool:
    """Ends in a task head word ("... retrieval", "... classification") and names no
    collection ("MS MARCO passage ranking" is data: an acronym or a number says so). In the
    training annotations no dataset or benchmark name is plain words before a task head."""
    from kg.extract.resources import word_list

    words = name.replace("-", " ").split()
    if len(words) < 2 or any(sum(ch.isupper() for ch in w) >= 2 or any(ch.isdigit() for ch in w) for w in words):
        return False
    last = words[-1].lower()
    heads = word_list("task_heads.txt")
    return last in heads or singular(last).lower() in heads


BARE_ACRONYM = re.compile(r"[A-Z]{2,4}s?")


def _bare_task_acronym(text: str, c: Candidate) -> bool:
    """"IR", "QA" as a task without a definition in the paper: annotators list the field the
    paper spells out, not a passing acronym (train: 3 of 24 acronym tasks were undefined).
    Policy 6c."""
    return (c.type == "task" and BARE_ACRONYM.fullmatch(text[c.start:c.end]) is not None
            and "abbrev." not in c.rule)


def unify_types(text: str, accepted: list[Candidate], votes_from: list[Candidate],
                pairs) -> list[Candidate]:
    """One type per entity per document (policy 7)."""
    key_of = {}
    parent: dict[str, str] = {}

    def find(k):
        while parent.get(k, k) != k:
            k = parent[k]
        return k

    for (ls, le), (ss, se) in pairs:
        a, b = find(surface_key(text[ls:le])), find(surface_key(text[ss:se]))
        if a != b:
            parent[b] = a
    votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for c in votes_from:
        key_of[(c.start, c.end)] = find(surface_key(text[c.start:c.end]))
        votes[key_of[(c.start, c.end)]][c.type] += c.confidence * _type_weight(c)
    out = []
    for c in accepted:
        k = find(surface_key(text[c.start:c.end]))
        v = votes.get(k)
        if v:
            t = max(sorted(v), key=lambda x: v[x])
            if t != c.type:
                c = replace(c, type=t)
        out.append(c)
    return out
