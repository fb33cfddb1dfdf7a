"""The project's spaCy components: thin ``Doc -> Doc`` steps over the pure helpers.

Each component writes one span group (or one ``user_data`` key) and nothing else:

| factory        | writes                                   | helper                  |
|----------------|------------------------------------------|-------------------------|
| kg_sentences   | token.is_sent_start (title = sentence 0) | sentences.sentence_starts |
| kg_abbrev      | spans["kg_abbrev"] long / short / ref; attrs["implied"] alias pairs | abbreviations.find_definitions, find_implied |
| kg_gazetteer   | spans["kg_gazetteer"] typed              | gazetteer.match         |
| kg_shapes      | spans["kg_shapes"] typed                 | shapes.find_shapes      |
| kg_cues        | spans["kg_cues"] labelled by role        | rules/cues.jsonl (Matcher) |
| kg_merge       | spans["kg_entities"] typed, final        | merge.merge             |
| kg_relations   | user_data["kg_relations"], ["kg_results"] | relations.find_relations |

Span groups carry parallel lists in ``attrs``: ``scores`` (confidence) and ``rules``.
"""
from __future__ import annotations

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, SpanGroup

from kg.extract import gazetteer as gaz
from kg.extract.abbreviations import find_definitions, find_implied
from kg.extract.doctext import doc_text, token_texts
from kg.extract.merge import Candidate, MergeConfig, head_type, merge
from kg.extract.records import ENTITY_TYPES
from kg.resolve.keys import singular
from kg.extract.relations import find_relations
from kg.extract.resources import RULES, read_jsonl, word_list
from kg.extract.sentences import sentence_starts
from kg.extract.shapes import _suffix_type, find_shapes

RULE_GROUPS = ("kg_gazetteer", "kg_shapes", "kg_model")


def set_group(doc: Doc, name: str, spans: list[Span], scores: list[float], rules: list[str], **attrs) -> None:
    group = SpanGroup(doc, name=name, spans=spans)
    group.attrs["scores"] = [float(s) for s in scores]
    group.attrs["rules"] = list(rules)
    for key, value in attrs.items():
        group.attrs[key] = value
    doc.spans[name] = group


def char_span(doc: Doc, start: int, end: int, label: str) -> Span | None:
    """The token span for a character span; inside a token only if the extra is punctuation
    ("GPT-4," -> "GPT-4,"), never when it would swallow words ("Learning(RAML")."""
    span = doc.char_span(start, end, label=label, alignment_mode="strict")
    if span is None:
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is None:
            return None
        text = doc_text(doc)
        extra = text[span.start_char:start] + text[end:span.end_char]  # rare path
        if any(c.isalnum() for c in extra) or len(extra) > 2:
            return None
    if not span.text.strip():
        return None
    return span


@Language.factory("kg_sentences")
def make_sentences(nlp: Language, name: str):
    def kg_sentences(doc: Doc) -> Doc:
        if len(doc):
            starts = sentence_starts(token_texts(doc))
            values = numpy.array([[1 if s else -1] for s in starts], dtype="int64").astype("uint64")
            doc.from_array([SENT_START], values)
        return doc

    return kg_sentences


