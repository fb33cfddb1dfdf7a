"""The extraction pipeline: ``spacy.blank("en")`` plus the project's components.

    >>> from kg.paper import Paper, paper_id
    >>> p = Paper(paper_id("X"), "X", "We propose FooNet, a novel network.", "doc", 1)
    >>> [m.text for m in next(extract_papers([p], use_model=False)).mentions]
    ['FooNet']

Only plain records (``kg.extract.records``) leave this module; spaCy stays inside.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

from kg.extract.doctext import doc_text
from kg.extract.records import Abbreviation, Extraction, Mention, Relation, Result
from kg.paper import Paper

COMPONENTS = ("kg_sentences", "kg_abbrev", "kg_gazetteer", "kg_shapes", "kg_cues")


def model_available() -> bool:
    """Whether the trained statistical component is present (the model helper's module)."""
    try:
        from kg.extract import statistical
    except ImportError:
        return False
    try:
        return bool(statistical.model_available())
    except Exception:  # a broken model file must not break rule-only extraction
        return False


def load_pipeline(use_model: bool = True, merge: dict | None = None, gazetteer_dir: str | None = None):
    """A fresh pipeline; ``use_model`` adds ``kg_statistical_ner`` when the model exists.

    ``merge`` overrides the merger's config (threshold, model_threshold, model_weight);
    ``gazetteer_dir`` reads the gazetteers from elsewhere (cross-validation builds).
    """
    import spacy

    from kg.extract import components  # noqa: F401  (registers the factories)

    nlp = spacy.blank("en")
    for name in COMPONENTS:
        config = {"directory": str(gazetteer_dir)} if name == "kg_gazetteer" and gazetteer_dir else {}
        nlp.add_pipe(name, config=config)
    if use_model and model_available():
        from kg.extract import statistical  # noqa: F401  (registers kg_statistical_ner)

        nlp.add_pipe("kg_statistical_ner")
    nlp.add_pipe("kg_merge", config=dict(merge or {}))
    nlp.add_pipe("kg_relations")
    return nlp


@lru_cache(maxsize=4)
def _cached(use_model: bool):
    return load_pipeline(use_model=use_model)


def extract_papers(papers: Iterable[Paper], *, n_process: int = 1, batch_size: int = 64,
                   use_model: bool = True, nlp=None) -> Iterator[Extraction]:
    """One ``Extraction`` per paper, in input order; the same whatever ``n_process`` is."""
    nlp = nlp if nlp is not None else _cached(bool(use_model and model_available()))
    if n_process <= 1:
        yield from _extract_chunk(nlp, list(papers), batch_size)
        return
    # Workers return plain records, not Docs: a Doc with its span groups costs more to
    # serialise than to make. Forked workers share the loaded pipeline; chunks keep order.
    import multiprocessing

    global _WORKER_NLP
    _WORKER_NLP = nlp
    context = multiprocessing.get_context("fork")
    with context.Pool(n_process) as pool:
        for chunk in pool.imap(_worker, _chunks(papers, batch_size)):
            yield from chunk
    _WORKER_NLP = None


_WORKER_NLP = None


def _chunks(papers: Iterable[Paper], size: int):
    chunk: list[Paper] = []
    for paper in papers:
        chunk.append(paper)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _worker(chunk: list[Paper]) -> list[Extraction]:
    return list(_extract_chunk(_WORKER_NLP, chunk, len(chunk)))


def _extract_chunk(nlp, papers: list[Paper], batch_size: int) -> Iterator[Extraction]:
    stream = ((p.text, p) for p in papers)
    for doc, paper in nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
        yield doc_to_extraction(doc, paper)


def doc_to_extraction(doc, paper: Paper) -> Extraction:
    """Plain records from a processed Doc."""
    pid = paper.id
    sentences = []
    sent_of = [0] * len(doc)
    for k, sent in enumerate(doc.sents):
        sentences.append((sent.start_char, sent.end_char))
        for i in range(sent.start, sent.end):
            sent_of[i] = k
    group = doc.spans["kg_entities"]
    scores, rules = group.attrs.get("scores", []), group.attrs.get("rules", [])
    long_of, short_of = {}, {}
    abbreviations = []
    text = doc_text(doc)
    for ls, le, ss, se in group.attrs.get("pairs", []):
        long, short = text[ls:le], text[ss:se]
        long_of[(ss, se)] = long
        short_of[(ls, le)] = short
        span = doc.char_span(min(ls, ss), max(le, se), alignment_mode="expand")
        abbreviations.append(Abbreviation(pid, short, long, sent_of[span.start] if span is not None else 0,
                                          min(ls, ss), max(le, se)))
    abbrev = doc.spans.get("kg_abbrev")
    apart = set(doc.user_data.get("kg_abbrev_apart", ()))  # short forms typed apart from their long form
    for ss, se, ls, le in (abbrev.attrs.get("implied", []) if abbrev is not None else []):
        if text[ss:se] in apart:
            continue
        span = doc.char_span(min(ls, ss), max(le, se), alignment_mode="expand")
        abbreviations.append(Abbreviation(pid, text[ss:se], text[ls:le], sent_of[span.start] if span is not None else 0,
                                          min(ls, ss), max(le, se)))
    mentions = []
    for span, score, rule in zip(group, scores, rules):
        key = (span.start_char, span.end_char)
        mentions.append(Mention(pid, span.text, span.label_, span.start_char, span.end_char, sent_of[span.start],
                                rule, round(float(score), 4), long_form=long_of.get(key), short_form=short_of.get(key)))
    relations = tuple(Relation(paper_id=pid, **r) for r in doc.user_data.get("kg_relations", []))
    results = tuple(Result(paper_id=pid, **r) for r in doc.user_data.get("kg_results", []))
    return Extraction(pid, paper.title, tuple(mentions), relations, results, tuple(abbreviations), tuple(sentences))
