"""Turtle written through the remembering serializer is byte for byte rdflib's own Turtle."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.rdf import to_rdf, write_export
from kg.rdf.turtle import turtle_bytes

_spec = importlib.util.spec_from_file_location("rdf_graphs", Path(__file__).parent / "data" / "rdf" / "graphs.py")
graphs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(graphs)

BASE = "https://example.org/kg/"


def test_hostile_graph_gives_rdflibs_bytes(tmp_path):
    graph = graphs.hostile_graph()
    expected = to_rdf(graph, BASE).serialize(format="turtle", encoding="utf-8")
    assert turtle_bytes(to_rdf(graph, BASE)) == expected
    write_export(graph, tmp_path / "g.ttl", base_iri=BASE)
    assert (tmp_path / "g.ttl").read_bytes() == expected


def _foreign() -> Graph:
    """Predicates in a namespace with no prefix: rdflib invents ``ns1`` while writing."""
    rdf = Graph()
    for i in range(5):
        subject = URIRef(f"https://other.example/thing/{i}")
        rdf.add((subject, URIRef("https://other.example/thing/likes"), URIRef(f"https://other.example/thing/{i + 1}")))
        rdf.add((subject, URIRef("https://vocab.example/v#size"), Literal(i, datatype=XSD.integer)))
    return rdf


def test_a_prefix_invented_mid_way_falls_back_to_rdflib():
    assert turtle_bytes(_foreign()) == _foreign().serialize(format="turtle", encoding="utf-8")


_text = st.text(max_size=15).filter(lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t))


@settings(max_examples=60, deadline=None)
@given(title=_text, aliases=st.lists(_text, max_size=3), node=_text.filter(bool), number=st.floats(allow_nan=False))
def test_any_text_gives_rdflibs_bytes(title, aliases, node, number):
    graph = graphs.hostile_graph()
    graph.nodes["p-plain"]["title"] = title
    graph.nodes["result:1"]["number"] = number
    graph.add_node("method:" + node, label="Method", name=title or "x", type="method", aliases=aliases,
                   alias_counts=[1] * len(aliases), paper_count=1, mention_count=1)
    graph.add_edge("p-plain", "method:" + node, key="MENTIONS", type="MENTIONS", count=1, paper_id="p-plain",
                   sentence=0, start=0, end=1, evidence=title, rule="r", confidence=0.5)
    assert turtle_bytes(to_rdf(graph, BASE)) == to_rdf(graph, BASE).serialize(format="turtle", encoding="utf-8")