@Language.factory("kg_abbrev")
def make_abbrev(nlp: Language, name: str):
    def kg_abbrev(doc: Doc) -> Doc:
        text = doc_text(doc)
        spans, rules, pairs, implied = [], [], [], []
        shorts: dict[str, int] = {}
        definitions = find_definitions(text)
        for d in definitions:
            long = char_span(doc, d.long_start, d.long_end, "long")
            short = char_span(doc, d.short_start, d.short_end, "short")
            if long is None or short is None or long.start <= short.start < long.end:
                # not token spans ("(SVD)-based"): the pair still ties two spellings
                implied.append([d.short_start, d.short_end, d.long_start, d.long_end])
                continue
            pairs.append([len(spans), len(spans) + 1])
            shorts.setdefault(d.short, len(spans))
            spans += [long, short]
            rules += ["abbrev.definition", "abbrev.definition"]
        # later (and earlier) uses of a defined short form
        defined = {(s.start, s.end) for s in spans}
        refs = []
        for sf, long_index in shorts.items():
            start = 0
            while (i := text.find(sf, start)) >= 0:
                start = i + len(sf)
                before = text[i - 1] if i else " "
                after = text[start] if start < len(text) else " "
                if before.isalnum() or after.isalnum() or _variant_after(text, start):
                    continue
                span = doc.char_span(i, start, label="ref")
                if span is not None and (span.start, span.end) not in defined:
                    refs.append(long_index)
                    spans.append(span)
                    rules.append("abbrev.reference")
        implied += [[d.short_start, d.short_end, d.long_start, d.long_end] for d in find_implied(text, definitions)]
        set_group(doc, "kg_abbrev", spans, [0.85] * len(spans), rules, pairs=pairs,
                  refs=[-1] * (len(spans) - len(refs)) + refs, implied=implied)
        return doc

    return kg_abbrev


def _variant_after(text: str, end: int) -> bool:
    """"DSR-MC", "GPT-4": a hyphenated capital or digit makes another name, not a use of "DSR"."""
    return text[end:end + 1] == "-" and end + 1 < len(text) and (text[end + 1].isupper() or text[end + 1].isdigit())


@Language.factory("kg_gazetteer", default_config={"directory": ""})
def make_gazetteer(nlp: Language, name: str, directory: str):
    entries = gaz.load_entries(directory=directory or None)
    exact, lower = gaz.build_matchers(nlp, entries)

    def kg_gazetteer(doc: Doc) -> Doc:
        spans, scores, rules = [], [], []
        for s, e, entry in gaz.match(doc, exact, lower, entries):
            spans.append(Span(doc, s, e, label=entry.type))
            scores.append(entry.confidence)
            rules.append(f"gazetteer.{entry.origin}")
        set_group(doc, "kg_gazetteer", spans, scores, rules)
        return doc

    return kg_gazetteer


@Language.factory("kg_shapes")
def make_shapes(nlp: Language, name: str):
    def kg_shapes(doc: Doc) -> Doc:
        spans, scores, rules = [], [], []
        for s, e, type_, rule, conf in find_shapes(doc_text(doc)):
            span = char_span(doc, s, e, type_)
            if span is not None:
                spans.append(span)
                scores.append(conf)
                rules.append(rule)
        set_group(doc, "kg_shapes", spans, scores, rules)
        return doc

    return kg_shapes


@Language.factory("kg_cues")
def make_cues(nlp: Language, name: str):
    matcher = Matcher(nlp.vocab, validate=False)
    flags: dict[frozenset, int] = {}
    meta = {}
    for rule in read_jsonl(RULES / "cues.jsonl"):
        matcher.add(rule["id"], [[_flag_spec(nlp.vocab, spec, flags) for spec in rule["pattern"]]])
        meta[rule["id"]] = rule

    def kg_cues(doc: Doc) -> Doc:
        spans, rules, types = [], [], []
        for match_id, s, e in matcher(doc):
            rule = meta[doc.vocab.strings[match_id]]
            if "not_after" in rule and (s == 0 or doc[s - 1].lower_ in rule["not_after"]):
                continue  # "so called": a cue only after other words (cheaper than a NOT_IN token)
            spans.append(Span(doc, s, e, label=rule["role"]))
            rules.append(rule["id"])
            types.append(rule.get("type", ""))
        set_group(doc, "kg_cues", spans, [1.0] * len(spans), rules, types=types)
        return doc

    return kg_cues


