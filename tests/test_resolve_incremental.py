"""The incremental resolver gives exactly what the batch resolver gives on the union corpus,
and names every earlier paper whose lookups changed."""
from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kg.errors import InputError
from kg.extract.records import Extraction, Mention, Relation, Result
from kg.resolve import resolve
from kg.resolve.incremental import ResolutionState

CORPUS = "examples/corpus"


@pytest.fixture(scope="module")
def corpus():
    """The seed corpus, extracted once with the rules only (the fastest real extraction)."""
    from kg.extract.pipeline import extract_papers
    from kg.loaders import read_corpus

    papers = sorted(read_corpus([CORPUS]).papers, key=lambda p: p.id)
    return list(extract_papers(papers, use_model=False))


def _names(extraction: Extraction):
    """Every (text, type) the graph builder looks up in one paper."""
    for m in extraction.mentions:
        yield m.text, m.type
    for r in extraction.relations:
        yield from ((r.head, r.head_type), (r.tail, r.tail_type), (r.dataset, "dataset"))
    for r in extraction.results:
        yield from ((r.method, "method"), (r.dataset, "dataset"), (r.metric, "metric"))


def _lookups(resolution, extractions) -> dict:
    found = {}
    for e in extractions:
        for text, entity_type in _names(e):
            entity = resolution.lookup(e.paper_id, text, entity_type)
            found[(e.paper_id, text, entity_type)] = entity.id if entity else None
    return found


def assert_same(state: ResolutionState, extractions) -> object:
    """The state equals ``resolve()`` of ``extractions``: entities (all fields, order), variants,
    mention tuples, report and every lookup of every paper."""
    extractions = sorted(extractions, key=lambda e: e.paper_id)
    batch = resolve(extractions)
    ours = state.resolution(extractions)
    assert list(ours.entities) == list(batch.entities)
    assert ours.entities == batch.entities
    assert ours.variants == batch.variants
    assert ours.mentions == batch.mentions
    assert ours.report.as_dict() == batch.report.as_dict()
    assert _lookups(ours, extractions) == _lookups(batch, extractions)
    return batch


def assert_sound(change, before, after, earlier) -> None:
    """Every earlier paper whose lookups or mention tuples differ is in ``change.papers``."""
    a, b = _lookups(before, earlier), _lookups(after, earlier)
    differ = {key[0] for key in a if a[key] != b[key]}
    ids = {e.paper_id for e in earlier}
    differ |= {p for p, _ in set(before.mentions) ^ set(after.mentions) if p in ids}
    differ |= {p for k, v in before.mentions.items() if (p := k[0]) in ids and after.mentions.get(k) != v}
    assert differ <= change.papers, sorted(differ - change.papers)


def _split(corpus, seed: int):
    rnd = random.Random(seed)
    shuffled = list(corpus)
    rnd.shuffle(shuffled)
    cut = rnd.randrange(1, len(shuffled))
    return shuffled[:cut], shuffled[cut:], rnd


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_build_then_update_equals_the_batch_resolver(corpus, seed):
    first, second, _ = _split(corpus, seed)
    state = ResolutionState.build(first)
    before = resolve(sorted(first, key=lambda e: e.paper_id))
    change = state.update(second)
    after = assert_same(state, corpus)
    assert change.added == {e.paper_id for e in second}
    assert_sound(change, before, after, first)
    assert change.papers <= {e.paper_id for e in first}


def test_updates_in_steps_and_removals_with_changed_text(corpus):
    first, second, rnd = _split(corpus, 7)
    state = ResolutionState.build(first)
    half = len(second) // 2
    for step in (second[:half], second[half:]):
        present = list(state.papers)
        before = state.resolution([e for e in corpus if e.paper_id in state.papers])
        change = state.update(step)
        after = assert_same(state, [e for e in corpus if e.paper_id in state.papers])
        assert_sound(change, before, after, [e for e in corpus if e.paper_id in present])

    # Some papers change: fewer mentions, another type for one; others go away.
    changed = rnd.sample(corpus, 30)
    edited = []
    for e in changed:
        mentions = list(e.mentions[::2])
        if mentions:
            mentions[0] = dataclasses.replace(mentions[0], type="dataset" if mentions[0].type != "dataset" else "task")
        edited.append(dataclasses.replace(e, mentions=tuple(mentions)))
    gone = {e.paper_id for e in rnd.sample(corpus, 30)} - {e.paper_id for e in changed}
    current = {e.paper_id: e for e in corpus}
    before = state.resolution(list(current.values()))
    change = state.update(edited, removed=gone)
    for e in edited:
        current[e.paper_id] = e
    for pid in gone:
        del current[pid]
    after = assert_same(state, list(current.values()))
    untouched = [e for pid, e in current.items() if pid not in change.added]
    assert_sound(change, before, after, untouched)
    assert change.removed == gone

    # Taking everything away and putting it back gives the batch result again.
    state.update([], removed=list(current))
    assert state.entities == {} and state.variants == () and state.spell == {}
    state.update(corpus)
    assert_same(state, corpus)


