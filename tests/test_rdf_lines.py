"""The streamed N-Triples/N-Quads lines are exactly ``nt_line`` over ``iter_triples``: same
triples, same order, same bytes, same errors; only faster."""
from __future__ import annotations

import importlib.util
import io
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import SchemaError
from kg.rdf import export_to, graph_name, iter_triples
from kg.rdf.lines import iter_lines
from kg.rdf.ntriples import nt_line
from kg.rdf.vocab import vocabulary

_spec = importlib.util.spec_from_file_location("rdf_graphs", Path(__file__).parent / "data" / "rdf" / "graphs.py")
graphs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(graphs)

BASE = "https://example.org/kg/"


def by_terms(graph, fmt: str = "nt") -> bytes:
    """The export as the term path writes it: one ``nt_line`` per rdflib triple."""
    name = graph_name(BASE) if fmt == "nquads" else None
    return "".join(nt_line(s, p, o, name) for s, p, o in iter_triples(graph, BASE)).encode("utf-8")


def streamed(graph, fmt: str = "nt") -> bytes:
    sink = io.BytesIO()
    count = export_to(graph, sink, format=fmt, base_iri=BASE)
    assert count == sink.getvalue().count(b"\n")
    return sink.getvalue()


@pytest.mark.parametrize("fmt", ["nt", "nquads"])
def test_hostile_graph_gives_the_same_bytes(fmt):
    graph = graphs.hostile_graph()
    assert streamed(graph, fmt) == by_terms(graph, fmt)


def test_odd_values_take_the_term_path_and_agree():
    graph = graphs.hostile_graph()
    graph.nodes["p-plain"]["year"] = 2020
    graph.nodes["result:1"]["number"] = -0.0       # equal to 0.0, written differently
    graph.nodes["result:2"]["number"] = 0.0
    graph.add_node("result:3", label="Result", value="inf", number=math.inf, paper_id="p-plain", sentence=1,
                   evidence="e")                    # not finite: no triple
    graph.add_node("result:4", label="Result", value="big", number=1e22, paper_id="p-year", sentence=0,
                   evidence="e", unit=None)
    graph.nodes["p-year"]["date"] = "2019-02-30"    # a day rdflib cannot parse, kept as written
    graph.nodes["method:bert"]["aliases"] = ("BERT", "BERT", "bert")   # a tuple, with the name twice
    graph.edges["p-plain", "method:bert", "MENTIONS"]["paper_id"] = "p-elsewhere"   # not in the graph: a Paper IRI
    assert streamed(graph) == by_terms(graph)


@pytest.mark.parametrize("change, match", [
    (lambda g: g.nodes["p-plain"].update(colour="red"), "colour"),
    (lambda g: g.add_node("x", label="Author"), "Author"),
    (lambda g: g.nodes["p-plain"].update(date="31/01/2020"), "yyyy-mm-dd"),
    (lambda g: g.nodes["method:bert"].update(paper_count="2"), "paper_count"),
    (lambda g: g.nodes["method:bert"].update(aliases="BERT"), "should be a list"),
    (lambda g: g.add_edge("p-plain", "method:bert", key="CITES", type="CITES"), "CITES"),
    (lambda g: g.add_edge("result:1", "method:bert", key="OF_METHOD2", type="OF_METHOD", count=1), "declares no"),
    (lambda g: g.edges["method:bert", 'method:q"net', "OUTPERFORMS|p-plain"].update(dataset="dataset:gone"),
     "dataset:gone"),
    (lambda g: g.edges["p-plain", "method:bert", "MENTIONS"].update(rule=""), "'rule'"),
])
def test_the_same_error_is_raised(change, match):
    graph = graphs.hostile_graph()
    change(graph)
    with pytest.raises(SchemaError, match=match) as expected:
        by_terms(graph)
    with pytest.raises(SchemaError, match=match) as got:
        streamed(graph)
    assert (got.value.what, got.value.where, got.value.fix) == \
        (expected.value.what, expected.value.where, expected.value.fix)


_text = st.text(max_size=20).filter(lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t))


@settings(max_examples=200, deadline=None)
@given(title=_text, name=_text, aliases=st.lists(_text, max_size=3), rule=_text.filter(bool),
       confidence=st.floats(allow_nan=False, width=32), start=st.integers(-5, 10**6), node_id=_text.filter(bool))
def test_any_text_and_number_gives_the_same_bytes(title, name, aliases, rule, confidence, start, node_id):
    graph = graphs.hostile_graph()
    graph.nodes["p-plain"]["title"] = title
    graph.add_node("method:" + node_id, label="Method", name=name, type="method", aliases=aliases,
                   alias_counts=[1] * len(aliases), paper_count=1, mention_count=1)
    graph.add_edge("p-plain", "method:" + node_id, key="MENTIONS", type="MENTIONS", count=1, paper_id="p-plain",
                   sentence=0, start=start, end=start + 1, evidence=title, rule=rule, confidence=confidence)
    assert streamed(graph) == by_terms(graph)


def test_lines_come_in_bounded_pieces():
    graph = graphs.hostile_graph()
    pieces = list(iter_lines(graph, BASE, vocabulary()))
    assert pieces and all(isinstance(line, str) and line.endswith(" .\n") for piece in pieces for line in piece)
