"""Entity resolution rules, each on real seed-corpus sentences, including what must NOT merge."""
from __future__ import annotations

import pytest

from kg.resolve import resolve
from kg.resolve.abbreviations import could_abbreviate, split_definition
from kg.resolve.curated import load_curated, parse_curated
from kg.resolve.ids import entity_id
from kg.resolve.keys import clean_surface, surface_key
from kg.resolve.variants import base_keys
from kg.errors import InputError
from test_resolve_records import extraction, paper

IAG = paper(
    "Imagination Augmented Generation: Learning to Imagine Richer Context for Question Answering over Large Language Models",
    "Retrieval-Augmented-Generation and Gener-ation-Augmented-Generation have been proposed to enhance the knowledge "
    "required for question answering over Large Language Models (LLMs). Recent works indicate that LLMs have "
    "modeled rich knowledge, albeit not effectively triggered or activated.")
SLIDING = paper(
    "Sliding Windows Are Not the End: Exploring Full Ranking with Long-Context Large Language Models",
    "Large Language Models (LLMs) have shown exciting performance in listwise passage ranking. The development "
    "of long-context LLMs enables the full ranking of all passages within a single inference.")
OPT = paper("OPT: Open Pre-trained Transformer Language Models",
            "We show that OPT-175B is comparable to GPT-3, while requiring only 1/7th the carbon footprint to develop.")
RAG_DEF = paper("Retrieval-Augmented Generation for Code Summarization",
                "Retrieval-augmented generation (RAG) has shown promise. We study RAG for code summarization.")
RAG_BARE = paper("Corrective Retrieval",
                 "Existing RAG pipelines retrieve irrelevant passages. We make RAG robust to bad retrieval.")


def _by_name(resolution):
    return {e.name: e for e in resolution.entities.values()}


def test_case_hyphen_plural_and_abbreviation_in_one_paper():
    e = extraction(IAG, [("Large Language Models (LLMs)", "method"), ("LLMs", "method", {"nth": 1}),
                         ("Large Language Models", "method")])
    entities = list(resolve([e]).entities.values())
    assert len(entities) == 1
    assert entities[0].name == "Large Language Models"
    assert set(entities[0].aliases) == {"Large Language Models", "LLMs"}
    assert entities[0].mention_count == 3


def test_abbreviation_record_ties_short_and_long_form_in_its_paper():
    e = extraction(SLIDING, [("Large Language Models", "method", {"short_form": "LLMs"}),
                             ("LLMs", "method", {"nth": 1})])
    (entity,) = resolve([e]).entities.values()
    assert entity.alias_counts == (1, 1) and entity.name == "Large Language Models"


def test_tex_and_unicode_leftovers_do_not_split_an_entity():
    a = paper("UniCode^2: Cascaded Large-scale Codebooks", "We propose UniCode^2, a cascaded codebook framework.")
    b = paper("Unified codebooks", "We compare with UniCode$^2$ and with the \\textbf{UniCode}$^2$ variant.")
    ea = extraction(a, [("UniCode^2", "method")])
    eb = extraction(b, [("UniCode$^2$", "method"), ("\\textbf{UniCode}$^2$", "method")])
    (entity,) = resolve([ea, eb]).entities.values()
    assert entity.paper_count == 2 and entity.name == "UniCode^2"
    assert clean_surface("96.4\\%") == "96.4%"
    assert surface_key("ＢＥＲＴ") == surface_key("BERT")  # full-width letters (NFKC)


def test_long_form_in_one_paper_resolves_the_bare_abbreviation_in_another():
    a = extraction(RAG_DEF, [("Retrieval-augmented generation (RAG)", "method"), ("RAG", "method", {"nth": 1})])
    b = extraction(RAG_BARE, [("RAG", "method"), ("RAG", "method", {"nth": 1})])
    resolution = resolve([a, b])
    (entity,) = resolution.entities.values()
    assert entity.id == "method:retrieval-augmented-generation"
    assert entity.name == "Retrieval-augmented generation"
    assert entity.paper_count == 2 and dict(zip(entity.aliases, entity.alias_counts))["RAG"] == 4
    assert dict(entity.alias_rules)["RAG"] == "paper-abbreviation" or "RAG" in entity.aliases
    assert resolution.lookup(RAG_BARE.id, "RAG", "method") == entity


def test_an_abbreviation_with_two_long_forms_keeps_them_apart():
    # "SR" is super-resolution in one paper and speech recognition in another: no merge,
    # and a bare "SR" elsewhere is ambiguous, so it stays its own entity.
    sr1 = paper("Diffusion for image super-resolution", "We study image super-resolution (SR) with diffusion. SR is ill-posed.")
    sr2 = paper("Robust speech recognition", "Noisy speech recognition (SR) is hard. Our SR model is robust.")
    sr3 = paper("A survey of SR", "We survey SR methods and their benchmarks.")
    resolution = resolve([
        extraction(sr1, [("super-resolution (SR)", "task"), ("SR", "task", {"nth": 1})]),
        extraction(sr2, [("speech recognition (SR)", "task"), ("SR", "task", {"nth": 1})]),
        extraction(sr3, [("SR", "task", {"nth": 1})]),
    ])
    names = _by_name(resolution)
    assert set(names) == {"super-resolution", "speech recognition", "SR"}
    assert names["SR"].papers == (sr3.id,)
    assert resolution.report.ambiguous_abbreviations["task:sr"] == ["speech recognition", "super resolution"]