def _flag_spec(vocab, spec: dict, flags: dict[frozenset, int]) -> dict:
    """``{"LOWER": {"IN": words}}`` as a lexeme flag: the same test, but checked in C.

    WHY: the Matcher calls a Python predicate for every ``IN`` set at every token (two
    thirds of the cue step's time); a flag is set once per word of the vocabulary.
    Flags take the free bits from 63 down (spaCy's own lexical flags use 1-18)."""
    lower = spec.get("LOWER")
    if not (isinstance(lower, dict) and set(lower) == {"IN"}):
        return spec
    words = frozenset(w.lower() for w in lower["IN"])
    if words not in flags:
        flag_id = 63 - len(flags)
        if flag_id in vocab.lex_attr_getters or flag_id < 19:
            return spec  # no free bit: keep the Python predicate
        flags[words] = vocab.add_flag(lambda text, words=words: text.lower() in words, flag_id=flag_id)
    spec = {key: value for key, value in spec.items() if key != "LOWER"}
    spec[flags[words]] = True
    return spec


def _name_like(token) -> bool:
    text = token.text
    return any(c.isupper() or c.isdigit() for c in text) and any(c.isalnum() for c in text)


def _run(doc: Doc, index: int, step: int, limit: int = 5) -> tuple[int, int] | None:
    """Token range of name-like tokens from ``index`` going ``step`` (+1 right, -1 left)."""
    stop = word_list("run_stopwords.txt")
    i, taken = index, []
    while 0 <= i < len(doc) and len(taken) < limit:
        tok = doc[i]
        if "@" in tok.text or tok.like_num:
            break  # a metric ("R@5") or a number ends a name
        if _name_like(tok) and tok.text.lower() not in stop:
            taken.append(i)
        elif tok.text == "-" and taken and 0 <= i + step < len(doc) and _name_like(doc[i + step]):
            taken.append(i)
        else:
            break
        if step > 0 and i + 1 < len(doc) and doc[i + 1].is_sent_start:
            break
        if step < 0 and tok.is_sent_start:
            break
        i += step
    if not taken:
        return None
    lo, hi = min(taken), max(taken) + 1
    if doc[lo].text == "-" or doc[hi - 1].text == "-":
        return None
    return lo, hi


def cue_candidates(doc: Doc, cands: list[Candidate]) -> tuple[list[Candidate], list[tuple[int, int, str]]]:
    """Names the cues type: new run candidates and type votes for existing spans (policy 4)."""
    group = doc.spans.get("kg_cues")
    if group is None:
        return [], []
    new, votes = [], []
    by_end = {}
    by_start = {}
    for c in cands:
        by_end.setdefault(c.end, []).append(c)
        by_start.setdefault(c.start, []).append(c)
    for span, rule, type_ in zip(group, group.attrs["rules"], group.attrs["types"]):
        role = span.label_
        if role == "type_prev" and span.start > 0:
            at = span.start - 1
            if doc[at].text == ")" and at >= 2 and doc[at - 2].text == "(":
                at -= 1  # "Attribution, Relation, and Order (ARO) benchmark": the short form
            rng = _run(doc, at, -1)
            ranges = _list_of_runs(doc, rng, step=-1) if rng else []
        elif role == "type_next" and span.end < len(doc):
            at = span.end
            while at < len(doc) and doc[at].lower_ in ("the", "a", "an", '"', "“", "'"):
                at += 1
            rng = _run(doc, at, +1)
            if rng is None and type_ == "metric":
                hits = by_start.get(doc[at].idx if at < len(doc) else -1, [])
                for c in hits:
                    votes.append((c.start, c.end, type_))
                continue
            ranges = _list_of_runs(doc, rng) if rng else []
        elif role == "name_next" and span.end < len(doc):
            rng = _phrase_after(doc, span.end)
            if rng is not None:
                lo, hi = rng
                s, e = doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1].text)
                t = head_type(doc[lo:hi].text) or "method"
                new.append(Candidate(s, e, t, rule, 0.75))
            continue
        else:
            continue
        for lo, hi in ranges:
            s, e = doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1].text)
            t = type_
            name = doc[lo:hi].text
            if t in ("data", "dataset", "benchmark") and head_type(name) == "task":
                t = "task"  # "image-text retrieval benchmarks" names a task, not a benchmark
            elif t == "data":  # "evaluated on X": a dataset unless X is known or named as a benchmark
                known = [c.type for c in by_start.get(s, []) + by_end.get(e, []) if c.start == s or c.end == e]
                named = head_type(name) or _suffix_type(name.split()[-1])
                t = "benchmark" if "benchmark" in known or named == "benchmark" else "dataset"
            new.append(Candidate(s, e, t, rule, 0.75))
            votes.append((s, e, t))
            for c in by_end.get(e, []) + by_start.get(s, []):
                if c.start == s or c.end == e:
                    votes.append((c.start, c.end, t))
    return new, votes


