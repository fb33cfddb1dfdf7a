"""The page's quick cap-only selection (what ``kg build`` draws) equals the general one.

``select`` with no filter takes a shortcut (choose on the graph itself, copy only the nodes
kept); asking for every label forces the general path (copy all, filter nothing, then cap),
so the two must give the same subgraph, in the same order, and the same page.
"""
from __future__ import annotations

import random

import networkx as nx
import pytest

from kg.viz.page import render_page
from kg.viz.select import ENTITY_SHARE, cap_nodes, drawable_labels, importance_key, induced_copy, select

ENTITY_LABELS = ("Method", "Dataset", "Benchmark", "Metric", "Task")


def _graph(seed: int) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    entities = [f"e{i:03d}" for i in range(120)]
    for node in entities:
        label = rng.choice(ENTITY_LABELS)
        graph.add_node(node, label=label, id=node, name=f"N{rng.randint(0, 40)}", type=label.lower(),
                       aliases=[node], alias_counts=[1], paper_count=rng.randint(0, 6), mention_count=1)
    papers = [f"p{i:03d}" for i in range(150)]
    rng.shuffle(papers)   # insertion order is not id order
    for paper in papers:
        graph.add_node(paper, label="Paper", id=paper, title=f"T{rng.randint(0, 9)}", abstract="a", source="s:1")
        for entity in rng.sample(entities, rng.randint(0, 4)):
            rel = rng.choice(["MENTIONS", "PROPOSES"])
            graph.add_edge(paper, entity, key=f"{rel}|{paper}", type=rel, paper_id=paper, evidence="e", count=1)
    for _ in range(60):
        a, b = rng.sample(entities, 2)
        graph.add_edge(a, b, key=f"OUTPERFORMS|{rng.choice(papers)}", type="OUTPERFORMS", evidence="x")
    graph.add_node("lonely", label="Method", id="lonely", name="Lonely", paper_count=9)   # no edge at all
    graph.add_edge("e000", "e000", key="VARIANT_OF", type="VARIANT_OF")                 # a self-loop
    return graph


def _shape(selection):
    sub = selection.graph
    return (list(sub.nodes(data=True)), list(sub.edges(keys=True, data=True)),
            [list(sub.pred[n]) for n in sub], [list(sub.succ[n]) for n in sub],
            selection.left_out, selection.filtered, selection.total_nodes, selection.total_edges)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("cap", [1, 7, 40, 150, 265])
def test_capped_selection_equals_the_general_path(seed, cap):
    graph = _graph(seed)
    quick = select(graph, max_nodes=cap)
    general = select(graph, types=list(drawable_labels()), max_nodes=cap)
    assert _shape(quick) == _shape(general)
    assert render_page(quick, lookup=graph)[0] == render_page(general, lookup=graph)[0]


def test_induced_copy_is_copy_then_remove():
    graph = _graph(1)
    keep = set(random.Random(3).sample(sorted(graph), 90))
    expected = graph.copy()
    expected.remove_nodes_from([n for n in graph if n not in keep])
    got = induced_copy(graph, keep)
    assert list(got.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(got.edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True))
    assert [list(got.pred[n]) for n in got] == [list(expected.pred[n]) for n in expected]
    node = sorted(keep)[0]
    got.nodes[node]["name"] = "changed"             # a copy: the graph itself is untouched
    assert graph.nodes[node].get("name") != "changed"


def _ranked_in_full(graph, cap: int, keep: set) -> set:
    """The cap as its docstring states it, every candidate ranked: the oracle for the shortcut
    that ranks only the candidates that can make the cut."""
    rank = {label: i for i, label in enumerate(drawable_labels())}
    is_entity = {n: label in ENTITY_LABELS for n, label in graph.nodes(data="label")}
    entities = sorted((n for n in graph if is_entity[n] and n not in keep), key=lambda n: importance_key(graph, n, rank))
    others = [n for n in graph if not is_entity[n] and n not in keep]
    chosen = set(keep)
    room = max(0, cap - len(chosen))
    entity_room = max(room - len(others), min(len(entities), round(room * ENTITY_SHARE)))
    chosen.update(entities[:entity_room])

    def neighbours(node):
        return (set(graph.succ[node]) | set(graph.pred[node])) - {node}

    ranked = sorted(others, key=lambda n: (-len(neighbours(n) & chosen), importance_key(graph, n, rank)))
    chosen.update(ranked[:max(0, cap - len(chosen))])
    chosen.update(entities[entity_room:entity_room + max(0, cap - len(chosen))])
    return chosen


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("cap", [0, 1, 5, 40, 100, 200, 271, 400])
def test_the_cap_chooses_what_ranking_every_candidate_would(seed, cap):
    graph = _graph(seed)
    if seed % 2:   # ties on every key but the id: many papers with one link, entities of one count
        for node, attrs in graph.nodes(data=True):
            attrs["paper_count"] = 1 if "paper_count" in attrs else None
            attrs["name"] = attrs["title"] = "same"
    keep = set(random.Random(seed).sample(sorted(graph), seed % 3 * 4))
    assert cap_nodes(graph, cap, keep) == _ranked_in_full(graph, cap, keep)