def test_rl_long_forms_stay_apart_and_the_bare_rl_follows_the_curated_table():
    rl1 = paper("CLS-RL: Image Classification with Rule-Based Reinforcement Learning",
                "Existing models are typically post-trained using reinforcement learning (RL) from general-purpose LLMs.")
    rl2 = paper("Representation learning for control",
                "We revisit representation learning (RL) for robots. Our RL objective is contrastive.")
    rl3 = paper("CodeBoost: Boosting Code LLMs by Squeezing Knowledge from Code Snippets with RL",
                "This suggests that RL-based methods effectively teach models the fundamentals.")
    resolution = resolve([
        extraction(rl1, [("reinforcement learning (RL)", "method")]),
        extraction(rl2, [("representation learning (RL)", "method"), ("RL", "method", {"nth": 1})]),
        extraction(rl3, [("RL", "method")]),
    ])
    names = _by_name(resolution)
    assert set(names) == {"reinforcement learning", "representation learning"}
    assert names["reinforcement learning"].paper_count == 2
    assert names["representation learning"].papers == (rl2.id,)


def test_kilt_the_task_is_not_kilt_the_benchmark():
    task = paper("Knowledge-intensive retrieval",
                 "Knowledge-intensive language tasks (KILT) usually require a large body of information.")
    bench = paper("Dense retrieval at scale",
                  "Our retriever outperforms strong baselines for the retrieval task on the KILT benchmark.")
    resolution = resolve([
        extraction(task, [("Knowledge-intensive language tasks (KILT)", "task")]),
        extraction(bench, [("KILT", "benchmark")]),
    ])
    types = {e.type: e for e in resolution.entities.values()}
    assert set(types) == {"task", "benchmark"}
    assert types["benchmark"].name == "KILT" and types["benchmark"].papers == (bench.id,)
    assert resolution.lookup(bench.id, "KILT", "benchmark").type == "benchmark"
    assert resolution.lookup(task.id, "KILT", "task").type == "task"


def test_versions_never_merge_and_sizes_are_linked_variants():
    gpt = paper("Very large language models", "Very large language models (LLMs), such as GPT-3 and Codex have "
                "achieved state-of-the-art results. LLaMA-2, GPT-4, can compete with nearest-neighbor baselines.")
    bert = paper("BERT sizes", "We fine-tune BERT-base and BERT-large, and compare with BERT.")
    resolution = resolve([
        extraction(gpt, [("GPT-3", "method"), ("GPT-4", "method"), ("LLaMA-2", "method")]),
        extraction(bert, [("BERT-base", "method"), ("BERT-large", "method"), ("BERT", "method", {"nth": 2})]),
        extraction(OPT, [("OPT-175B", "method"), ("GPT-3", "method")]),
    ])
    names = _by_name(resolution)
    assert names["GPT-3"].id != names["GPT-4"].id
    assert names["GPT-3"].paper_count == 2
    variants = dict(resolution.variants)
    assert variants[names["BERT-base"].id] == names["BERT"].id
    assert variants[names["BERT-large"].id] == names["BERT"].id
    assert names["GPT-3"].id not in variants  # no "GPT" entity in this corpus: nothing to link to
    assert list(base_keys(surface_key("OPT-175B"))) == ["opt"]


def test_glued_versions_are_the_same_name():
    a = paper("Llama two", "We compare LLaMA-2 and LLaMA2 and GPT4 with GPT-4.")
    (one, two) = resolve([extraction(a, [("LLaMA-2", "method"), ("LLaMA2", "method"), ("GPT4", "method"),
                                         ("GPT-4", "method")])]).entities.values()
    assert {one.mention_count, two.mention_count} == {2}


def test_curated_aliases_from_the_data_file():
    p = paper("Convolutional baselines", "ConvNets and CNNs remain strong; we also test a convolutional neural network.")
    (entity,) = resolve([extraction(p, [("ConvNets", "method"), ("CNNs", "method"),
                                        ("convolutional neural network", "method")])]).entities.values()
    assert entity.name == "convolutional neural network"
    assert dict(entity.alias_rules)["CNNs"] == "curated-alias"
    assert load_curated().get("dataset", surface_key("MSMARCO")) == surface_key("MS MARCO")


def test_curated_table_rejects_a_malformed_row():
    with pytest.raises(InputError) as error:
        parse_curated("*\tonly two cells\n", where="aliases.tsv")
    assert "aliases.tsv:1" in str(error.value)


def test_a_definition_in_the_paper_beats_the_curated_table():
    p = paper("Representation learning for control", "We revisit representation learning (RL) for robots. Our RL objective.")
    resolution = resolve([extraction(p, [("representation learning (RL)", "method"), ("RL", "method", {"nth": 1})])])
    (entity,) = resolution.entities.values()
    assert entity.name == "representation learning" and entity.mention_count == 2


