"""validate(graph, schema) catches each kind of violation and names the node or edge and the rule."""
from __future__ import annotations

import networkx as nx
import pytest

from kg.errors import SchemaError
from kg.graph.validate import validate

PAPER = {"label": "Paper", "id": "p-1", "title": "Pointer Networks", "abstract": "We introduce Ptr-Net.",
         "source": "corpus.txt:3"}
METHOD = {"label": "Method", "id": "method:ptr-net", "name": "Ptr-Net", "type": "method", "aliases": ["Ptr-Net"],
          "alias_counts": [1], "paper_count": 1, "mention_count": 1}
PROV = {"paper_id": "p-1", "sentence": 1, "start": 31, "end": 38, "evidence": "We introduce Ptr-Net.",
        "rule": "propose-pattern", "confidence": 0.9}


def _graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_node("p-1", **PAPER)
    graph.add_node("method:ptr-net", **METHOD)
    graph.add_edge("p-1", "method:ptr-net", key="PROPOSES", type="PROPOSES", **PROV)
    return graph


def _fails(graph, *fragments):
    with pytest.raises(SchemaError) as error:
        validate(graph)
    for fragment in fragments:
        assert fragment in error.value.message
    return error.value


def test_a_valid_graph_passes():
    validate(_graph())


def test_unknown_label():
    graph = _graph()
    graph.nodes["method:ptr-net"]["label"] = "Model"
    _fails(graph, "node 'method:ptr-net'", "label 'Model' is not declared")


def test_abstract_label_is_not_a_node_label():
    graph = _graph()
    graph.nodes["method:ptr-net"]["label"] = "Entity"
    _fails(graph, "label 'Entity' is abstract")


def test_unknown_relationship_type():
    graph = _graph()
    graph.add_edge("p-1", "method:ptr-net", key="CITES", type="CITES", **PROV)
    _fails(graph, "edge 'p-1' -[CITES]-> 'method:ptr-net'", "relationship type 'CITES' is not declared")


def test_wrong_endpoints():
    graph = _graph()
    graph.add_edge("p-1", "method:ptr-net", key="ADDRESSES", type="ADDRESSES", **PROV)
    _fails(graph, "-[ADDRESSES]->", "may join Paper to Task, not Paper to Method")


def test_missing_required_property_on_node_and_edge():
    graph = _graph()
    del graph.nodes["p-1"]["abstract"]
    _fails(graph, "node 'p-1' (Paper)", "required property 'abstract' is missing")
    graph = _graph()
    del graph.edges["p-1", "method:ptr-net", "PROPOSES"]["evidence"]
    _fails(graph, "-[PROPOSES]->", "required property 'evidence' is missing")


def test_wrong_property_type():
    graph = _graph()
    graph.nodes["method:ptr-net"]["paper_count"] = "1"
    _fails(graph, "property 'paper_count' should be integer")
    graph = _graph()
    graph.nodes["method:ptr-net"]["aliases"] = ["Ptr-Net", 2]
    _fails(graph, "property 'aliases' should be list[string]")
    graph = _graph()
    graph.nodes["p-1"]["date"] = "June 2024"
    _fails(graph, "property 'date' should be date")


def test_undeclared_property():
    graph = _graph()
    graph.nodes["p-1"]["citations"] = 12
    _fails(graph, "property 'citations' is not declared")


def test_key_must_match_the_node_id_and_edge_key_the_type():
    graph = _graph()
    graph.nodes["p-1"]["id"] = "p-2"
    _fails(graph, "key property 'id'")
    graph = _graph()
    graph.add_node("method:lstm", **{**METHOD, "id": "method:lstm", "name": "LSTM", "aliases": ["LSTM"]})
    graph.add_edge("method:ptr-net", "method:lstm", key="OUTPERFORMS", type="OUTPERFORMS", **PROV)
    error = _fails(graph, "edge key 'OUTPERFORMS' should be 'OUTPERFORMS|p-1'")
    assert error.fix and "schema/graph.toml" in error.fix
