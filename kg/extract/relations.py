"""Document-level relations read off the merged mentions, the cues and the sentences.

- PROPOSES: the first newly named entity (not a gazetteer name) after a proposal cue
  ("we propose", "this paper introduces", "called", "our method") in the same sentence;
  the entity just before ", a novel ..."; names defined by an abbreviation in a proposal
  sentence; and a name that is the whole title prefix before ":" ("X: ...").
- EVALUATES_ON / USES_METRIC / ADDRESSES: every dataset or benchmark / metric / task
  the abstract names (an abstract names the data it reports on; leaving out corpora
  named after "trained on" lowered F1 on both the training and the dev set).
- OUTPERFORMS: in a sentence with "outperforms", "surpasses", "better than": the
  method before the cue (or the paper's proposal when the subject is "we/our/it") over
  each method after it, with the first dataset after the cue.
- Results: each number in a sentence that also names a metric, with the nearest
  metric, dataset and the sentence's method (or the proposal).
Every record carries the sentence index, character offsets, rule id and confidence.
"""
from __future__ import annotations

import re

from kg.extract.doctext import doc_text, token_bounds
from kg.resolve.keys import surface_key

NUMBER = re.compile(r"(?<![\w.])[+-]?\d+(?:\.\d+)?(?:\s?%|(?![\w.]))")
SUBJECT_WORDS = {"we", "our", "it", "its", "this", "which", "ours"}


def _sentence_index(doc) -> tuple[list[int], list[tuple[int, int]]]:
    index, bounds = [0] * len(doc), []
    current = -1
    for i, (idx, length, start) in enumerate(zip(*token_bounds(doc))):
        if start or current < 0:
            current += 1
            bounds.append((idx, idx))
        index[i] = current
        bounds[current] = (bounds[current][0], idx + length)
    return index, bounds