PHRASE_END = {"which", "that", "to", "for", "and", "or", "is", "are", "was", "were", "with", "in", "on", "by",
              "from", "as", "where", "because", "since", "based", "using", "via", "of", "it", "its",
              "when", "what", "how", "we", "if", "whether", "this", "these", "our"}
QUOTES = {'"', "“", "”", "'", "‘", "’", "``", "''"}


def _phrase_after(doc: Doc, at: int, limit: int = 5) -> tuple[int, int] | None:
    """The name right after "called" / "we term": quoted, or up to five words before
    punctuation or a function word ("what we term masked mixers which ...")."""
    while at < len(doc) and doc[at].lower_ in ("the", "a", "an"):
        at += 1
    if at < len(doc) and doc[at].text in QUOTES:
        end = at + 1
        while end < len(doc) and end - at <= limit + 1 and doc[end].text not in QUOTES:
            end += 1
        if end < len(doc) and doc[end].text in QUOTES and end > at + 1:
            return at + 1, end
        return None
    end = at
    while end < len(doc) and end - at < limit:
        tok = doc[end]
        if tok.is_sent_start and end > at:
            break
        if tok.lower_ in PHRASE_END or (tok.is_punct and tok.text != "-") or tok.like_num or tok.is_space:
            break
        end += 1
    while end > at and doc[end - 1].text == "-":
        end -= 1
    if end == at or not any(c.isalpha() for c in doc[at:end].text):
        return None
    return at, end


def _list_of_runs(doc: Doc, first: tuple[int, int], step: int = 1) -> list[tuple[int, int]]:
    """"X, Y and Z": the runs that continue a list after (or, step -1, before) the first one."""
    joiners = (",", "and", "or", "as", "well", "the")
    out = [first]
    at = first[1] if step > 0 else first[0] - 1
    while 0 <= at < len(doc) and len(out) < 8:
        skip = at
        while 0 <= skip < len(doc) and abs(skip - at) < 3 and doc[skip].lower_ in joiners:
            skip += step
        if skip == at or not 0 <= skip < len(doc):
            break
        nxt = _run(doc, skip, step)
        if nxt is None:
            break
        out.append(nxt)
        at = nxt[1] if step > 0 else nxt[0] - 1
    return out


def abbreviation_candidates(doc: Doc, cands: list[Candidate]):
    """Both sides of each definition (and later uses of the short form), typed by what
    else proposed the long or short form, else by the long form's last word, else method."""
    group = doc.spans.get("kg_abbrev")
    if group is None or not len(group):
        return [], []
    spans = list(group)
    typed: dict[tuple[int, int], dict[str, float]] = {}
    evidence: dict[tuple[int, int], dict[str, float]] = {}
    for c in cands:
        typed.setdefault((c.start, c.end), {}).setdefault(c.type, 0.0)
        typed[(c.start, c.end)][c.type] += c.confidence
        if c.rule.startswith(("gazetteer.", "cue")):
            evidence.setdefault((c.start, c.end), {}).setdefault(c.type, 0.0)
            evidence[(c.start, c.end)][c.type] += c.confidence
    out, pairs, type_of = [], [], {}
    apart = doc.user_data.setdefault("kg_abbrev_apart", [])
    for li, si in group.attrs["pairs"]:
        long, short = spans[li], spans[si]
        lk, sk = (long.start_char, long.end_char), (short.start_char, short.end_char)
        split = _conflicting_sides(long.text, evidence.get(lk, {}), evidence.get(sk, {}))
        if split is not None:
            # "Knowledge-intensive language tasks (KILT)": the tasks and the KILT benchmark
            type_of[li] = split[1]
            apart.append(short.text)
            out.append(Candidate(*lk, split[0], "abbrev.long", 0.85))
            out.append(Candidate(*sk, split[1], "abbrev.short", 0.85))
            continue
        votes: dict[str, float] = {}
        for key in (lk, sk):
            for t, v in typed.get(key, {}).items():
                votes[t] = votes.get(t, 0.0) + v
        t = max(sorted(votes), key=lambda x: votes[x]) if votes else (head_type(long.text) or "method")
        type_of[li] = t
        out.append(Candidate(*lk, t, "abbrev.long", 0.85))
        out.append(Candidate(*sk, t, "abbrev.short", 0.85))
        pairs.append((lk, sk))
    for span, ref in zip(spans, group.attrs["refs"]):
        if ref >= 0 and ref in type_of:
            out.append(Candidate(span.start_char, span.end_char, type_of[ref], "abbrev.reference", 0.8))
    return out, pairs


