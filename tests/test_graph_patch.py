"""Patching a built graph: dropping and rebuilding the fragments of the papers a change touches
gives the graph a whole build makes (same snapshot bytes)."""
from __future__ import annotations

import hashlib
import random

import pytest

from kg.graph.build import BuildReport, _Schema, entity_node, paper_fragment, variant_edges
from kg.graph.patch import Patch, apply_patch, delta_graph, reach_of
from kg.graph.snapshot import dumps, write_snapshot
from kg.graph.snapshot_patch import SnapshotIndex, patch_snapshot, write_indexed_snapshot
from kg.loaders import read_corpus
from kg.pipeline import build_graph, extract_all
from kg.resolve import resolve
from kg.schema import load_schema
from kg.store.counts import graph_counts, part_counts, shifted_counts

CORPUS = "examples/corpus"


def seed_corpus(size: int = 80):
    """The first ``size`` seed papers (by id) and their rule-only extractions, by paper id."""
    papers = sorted(read_corpus([CORPUS]).papers, key=lambda p: p.id)[:size]
    return papers, {e.paper_id: e for e in extract_all(papers, use_model=False)}


@pytest.fixture(scope="module")
def corpus():
    return seed_corpus()


def _fragments(papers, extractions, resolution, answers):
    by_paper: dict[str, list] = {}
    for (paper_id, entity_id), mentions in resolution.mentions.items():
        by_paper.setdefault(paper_id, []).append((entity_id, mentions))
    return {p.id: paper_fragment(p, extractions.get(p.id), resolution, by_paper.get(p.id, ()), answers, BuildReport())
            for p in papers}


def _patch(old_papers, new_papers, extractions, schema) -> Patch:
    """The change from the old corpus to the new one, found by brute force (every fragment compared)."""
    answers = _Schema(schema)
    before = resolve([extractions[p.id] for p in old_papers])
    after = resolve([extractions[p.id] for p in new_papers])
    old = _fragments(old_papers, extractions, before, answers)
    new = _fragments(new_papers, extractions, after, answers)
    patch = Patch(drop_papers={p for p in old if p not in new})
    patch.fragments = [fragment for paper, fragment in new.items()
                       if paper not in old or (old[paper].nodes, old[paper].edges) != (fragment.nodes, fragment.edges)]
    patch.entities = {e.id: entity_node(schema, e) for e in after.entities.values()
                      if e.id not in before.entities or entity_node(schema, before.entities[e.id]) != entity_node(schema, e)}
    patch.entities_removed = set(before.entities) - set(after.entities)
    old_links = {edge[:3] for edge in variant_edges(before.variants, before.entities, answers, BuildReport())}
    new_links = variant_edges(after.variants, after.entities, answers, BuildReport())
    patch.links_added = [edge for edge in new_links if edge[:3] not in old_links]
    patch.links_removed = sorted(old_links - {edge[:3] for edge in new_links})
    return patch


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_patched_graph_and_snapshot_equal_the_whole_build(corpus, seed, tmp_path):
    papers, extractions = corpus
    schema = load_schema()
    rng = random.Random(seed)
    old_papers = sorted(rng.sample(papers, 50), key=lambda p: p.id)
    gone = set(p.id for p in rng.sample(old_papers, 3))            # papers the new corpus no longer has
    new_papers = sorted([p for p in papers if p.id not in gone], key=lambda p: p.id)
    graph, _ = build_graph(old_papers, extractions=[extractions[p.id] for p in old_papers], schema=schema)
    whole, _ = build_graph(new_papers, extractions=[extractions[p.id] for p in new_papers], schema=schema)
    patch = _patch(old_papers, new_papers, extractions, schema)
    assert patch.fragments and patch.drop_papers == gone
    snapshot = tmp_path / "graph.json"
    index = write_indexed_snapshot(graph, snapshot)
    assert snapshot.read_text(encoding="utf-8") == dumps(graph)
    removed: set = set()
    counts = graph_counts(graph, schema)
    reach = reach_of(graph, patch)
    before = part_counts(graph, reach.nodes, reach.sources, schema)
    sources = apply_patch(graph, patch, removed, reach)
    assert dumps(graph) == dumps(whole)
    after = part_counts(graph, reach.nodes, reach.sources, schema)
    assert shifted_counts(counts, before, after) == graph_counts(whole, schema) != counts
    assert sources <= reach.sources and removed <= reach.nodes
    digest = hashlib.sha256()
    new_index = patch_snapshot(graph, snapshot, index, patch.changed_nodes() | removed, sources, digest)
    assert snapshot.read_text(encoding="utf-8") == dumps(whole)
    assert digest.hexdigest() == hashlib.sha256(snapshot.read_bytes()).hexdigest()
    assert new_index == write_indexed_snapshot(whole, tmp_path / "whole.json")   # the next patch can use it


