"""Each extraction component on spacy.blank("en") with short fixed texts and exact spans."""
from __future__ import annotations

import pytest
import spacy

from kg.extract import components  # noqa: F401  (registers the factories)
from kg.extract.abbreviations import align, find_definitions
from kg.extract.merge import Candidate, MergeConfig, merge, noisy_or
from kg.extract.sentences import sentence_starts
from kg.extract.shapes import find_head_phrases, find_shapes, find_title_case_runs


def nlp_with(*names):
    nlp = spacy.blank("en")
    for name in names:
        nlp.add_pipe(name)
    return nlp


@pytest.fixture(scope="module")
def gazetteer_nlp():
    return nlp_with("kg_sentences", "kg_gazetteer")


def spans(doc, group):
    return [(s.text, s.label_) for s in doc.spans[group]]


# --- sentences -------------------------------------------------------------------------

def test_title_is_sentence_zero_and_abbreviations_do_not_split():
    nlp = nlp_with("kg_sentences")
    doc = nlp("A Title Without Period\n\nWe use e.g. BERT. It works (Fig. 2). Done!")
    assert [s.text for s in doc.sents] == [
        "A Title Without Period\n\n", "We use e.g. BERT.", "It works (Fig. 2).", "Done!"]


def test_sentence_starts_pure_helper():
    assert sentence_starts(["T", "\n\n", "A", "b", ".", "c", ".", "D"]) == [
        True, False, True, False, False, False, False, True]


# --- abbreviations ----------------------------------------------------------------------

@pytest.mark.parametrize("text,short,long", [
    ("We build on Retrieval-Augmented Generation (RAG) today.", "RAG", "Retrieval-Augmented Generation"),
    ("We introduce SIE (Split Invariant-Equivariant) which", "SIE", "Split Invariant-Equivariant"),
    ("recent Large Language Models (LLMs) excel", "LLMs", "Large Language Models"),
    ("a novel Matryoshka Multimodal Embedder (MME), which", "MME", "Matryoshka Multimodal Embedder"),
    ("the Adversarial Retriever-Ranker (AR2) framework", "AR2", "Adversarial Retriever-Ranker"),
    ("called Two-dimensional Matryoshka Sentence Embedding (2DMSE).", "2DMSE",
     "Two-dimensional Matryoshka Sentence Embedding"),
    ("normalized discounted cumulative gain (nDCG@10) is", "nDCG@10", "normalized discounted cumulative gain"),
])
def test_abbreviation_definitions(text, short, long):
    assert [(d.short, d.long) for d in find_definitions(text)] == [(short, long)]


@pytest.mark.parametrize("text", [
    "results improve (see Fig. 2) a lot",
    "accuracy rises (77.9%) on the test set",
    "the power of a few examples we propose prompt base query generation for retriever (PROMPTAGATOR)",
])
def test_no_definition(text):
    assert find_definitions(text) == []


def test_align_prefers_word_starts():
    long = "a novel Matryoshka Multimodal Embedder"
    assert long[align("MME", long):] == "Matryoshka Multimodal Embedder"
    assert align("XYZ", "nothing here") is None


def test_abbrev_component_marks_definition_and_later_uses():
    doc = nlp_with("kg_abbrev")("Retrieval-Augmented Generation (RAG) helps. RAG is used; FRAG is not.")
    group = doc.spans["kg_abbrev"]
    assert spans(doc, "kg_abbrev") == [("Retrieval-Augmented Generation", "long"), ("RAG", "short"), ("RAG", "ref")]
    assert group.attrs["pairs"] == [[0, 1]]
    assert group.attrs["rules"] == ["abbrev.definition", "abbrev.definition", "abbrev.reference"]


# --- gazetteer --------------------------------------------------------------------------

def test_gazetteer_typed_matches_case_rules(gazetteer_nlp):
    doc = gazetteer_nlp("We report accuracy and BLEU on ImageNet for image classification.")
    found = spans(doc, "kg_gazetteer")
    assert ("accuracy", "metric") in found
    assert ("BLEU", "metric") in found
    assert ("ImageNet", "dataset") in found
    assert ("image classification", "task") in found
    scores = doc.spans["kg_gazetteer"].attrs["scores"]
    assert len(scores) == len(found) and all(0 < s <= 1 for s in scores)


def test_gazetteer_skips_generic_phrases(gazetteer_nlp):
    doc = gazetteer_nlp("Deep learning models improve performance of large language models.")
    assert spans(doc, "kg_gazetteer") == []


# --- shapes -----------------------------------------------------------------------------

def test_shapes_exact_spans():
    text = "CVQ-VAE and LoRACode beat GPT-4, Llama 2 and UniCode^2 on nDCG@10, pass@1 and top-1 accuracy."
    got = [(text[s:e], t) for s, e, t, _, _ in find_shapes(text)]
    assert got == [("CVQ-VAE", "method"), ("LoRACode", "method"), ("GPT-4", "method"), ("Llama 2", "method"),
                   ("UniCode^2", "method"), ("nDCG@10", "metric"), ("pass@1", "metric"),
                   ("top-1 accuracy", "metric")]


def test_shapes_strip_adjective_suffix_and_skip_citation_keys():
    text = "An LLM-based tool, see smith2023deep, in Table 2."
    assert [text[s:e] for s, e, *_ in find_shapes(text)] == ["LLM"]