def find_relations(doc) -> tuple[list[dict], list[dict]]:
    """Plain-dict relations and results for one Doc with ``kg_entities`` and ``kg_cues``."""
    ents = list(doc.spans.get("kg_entities", []))
    group = doc.spans.get("kg_entities")
    rules = group.attrs.get("rules", []) if group is not None else []
    sent_of, bounds = _sentence_index(doc)
    text = doc_text(doc)

    def rel(type_, span, rule, conf, head=None, dataset=None):
        k = sent_of[span.start]
        s, e = bounds[k]
        return {
            "type": type_, "head": head.text if head is not None else None,
            "head_type": head.label_ if head is not None else None,
            "tail": span.text, "tail_type": span.label_, "sentence": k,
            "start": span.start_char, "end": span.end_char, "evidence": text[s:e].strip(),
            "rule": rule, "confidence": conf, "dataset": dataset.text if dataset is not None else None,
        }

    relations: list[dict] = []
    proposed: list = []
    new_name = [_new_name(span.text, rule) for span, rule in zip(ents, rules)]
    cues = doc.spans.get("kg_cues", [])
    cue_rules = cues.attrs.get("rules", []) if len(cues) else []
    defined = set()
    pairs = group.attrs.get("pairs", []) if group is not None else []
    for ls, le, ss, se in pairs:
        defined.add((ls, le))
    for cue, cue_rule in zip(cues, cue_rules):
        k = sent_of[cue.start]
        if cue.label_ == "proposes":
            # "we propose ... X" looks a clause ahead; "our method, X" and "called X" only at X
            reach = 15 if cue_rule in WIDE_CUES else 2
            window = [(i, e) for i, e in enumerate(ents)
                      if sent_of[e.start] == k and e.start >= cue.end and e.start - cue.end <= reach
                      and e.label_ not in NOT_PROPOSED]
            picks = [e for i, e in window if _modifier(doc, e) is False
                     and (new_name[i] or (e.start - cue.end <= 3 and any(c.isupper() for c in e.text)))][:1]
            picks += [e for i, e in window if (e.start_char, e.end_char) in defined and e not in picks]
            for e in picks:
                proposed.append((e, cue_rule))
        elif cue.label_ == "name_next" and cue_rule in NAMING_PROPOSES:
            for e in ents:
                if e.start == cue.end or (e.start == cue.end + 1 and doc[cue.end].text in '"“\'‘'):
                    if e.label_ not in NOT_PROPOSED:
                        proposed.append((e, cue_rule))
                    break
        elif cue.label_ == "proposes_prev":
            for e in ents:
                if e.end == cue.start and e.label_ not in NOT_PROPOSED:
                    proposed.append((e, cue_rule))
    # Title prefix "Name: subtitle"
    title_end = bounds[0][1] if bounds else 0
    colon = text.find(":", 0, title_end)
    if colon > 0:
        for e in ents:
            if e.start_char == 0 and text[e.end_char:colon].strip() == "" and e.label_ not in NOT_PROPOSED:
                proposed.append((e, "relation.proposes.title"))
    seen = set()
    for e, rule in proposed:
        key = surface_key(e.text)
        if key not in seen:
            seen.add(key)
            relations.append(rel("PROPOSES", e, rule, 0.8 if rule != "relation.proposes.title" else 0.7))

    by_type: dict[str, list] = {}
    for e in ents:
        by_type.setdefault(e.label_, []).append(e)
    doc_level = {"dataset": "EVALUATES_ON", "benchmark": "EVALUATES_ON", "metric": "USES_METRIC", "task": "ADDRESSES"}
    for type_, rel_type in doc_level.items():
        firsts: dict[str, list] = {}
        for e in by_type.get(type_, []):
            firsts.setdefault(surface_key(e.text), []).append(e)
        for key, mentions in firsts.items():
            relations.append(rel(rel_type, mentions[0], f"relation.{rel_type.lower()}.mention", 0.6))

    main = proposed[0][0] if proposed else None
    for cue, cue_rule in zip(cues, cue_rules):
        if cue.label_ != "outperforms":
            continue
        k = sent_of[cue.start]
        in_sent = [e for e in ents if sent_of[e.start] == k]
        before = [e for e in in_sent if e.end <= cue.start and e.label_ == "method"]
        after = [e for e in in_sent if e.start >= cue.end and e.label_ == "method"]
        data = [e for e in in_sent if e.start >= cue.end and e.label_ in ("dataset", "benchmark")]
        head = before[-1] if before else None
        if head is None and main is not None and any(t.lower_ in SUBJECT_WORDS for t in doc[bounds_tokens(doc, sent_of, k)[0]:cue.start]):
            head = main
        if head is None:
            continue
        for tail in after:
            if surface_key(tail.text) != surface_key(head.text):
                relations.append(rel("OUTPERFORMS", tail, cue_rule, 0.6, head=head,
                                     dataset=data[0] if data else None))

    results = []
    for k, (s, e) in enumerate(bounds):
        in_sent = [x for x in ents if sent_of[x.start] == k]
        metrics = [x for x in in_sent if x.label_ == "metric"]
        if not metrics:
            continue
        data = [x for x in in_sent if x.label_ in ("dataset", "benchmark")]
        methods = [x for x in in_sent if x.label_ == "method"]
        for m in NUMBER.finditer(text, s, e):
            pos = m.start()
            value = m.group(0).strip()
            if re.fullmatch(r"(19|20)\d\d", value):
                continue
            near = lambda xs: min(xs, key=lambda x: abs(x.start_char - pos)) if xs else None
            after = [x for x in data if x.start_char > pos]
            metric, dataset = near(metrics), (after[0] if after else near(data))
            method = methods[0] if methods else main
            results.append({
                "value": value, "method": method.text if method is not None else None,
                "dataset": dataset.text if dataset is not None else None,
                "metric": metric.text if metric is not None else None, "sentence": k,
                "start": m.start(), "end": m.start() + len(m.group(0).rstrip()),
                "evidence": text[s:e].strip(), "rule": "result.number_near_metric", "confidence": 0.5,
            })
    return relations, results


NAME_EVIDENCE = ("shape.", "abbrev.", "cue.", "model")
NAMING_PROPOSES = {"cue.name.we_call"}
# A paper's own contribution is a method, dataset or benchmark; a task it addresses and a
# metric it reports are not proposals (train gold: 1 of 270 proposals is a metric).
NOT_PROPOSED = ("task", "metric")
WIDE_CUES = {"cue.propose.we", "cue.propose.paper", "cue.propose.introducing"}


def _modifier(doc, span) -> bool:
    """True when the name only modifies what follows ("a BERT-based encoder", "CLIP-style")."""
    return span.end + 1 < len(doc) and doc[span.end].text == "-" and doc[span.end + 1].is_lower


def _new_name(text: str, rule: str) -> bool:
    """A name this paper may be introducing: found by its shape, a definition, a cue or the
    model (capitalised), and not a name the gazetteers already know."""
    parts = rule.split("+")
    if any(p.startswith("gazetteer") for p in parts):
        return False
    if parts == ["model"] or all(p in ("model", "shape.head_phrase") for p in parts):
        return any(c.isupper() for c in text)
    return any(p.startswith(NAME_EVIDENCE) for p in parts)


def bounds_tokens(doc, sent_of, k) -> tuple[int, int]:
    first = sent_of.index(k)
    last = len(sent_of) - 1 - sent_of[::-1].index(k)
    return first, last + 1