def test_indexed_snapshot_is_the_plain_one_and_its_index_adds_up(corpus, tmp_path):
    papers, extractions = corpus
    graph, _ = build_graph(papers, extractions=[extractions[p.id] for p in papers])
    index = write_indexed_snapshot(graph, tmp_path / "graph.json")
    data = (tmp_path / "graph.json").read_bytes()
    assert data == write_snapshot(graph, tmp_path / "plain.json").read_bytes()
    assert index.nodes == sorted(graph.nodes) and index.size == len(data) and index.fits(data)
    edge_start, node_start = index.starts()
    first = index.nodes[0]
    assert data[node_start:node_start + index.node_sizes[0]].startswith(b"{") and \
        f'"id": "{first}"'.encode() in data[node_start:node_start + index.node_sizes[0]]
    assert sum(1 for size in index.edge_sizes if size) == len({source for source, _ in graph.edges()})


def test_snapshot_patch_that_misses_a_removed_node_writes_the_whole_file(corpus, tmp_path):
    papers, extractions = corpus
    graph, _ = build_graph(papers[:10], extractions=[extractions[p.id] for p in papers[:10]])
    index = write_indexed_snapshot(graph, tmp_path / "graph.json")
    graph.remove_node(papers[3].id)   # not named as touched
    patch_snapshot(graph, tmp_path / "graph.json", index, set(), set())
    assert (tmp_path / "graph.json").read_text(encoding="utf-8") == dumps(graph)


def test_delta_holds_the_patched_papers_whole_and_the_changed_entities(corpus):
    papers, extractions = corpus
    schema = load_schema()
    graph, _ = build_graph(papers[:40], extractions=[extractions[p.id] for p in papers[:40]], schema=schema)
    patch = _patch(papers[:40], papers[:60], extractions, schema)
    apply_patch(graph, patch)
    touched = {f.paper_id for f in patch.fragments}
    delta = delta_graph(graph, patch)
    for paper in touched:
        assert sorted(delta.out_edges(paper, keys=True)) == sorted(graph.out_edges(paper, keys=True))
    assert set(patch.entities) <= set(delta)
    for node in delta:
        assert delta.nodes[node] == graph.nodes[node]
    owned = {(s, t, k) for s, t, k in graph.edges(keys=True) if "|" in k and k.rpartition("|")[2] in touched}
    assert owned <= set(delta.edges(keys=True))


def test_snapshot_patch_of_a_file_laid_out_otherwise_writes_the_whole_file(corpus, tmp_path):
    papers, extractions = corpus
    graph, _ = build_graph(papers[:5], extractions=[extractions[p.id] for p in papers[:5]])
    snapshot = tmp_path / "graph.json"
    index = write_indexed_snapshot(graph, snapshot)
    snapshot.write_text("{}", encoding="utf-8")
    assert patch_snapshot(graph, snapshot, index, set(), set()) == index
    assert snapshot.read_text(encoding="utf-8") == dumps(graph)
    snapshot.unlink()
    assert patch_snapshot(graph, snapshot, SnapshotIndex(), set(), set()) == index   # no index: whole
    assert snapshot.read_text(encoding="utf-8") == dumps(graph)