STRONG_EVIDENCE = 0.6


def _conflicting_sides(long: str, long_votes: dict[str, float], short_votes: dict[str, float]):
    """(long type, short type) when the two sides of a definition are evidently different
    things: the long form's head word names a type ("... tasks") or a list or cue says one
    type, and the short form's own list or cue evidence another (shapes, head-word guesses
    such as "... Generation" and the model do not count). Else None."""
    long_votes = dict(long_votes)
    words = long.replace("-", " ").split()
    head = singular(words[-1].lower()) if words else ""
    if head in ENTITY_TYPES:
        long_votes[head] = long_votes.get(head, 0.0) + 1.0
    if not long_votes or not short_votes:
        return None
    lt = max(sorted(long_votes), key=lambda t: long_votes[t])
    st = max(sorted(short_votes), key=lambda t: short_votes[t])
    if lt != st and long_votes[lt] >= STRONG_EVIDENCE and short_votes[st] >= STRONG_EVIDENCE:
        return lt, st
    return None


def collect(doc: Doc) -> list[Candidate]:
    cands = []
    for name in RULE_GROUPS:
        group = doc.spans.get(name)
        if group is None:
            continue
        scores = group.attrs.get("scores") or [0.5] * len(group)
        rules = group.attrs.get("rules") or [name.replace("kg_", "")] * len(group)
        for span, score, rule in zip(group, scores, rules):
            if span.label_ in ("method", "dataset", "benchmark", "metric", "task"):
                cands.append(Candidate(span.start_char, span.end_char, span.label_, rule, float(score)))
    return cands


@Language.factory("kg_merge", default_config={"threshold": 0.5, "model_threshold": 0.5, "model_weight": 0.7})
def make_merge(nlp: Language, name: str, threshold: float, model_threshold: float, model_weight: float):
    config = MergeConfig(threshold=threshold, model_threshold=model_threshold, weights={"model": model_weight})

    def kg_merge(doc: Doc) -> Doc:
        cands = collect(doc)
        abbrev, pairs = abbreviation_candidates(doc, cands)
        cue_new, votes = cue_candidates(doc, cands + abbrev)
        final = merge(doc_text(doc), cands + abbrev + cue_new, votes, pairs, config,
                      model_ran=doc.spans.get("kg_model") is not None)
        spans, scores, rules = [], [], []
        for c in final:
            span = char_span(doc, c.start, c.end, c.type)
            if span is not None:
                spans.append(span)
                scores.append(c.confidence)
                rules.append(c.rule)
        set_group(doc, "kg_entities", spans, scores, rules,
                  pairs=[[a[0], a[1], b[0], b[1]] for a, b in pairs])
        return doc

    return kg_merge


@Language.factory("kg_relations")
def make_relations(nlp: Language, name: str):
    def kg_relations(doc: Doc) -> Doc:
        relations, results = find_relations(doc)
        doc.user_data["kg_relations"] = relations
        doc.user_data["kg_results"] = results
        return doc

    return kg_relations
