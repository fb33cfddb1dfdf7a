"""The block-indexed N-Triples writer: the same bytes as the streamed export, and after a graph
patch the same bytes again while copying the unchanged blocks (agent lines moved where needed)."""
from __future__ import annotations

import io
import random

import networkx as nx
import pytest

from kg.graph.patch import apply_patch
from kg.graph.snapshot import read_snapshot, write_snapshot
from kg.rdf import export_to, graph_name
from kg.rdf.lines_patch import _plan, write_blocks
from kg.rdf.vocab import vocabulary
from kg.pipeline import build_graph
from kg.schema import load_schema
from test_graph_patch import _patch, seed_corpus

BASE = "https://example.org/kg/"


@pytest.fixture(scope="module")
def corpus():
    return seed_corpus()


def streamed(graph, fmt: str = "nt") -> bytes:
    sink = io.BytesIO()
    export_to(graph, sink, format=fmt, base_iri=BASE)
    return sink.getvalue()


def blocks(graph, fmt: str = "nt", old: bytes | None = None, index=None, nodes=frozenset(), sources=frozenset()):
    sink = io.BytesIO()
    name = graph_name(BASE) if fmt == "nquads" else None
    written = write_blocks(graph, sink, BASE, vocabulary(), name, old=old, old_index=index,
                           changed_nodes=nodes, changed_sources=sources)
    data = sink.getvalue()
    assert written.size == len(data) and written.lines == data.count(b"\n")
    return data, written


@pytest.mark.parametrize("fmt", ["nt", "nquads"])
def test_written_whole_the_blocks_are_the_streamed_export(corpus, fmt):
    papers, extractions = corpus
    graph, _ = build_graph(papers, extractions=[extractions[p.id] for p in papers])
    data, index = blocks(graph, fmt)
    assert data == streamed(graph, fmt)
    again, _ = blocks(graph, fmt, old=data, index=index)   # nothing changed: all copied
    assert again == data


@pytest.mark.parametrize("seed, name_removed", [(0, True), (1, True), (2, False), (3, False)])
def test_after_a_patch_the_copied_and_encoded_blocks_are_the_whole_export(corpus, seed, name_removed, tmp_path):
    """With the removed nodes named, runs between touched nodes are copied whole; without, every
    node is looked up in the old index (both give the whole export's bytes)."""
    papers, extractions = corpus
    schema = load_schema()
    rng = random.Random(seed)
    old_papers = sorted(rng.sample(papers, 50), key=lambda p: p.id)
    gone = {p.id for p in rng.sample(old_papers, 5)}
    new_papers = sorted([p for p in papers if p.id not in gone], key=lambda p: p.id)
    graph, _ = build_graph(old_papers, extractions=[extractions[p.id] for p in old_papers], schema=schema)
    graph = read_snapshot(write_snapshot(graph, tmp_path))   # as a later build holds it: lists, not tuples
    old, index = blocks(graph)
    patch = _patch(old_papers, new_papers, extractions, schema)
    removed: set = set()
    sources = apply_patch(graph, patch, removed)
    assert removed
    touched = patch.changed_nodes() | (removed if name_removed else set())
    plan = _plan(graph, index, set(), touched, sources)
    assert any(type(step[0]) is int for step in plan) == name_removed   # runs of old blocks, or none
    data, written = blocks(graph, old=old, index=index, nodes=touched, sources=sources)
    assert data == streamed(graph)
    assert written == blocks(graph)[1]   # the index the next build starts from


def _tiny(papers: list[tuple[str, str]]) -> nx.MultiDiGraph:
    """Papers each MENTIONS one method, the statement attributed to the given rule."""
    graph = nx.MultiDiGraph()
    graph.add_node("method:bert", label="Method", name="BERT", type="method")
    for paper, rule in papers:
        graph.add_node(paper, label="Paper", title=paper)
        graph.add_edge(paper, "method:bert", key="MENTIONS", type="MENTIONS", paper_id=paper, sentence=0, start=0,
                       end=4, evidence="BERT", rule=rule, confidence=0.9)
    return graph


def test_an_agent_whose_first_user_is_gone_is_introduced_by_its_next_user():
    before = _tiny([("p-a", "rule.one"), ("p-b", "rule.one"), ("p-c", "rule.two")])
    old, index = blocks(before)
    after = _tiny([("p-b", "rule.one"), ("p-c", "rule.two")])
    data, _ = blocks(after, old=old, index=index)   # p-b's block is unchanged, but must now say who rule.one is
    assert data == streamed(after)


def test_an_agent_introduced_earlier_now_is_not_introduced_twice():
    before = _tiny([("p-b", "rule.one"), ("p-c", "rule.two")])
    old, index = blocks(before)
    after = _tiny([("p-a", "rule.one"), ("p-b", "rule.one"), ("p-c", "rule.two")])
    data, _ = blocks(after, old=old, index=index, nodes={"p-a"}, sources={"p-a"})
    assert data == streamed(after)
    assert data.count(b"rule.one") == streamed(after).count(b"rule.one")
