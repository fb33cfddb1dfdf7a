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
from kg.viz.select import drawable_labels, induced_copy, select

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