def _m(paper, text, entity_type="method", confidence=0.9, **extra):
    return Mention(paper, text, entity_type, 0, len(text), 1, "test", confidence, **extra)


def _paper(pid, *mentions, relations=(), results=()):
    return Extraction(pid, pid, mentions=tuple(_m(pid, *m) if isinstance(m, tuple) else m for m in mentions),
                      relations=tuple(relations), results=tuple(results))


def _relation(pid, head, tail, rel_type="OUTPERFORMS"):
    return Relation(pid, rel_type, head, "method", tail, "method", 1, 0, 1, "", "test", 0.9)


def _check(old, new, removed=()):
    """Build on ``old``, update with ``new``, compare with the batch, return the change."""
    state = ResolutionState.build(old)
    before = resolve(sorted(old, key=lambda e: e.paper_id))
    change = state.update(new, removed)
    kept = [e for e in old if e.paper_id not in set(removed) | {n.paper_id for n in new}]
    after = assert_same(state, kept + list(new))
    assert_sound(change, before, after, kept)
    return change, before, after


def test_an_abbreviation_defined_only_in_a_new_paper_moves_earlier_papers():
    old = [_paper("a", ("RAG",), relations=[_relation("a", "RAG", "BM25")]), _paper("b", ("BM25",))]
    new = [_paper("c", ("Retrieval-Augmented Generation (RAG)",))]
    change, before, after = _check(old, new)
    assert before.lookup("a", "RAG", "method").id == "method:rag"
    assert after.lookup("a", "RAG", "method").id == "method:retrieval-augmented-generation"
    assert change.papers == {"a"}
    assert "method:rag" in change.entities_removed


def test_a_second_long_form_makes_the_abbreviation_ambiguous_again():
    old = [_paper("a", ("FBZ",)), _paper("c", ("Foo Bar Zipper (FBZ)",))]
    new = [_paper("d", ("Fast Binary Zapper (FBZ)",))]
    change, before, after = _check(old, new)
    assert before.lookup("a", "FBZ", "method").id == "method:foo-bar-zipper"
    assert after.lookup("a", "FBZ", "method").id == "method:fbz"
    assert "a" in change.papers
    _check(old + new, [], removed=["d"])


def test_a_type_vote_that_flips_changes_the_id_for_earlier_papers():
    old = [_paper("a", ("FooNet", "method", 0.9)), _paper("b", ("FooNet", "dataset", 0.5))]
    new = [_paper("c", ("FooNet", "dataset", 0.8))]
    change, before, after = _check(old, new)
    assert before.lookup("a", "FooNet", "method").id == "method:foonet"
    assert after.lookup("a", "FooNet", "method").id == "dataset:foonet"
    assert change.papers == {"a", "b"}


def test_a_spelling_that_becomes_the_representative_rekeys_the_merge():
    old = [_paper("a", ("PreTrained Model",)), _paper("b", ("pretrained model",))]
    new = [_paper("c", ("pre-trained model",))]
    change, before, after = _check(old, new)
    assert after.lookup("a", "PreTrained Model", "method").id == "method:pre-trained-model"
    assert change.papers == {"a", "b"}


def test_a_paper_typing_two_spellings_apart_splits_them():
    old = [_paper("a", ("concept vectors", "task")), _paper("b", ("ConceptVectors", "task"))]
    new = [_paper("c", ("concept vectors", "task"), ("ConceptVectors", "benchmark"))]
    change, _, after = _check(old, new)
    assert after.lookup("b", "ConceptVectors", "task").id != after.lookup("a", "concept vectors", "task").id
    assert "b" in change.papers


def test_a_base_entity_that_appears_makes_a_variant():
    old = [_paper("a", ("LLaMA-2 7B",), ("LLaMA-2 13B",))]
    new = [_paper("b", ("LLaMA-2",))]
    change, before, after = _check(old, new)
    assert before.variants == ()
    assert change.variants_added == set(after.variants) and after.variants
    assert change.papers == set()
    change, _, _ = _check(old + new, [], removed=["b"])
    assert change.variants_removed and not change.variants_added


def test_an_earlier_first_spelling_reorders_the_mention_tuples_of_a_merged_entity():
    old = [_paper("b", ("pretrained model",), ("pre-trained model",))]
    new = [_paper("a", ("pre-trained model",))]
    change, before, after = _check(old, new)
    key = ("b", "method:pre-trained-model")
    assert [m.text for m in before.mentions[key]] == ["pretrained model", "pre-trained model"]
    assert [m.text for m in after.mentions[key]] == ["pre-trained model", "pretrained model"]
    assert change.papers == {"b"}


def test_results_and_relations_naming_a_new_entity_are_papers_that_change():
    old = [_paper("a", ("ImageNet", "dataset"),
                  results=[Result("a", "80%", "ViT", "ImageNet", "top-1 accuracy", 1, 0, 1, "", "t", 0.9)])]
    new = [_paper("b", ("ViT",))]
    change, before, after = _check(old, new)
    assert after.lookup("a", "ViT", "method") is not None and before.lookup("a", "ViT", "method") is None
    assert change.papers == {"a"}


