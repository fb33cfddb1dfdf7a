"""The streamed snapshot writer gives exactly the bytes of one ``json.dumps(..., indent=1)``."""
from __future__ import annotations

import json
import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.graph.snapshot import CHUNK, dumps, iter_dumps, read_snapshot, to_node_link, write_snapshot


def reference(graph: nx.MultiDiGraph) -> str:
    """What the snapshot was before it was streamed: one indenting json.dumps of the node-link data."""
    return json.dumps(to_node_link(graph), sort_keys=True, ensure_ascii=False, indent=1) + "\n"


def _typed_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_node("p-1", label="Paper", id="p-1", title='Say "hi"\n\tto \u2028 Ünïcode {},\n   {', abstract="",
                   source="a.txt:3", year=2024)
    graph.add_node("method:bert", label="Method", id="method:bert", name="BERT", aliases=["BERT", "bert"],
                   alias_counts=[3, 1], paper_count=2, mention_count=4)
    graph.add_node("task:x", label="Task", id="task:x", name="x", aliases=[], alias_counts=(), paper_count=1)
    graph.add_node("result:1", label="Result", id="result:1", value="45.1", number=45.1, unit=None)
    graph.add_edge("p-1", "method:bert", key="MENTIONS|p-1", type="MENTIONS", confidence=0.9, start=0, end=4,
                   evidence="},\n   {", ok=True)
    graph.add_edge("p-1", "result:1", key="REPORTS", type="REPORTS")
    graph.add_edge("result:1", "method:bert", key="OF_METHOD", type="OF_METHOD")
    return graph


def _odd_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name="odd", meta={"b": [1, {"c": None}], "a": []})
    graph.add_node("empty")
    graph.add_node("nested", props={"z": 1, "a": [1.5, "two", [3]]}, nan=math.nan, inf=-math.inf)
    graph.add_node("listy", mixed=[1, None, True, 2.5, "s"], dicts=[{"k": "v"}], empty={})
    graph.add_node("unicode-keys", **{"ü": "one", "Z": 2, "_": [None]})
    graph.add_edge("empty", "nested")          # integer key 0
    graph.add_edge("empty", "nested")          # integer key 1
    graph.add_edge("nested", "listy", key="k", weight=[{"deep": [[]]}])
    return graph


@pytest.mark.parametrize("make", [_typed_graph, _odd_graph, nx.MultiDiGraph], ids=["typed", "odd", "empty"])
def test_dumps_is_byte_identical_to_one_json_dumps(make, tmp_path):
    graph = make()
    assert dumps(graph) == reference(graph)
    assert "".join(iter_dumps(graph)) == reference(graph)
    written = write_snapshot(graph, tmp_path)
    assert written.read_bytes() == reference(graph).encode("utf-8")


def test_many_chunks_and_a_round_trip(tmp_path):
    graph = nx.MultiDiGraph()
    for i in range(2 * CHUNK + 7):
        graph.add_node(f"n{i:05d}", label="Paper", id=f"n{i:05d}", title=f"T {i}", tags=["a"] * (i % 3))
        if i:
            graph.add_edge(f"n{i - 1:05d}", f"n{i:05d}", key="NEXT", type="NEXT", w=i / 7)
    graph.add_node("n00003", label="Paper", id="n00003", title="T 3", tags=[], extra={})
    assert len(list(iter_dumps(graph))) > 4            # written in pieces, not one string
    assert dumps(graph) == reference(graph)
    path = write_snapshot(graph, tmp_path / "g.json")
    back = read_snapshot(path)
    assert dumps(back) == dumps(graph)


def test_a_graph_that_is_not_a_multigraph_is_written_as_before():
    graph = nx.DiGraph()
    graph.add_node("a", name="A")
    assert dumps(graph) == reference(graph)
    graph.add_edge("a", "b")
    with pytest.raises(KeyError):   # node_link_data gives no edge keys to sort on: refused, as before
        dumps(graph)


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                     st.text(max_size=12))
_values = st.one_of(_scalars, st.lists(_scalars, max_size=4), st.tuples(_scalars, _scalars),
                    st.dictionaries(st.text(max_size=4), _scalars, max_size=3))
_attrs = st.dictionaries(st.text(min_size=1, max_size=6), _values, max_size=5)


@settings(max_examples=150, deadline=None)
@given(nodes=st.dictionaries(st.text(min_size=1, max_size=5), _attrs, max_size=6),
       edges=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.text(max_size=3), _attrs), max_size=8))
def test_any_multigraph_gives_the_same_bytes(nodes, edges):
    graph = nx.MultiDiGraph()
    for node, attrs in nodes.items():
        graph.add_node(node)
        graph.nodes[node].update(attrs)     # any attribute name, even "id" or "key"
    names = sorted(nodes)
    for source, target, key, attrs in edges:
        if names:
            ends = names[source % len(names)], names[target % len(names)]
            graph.add_edge(*ends, key=key)
            graph.edges[(*ends, key)].update(attrs)
    assert dumps(graph) == reference(graph)