def test_type_conflict_is_decided_by_vote():
    a = paper("ImageNet results", "We evaluate on ImageNet.")
    b = paper("More ImageNet results", "Results on ImageNet and ImageNet again.")
    resolution = resolve([extraction(a, [("ImageNet", "benchmark", 0.6)]),
                          extraction(b, [("ImageNet", "dataset", 0.9), ("ImageNet", "dataset", 0.9, {"nth": 1})])])
    (entity,) = resolution.entities.values()
    assert entity.type == "dataset" and entity.id == "dataset:imagenet"
    assert resolution.report.type_conflicts == [("dataset:imagenet", (("benchmark", 1), ("dataset", 2)))]


def test_canonical_name_is_the_most_frequent_full_form_and_aliases_are_counted():
    e1 = extraction(IAG, [("Large Language Models (LLMs)", "method"), ("LLMs", "method", {"nth": 1})])
    e2 = extraction(SLIDING, [("Large Language Models (LLMs)", "method"), ("LLMs", "method", {"nth": 1}),
                              ("Large Language Models", "method", {"nth": 1})])
    (entity,) = resolve([e1, e2]).entities.values()
    assert entity.name == "Large Language Models"
    assert list(zip(entity.aliases, entity.alias_counts)) == [("LLMs", 4), ("Large Language Models", 3)]
    assert entity.mention_count == 5 and entity.paper_count == 2


def test_ids_are_stable_and_unaffected_by_unrelated_papers():
    base = [extraction(RAG_DEF, [("Retrieval-augmented generation (RAG)", "method")]),
            extraction(OPT, [("OPT-175B", "method"), ("GPT-3", "method")])]
    first = resolve(base)
    again = resolve(list(reversed(base)))
    unrelated = paper("Training Curricula for Open Domain Answer Re-Ranking",
                      "We train BERT rankers with a curriculum on MS MARCO.")
    more = resolve(base + [extraction(unrelated, [("BERT", "method"), ("MS MARCO", "dataset")])])
    assert list(first.entities) == list(again.entities)
    assert set(first.entities) <= set(more.entities)
    for key, entity in first.entities.items():
        assert more.entities[key].name == entity.name
    assert entity_id("method", "gpt 3") == "method:gpt-3"


def test_abbreviation_helpers():
    assert split_definition("Retrieval-Augmented Meta Learning (RAML)") == ("Retrieval-Augmented Meta Learning", "RAML")
    assert split_definition("results (see Table 2)") is None
    assert could_abbreviate("TIPS", "Text-Image Pretraining with Spatial awareness")
    assert not could_abbreviate("SIE", "hypernetwork-based predictor")


def test_spacing_and_british_spelling_of_one_long_form_agree():
    a = paper("Codebooks", "We study vector quantisation (VQ) for codebooks.")
    b = paper("Tokenizers", "Vector quantization (VQ) maps features to codes.")
    c = paper("Images", "Our VQ tokenizer uses pretrained language models and pre-trained language models.")
    resolution = resolve([extraction(a, [("vector quantisation (VQ)", "method")]),
                          extraction(b, [("Vector quantization (VQ)", "method")]),
                          extraction(c, [("VQ", "method"), ("pretrained language models", "method"),
                                         ("pre-trained language models", "method")])])
    names = {e.name: e for e in resolution.entities.values()}
    assert len(resolution.entities) == 2
    vq = resolution.lookup(c.id, "VQ", "method")
    assert vq.paper_count == 3 and vq.id == "method:vector-quantisation"
    assert resolution.report.ambiguous_abbreviations == {}
    assert any(e.mention_count == 2 and e.id == "method:pre-trained-language-model" for e in names.values())


def test_one_paper_spelling_a_name_two_ways_as_two_kinds_keeps_them_apart():
    # From the seed corpus: a notion and the benchmark named after it, in one abstract.
    p = paper("Intrinsic Evaluation of Unlearning Using Parametric Knowledge Traces",
              'We propose a methodology for eliciting directions in the parameter space (termed "concept vectors") '
              "that encode concrete concepts, and construct ConceptVectors, a benchmark dataset.")
    other = paper("Probing", "Concept vectors are directions that encode concepts.")
    resolution = resolve([extraction(p, [("concept vectors", "method"), ("ConceptVectors", "benchmark")]),
                          extraction(other, [("Concept vectors", "method")])])
    assert sorted((e.type, e.name, e.paper_count) for e in resolution.entities.values()) == [
        ("benchmark", "ConceptVectors", 1), ("method", "Concept vectors", 2)]


def test_a_one_letter_short_form_is_not_a_definition():
    # "Regularized Relevance Reward (R^3)" read as "Reward (R^3)" must not make R^3 mean "Reward".
    p = paper("Reward mixtures", "A mixture of reward functions: Regularized Relevance Reward (R^3). R^3 helps.")
    resolution = resolve([extraction(p, [("Reward", "method", {"nth": 1}), ("R^3", "method", {"long_form": "Reward"})])])
    assert len(resolution.entities) == 2
