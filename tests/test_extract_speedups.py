"""The faster paths of extraction give what the plain ones give."""
import spacy
from spacy.matcher import Matcher

from kg.extract import blas
from kg.extract.components import _flag_spec
from kg.extract.doctext import doc_text
from kg.extract.resources import RULES, read_jsonl
from kg.extract.shapes import _word_shape, find_shapes, load_rules

TEXTS = [
    "BERT-based Retrieval: Dense Passage Retrieval\n\nWe propose DPR, a novel retriever. Evaluated on "
    "Natural Questions and TriviaQA, it outperforms BM25 by 9% top-20 accuracy (nDCG@10 of 0.41). "
    "The dataset, called WebQ-2, and the KILT benchmark are used; we term it 'dense retrieval'.",
    "Experiments on the GLUE benchmark show 3.2 points on MNLI.  We also release a new corpus named CodeSearchNet.",
]


def test_doc_text_is_the_doc_text_read_once():
    nlp = spacy.blank("en")
    doc = nlp(TEXTS[0])
    assert doc_text(doc) == doc.text
    assert doc.user_data["kg_text"] is doc_text(doc)


def test_cue_flags_match_exactly_what_the_in_predicates_match():
    nlp = spacy.blank("en")
    rules = read_jsonl(RULES / "cues.jsonl")
    plain, flagged, flags = Matcher(nlp.vocab), Matcher(nlp.vocab, validate=False), {}
    for rule in rules:
        plain.add(rule["id"], [rule["pattern"]])
        flagged.add(rule["id"], [[_flag_spec(nlp.vocab, spec, flags) for spec in rule["pattern"]]])
    assert flags  # the cue rules do use word sets
    docs = [nlp(t) for t in TEXTS + [t.upper() for t in TEXTS]]
    found = [plain(d) for d in docs]
    assert any(found) and found == [flagged(d) for d in docs]


def test_cached_word_shapes_agree_with_a_fresh_computation():
    first = [find_shapes(t) for t in TEXTS]
    assert [find_shapes(t) for t in TEXTS] == first  # second call reads the cache
    words = {s[3] for found in first for s in found}
    assert "shape.acronym" in words
    rules = load_rules()
    assert _word_shape("DPR.", rules)[:2] == (0, 3) and _word_shape("'GPT-4's", rules)[:2] == (1, 5)
    assert _word_shape("the", rules) is None


def test_one_thread_puts_the_thread_count_back():
    assert blas.available()  # numpy's OpenBLAS, as the wheels ship it
    before = blas.blas_threads()
    with blas.one_thread():
        assert blas.blas_threads() == 1
    assert blas.blas_threads() == before


def test_last_word_is_what_the_backward_regex_found():
    import re

    from kg.extract.abbreviations import _last_word

    text = "Large Language Models  (LLMs)\u00a0and\n (x) ‘quoted’ (y)"
    for end in range(len(text) + 1):
        m = re.search(r"(\S+)\s*$", text[:end])
        assert _last_word(text, end) == ((m.start(1), m.group(1)) if m else None)