def test_title_case_runs_skip_sentence_openers():
    text = "Title\n\nRecent Work uses Grouped-Query Attention. Neural Turing Machines are old."
    assert [text[s:e] for s, e in find_title_case_runs(text, 7)] == [
        "Grouped-Query Attention", "Neural Turing Machines"]


def test_head_phrases_find_lower_case_tasks():
    text = "This improves dense passage retrieval and multi-label classification for code search."
    assert [(text[s:e], t) for s, e, t in find_head_phrases(text)] == [
        ("dense passage retrieval", "task"), ("multi-label classification", "task"), ("code search", "task")]


def test_shapes_component_writes_group():
    doc = nlp_with("kg_shapes")("We compare BERT-base with T5-XXL.")
    assert spans(doc, "kg_shapes") == [("BERT-base", "method"), ("T5-XXL", "method")]


# --- cues -------------------------------------------------------------------------------

def test_cues_roles():
    doc = nlp_with("kg_cues")("We propose FooNet. We release a dataset called BarSet. FooNet outperforms BazNet "
                              "on the Qux benchmark in terms of accuracy.")
    roles = [(s.text, s.label_) for s in doc.spans["kg_cues"]]
    assert ("We propose", "proposes") in roles
    assert ("dataset called", "type_next") in roles
    assert ("outperforms", "outperforms") in roles
    assert ("benchmark", "type_prev") in roles
    assert ("in terms of", "type_next") in roles


# --- merge ------------------------------------------------------------------------------

def test_merge_policy_votes_overlaps_and_generic():
    text = "MS MARCO passage ranking and large language models"
    cands = [
        Candidate(0, 8, "method", "shape.acronym", 0.5),
        Candidate(9, 24, "task", "gazetteer.pwc", 0.6),
        Candidate(0, 24, "dataset", "cue.run", 0.75),
        Candidate(29, 50, "method", "model", 0.9),  # generic: dropped whatever proposed it
    ]
    out = merge(text, cands, retype=[], pairs=[], config=MergeConfig())
    # the more confident (and longer) cue-built name wins over what it overlaps
    assert [(text[c.start:c.end], c.type) for c in out] == [("MS MARCO passage ranking", "dataset")]
    assert noisy_or([0.5, 0.6]) == pytest.approx(0.8)


def test_merge_agreement_raises_confidence_and_votes_type():
    text = "ImageNet results"
    cands = [Candidate(0, 8, "method", "shape.camelcase", 0.6), Candidate(0, 8, "dataset", "gazetteer.pwc", 0.6),
             Candidate(0, 8, "dataset", "model", 0.7)]
    [out] = merge(text, cands, retype=[], pairs=[], config=MergeConfig(weights={"model": 1.0}))
    assert out.type == "dataset"
    assert out.confidence == pytest.approx(1 - 0.4 * 0.4 * 0.3, abs=1e-4)
    [weighted] = merge(text, cands, retype=[], pairs=[], config=MergeConfig())  # model weight 0.7
    assert weighted.confidence == pytest.approx(1 - 0.4 * 0.4 * (1 - 0.49), abs=1e-4)
    assert out.rule == "gazetteer.pwc+model+shape.camelcase"


def test_merge_unifies_types_across_abbreviation():
    text = "Foo Bar Set (FBS) and FBS again"
    cands = [Candidate(0, 11, "dataset", "cue.run", 0.75), Candidate(13, 16, "method", "abbrev.short", 0.6),
             Candidate(22, 25, "dataset", "abbrev.reference", 0.8)]
    out = merge(text, cands, retype=[], pairs=[((0, 11), (13, 16))], config=MergeConfig())
    assert {(text[c.start:c.end], c.type) for c in out} == {("Foo Bar Set", "dataset"), ("FBS", "dataset")}


# --- title prefix and naming cues -------------------------------------------------------

@pytest.mark.parametrize("title,name", [
    ("Rank-R1: Enhancing Reasoning in Rerankers", "Rank-R1"),
    ("Diverse Beam Search: Decoding Diverse Solutions", "Diverse Beam Search"),
    ("Order Matters: Sequence to Sequence for Sets", None),
    ("Rethinking Few-Shot Image Classification: a Good Embedding", None),
    ("A Title Without Colon", None),
])
def test_title_prefix(title, name):
    from kg.extract.shapes import title_prefix

    span = title_prefix(title)
    assert (title[span[0]:span[1]] if span else None) == name


def test_naming_cue_builds_a_name_and_proposal():
    from kg.extract.pipeline import load_pipeline

    nlp = load_pipeline(use_model=False)
    doc = nlp("T\n\nWe find that what we term masked mixers which replace attention work better.")
    assert ("masked mixers", "method") in spans(doc, "kg_entities")
    assert [r["tail"] for r in doc.user_data["kg_relations"] if r["type"] == "PROPOSES"] == ["masked mixers"]


def test_evaluated_on_list_cue_types_every_item():
    from kg.extract.pipeline import load_pipeline

    nlp = load_pipeline(use_model=False)
    doc = nlp("T\n\nWe evaluate on FooQA, BarSet-2 and the BazBench benchmark.")
    found = spans(doc, "kg_entities")
    assert ("FooQA", "dataset") in found
    assert ("BarSet-2", "dataset") in found
    assert ("BazBench", "benchmark") in found