def test_graph_fragments_of_the_changed_papers_are_what_a_full_build_gives(corpus):
    """The wiring contract: rebuild the fragments of ``added | change.papers`` from
    :meth:`ResolutionState.fragment` and each paper owns the same edges as in a full build."""
    from kg.graph.build import build_graph
    from kg.loaders import read_corpus

    papers = {p.id: p for p in read_corpus([CORPUS]).papers}
    shuffled = list(corpus)
    random.Random(11).shuffle(shuffled)
    first, second = shuffled[:220], shuffled[220:]
    state = ResolutionState.build(first)
    change = state.update(second)
    full = build_graph(papers.values(), corpus, resolve(sorted(corpus, key=lambda e: e.paper_id)))
    redo = [e for e in corpus if e.paper_id in change.added | change.papers]
    part = build_graph([papers[e.paper_id] for e in redo], redo, state.fragment(redo))

    def owned(graph, pid):
        found = set()
        for source, target, key, attrs in graph.edges(keys=True, data=True):
            if source == pid or attrs.get("paper_id") == pid or key.endswith(f"|{pid}") \
                    or graph.nodes[source].get("paper_id") == pid:
                found.add((source, target, key, tuple(sorted((k, str(v)) for k, v in attrs.items()))))
        return found

    assert redo and change.papers
    for e in redo:
        assert owned(part, e.paper_id) == owned(full, e.paper_id)
    # and every other earlier paper owns in the new full graph what it owned before
    before = build_graph([papers[e.paper_id] for e in first], first, resolve(sorted(first, key=lambda e: e.paper_id)))
    for e in first:
        if e.paper_id not in change.papers:
            assert owned(before, e.paper_id) == owned(full, e.paper_id)
    for node, attrs in part.nodes(data=True):
        assert attrs == full.nodes[node]


def test_save_and_load_give_the_same_state(corpus, tmp_path):
    first, second, _ = _split(corpus, 3)
    state = ResolutionState.build(first)
    state.save(tmp_path / "state.pickle")
    loaded = ResolutionState.load(tmp_path / "state.pickle")
    loaded.update(second)
    assert_same(loaded, corpus)
    # Saved again after an update (the entries it read are packed anew) and updated again.
    loaded.save(tmp_path / "state.pickle")
    again = ResolutionState.load(tmp_path / "state.pickle")
    removed = [e.paper_id for e in second[: len(second) // 2]]
    again.update(removed=removed)
    assert_same(again, [e for e in corpus if e.paper_id not in set(removed)])
    other = dataclasses.replace(state.curated, table={**state.curated.table, ("method", "foo"): "bar"})
    with pytest.raises(InputError, match="other resolution rules"):
        ResolutionState.load(tmp_path / "state.pickle", curated=other)
    (tmp_path / "bad.pickle").write_bytes(b"not a pickle")
    with pytest.raises(InputError, match="cannot read the resolution state"):
        ResolutionState.load(tmp_path / "bad.pickle")


def test_a_paper_added_twice_in_one_update_is_an_error():
    with pytest.raises(InputError, match="added twice"):
        ResolutionState.build([_paper("a", ("BERT",)), _paper("a", ("GPT",))])


_NAMES = ["RAG", "Retrieval-Augmented Generation (RAG)", "retrieval augmented generation", "BERT", "BERT-base",
          "BERTs", "GLUE", "KILT", "knowledge-intensive language tasks (KILT)", "pre-trained model",
          "pretrained model", "PreTrained Model", "LLaMA-2", "LLaMA-2 7B", "RL", "Reinforcement Learning (RL)",
          "Representation Learning (RL)", "quantisation", "quantization"]
_TYPES = ["method", "dataset", "benchmark", "task", "metric"]
_mention = st.tuples(st.sampled_from(_NAMES), st.sampled_from(_TYPES), st.sampled_from([0.5, 0.7, 0.9]))
_papers = st.lists(st.lists(_mention, min_size=1, max_size=4), min_size=2, max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_papers, st.data())
def test_random_add_remove_sequences_match_the_batch(specs, data):
    extractions = [_paper(f"p{i:02d}", *spec) for i, spec in enumerate(specs)]
    cut = data.draw(st.integers(1, len(extractions) - 1))
    state = ResolutionState.build(extractions[:cut])
    current = {e.paper_id: e for e in extractions[:cut]}
    for batch in (extractions[cut:], []):
        removed = data.draw(st.lists(st.sampled_from(sorted(current)), max_size=2, unique=True)) if current else []
        before = resolve(sorted(current.values(), key=lambda e: e.paper_id))
        change = state.update(batch, removed)
        for pid in removed:
            del current[pid]
        current.update((e.paper_id, e) for e in batch)
        after = assert_same(state, list(current.values()))
        kept = [e for pid, e in current.items() if pid not in change.added]
        assert_sound(change, before, after, kept)
