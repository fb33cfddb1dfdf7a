"""SHACL: the export conforms to the generated shapes; each kind of broken graph does not."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, XSD

from kg.rdf import to_rdf, validate
from kg.rdf.terms import IRIMinter
from kg.rdf.vocab import vocabulary

_spec = importlib.util.spec_from_file_location("rdf_graphs", Path(__file__).parent / "data" / "rdf" / "graphs.py")
graphs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(graphs)

KG = vocabulary().KG
MINT = IRIMinter(vocabulary().default_base_iri)
PAPER = MINT.node("Paper", "p-plain")


@pytest.fixture()
def data() -> Graph:
    return to_rdf(graphs.hostile_graph())


def test_fixture_export_conforms(data):
    result = validate(data)
    assert result.conforms, result.report
    assert result.violations == 0


def a_statement(data: Graph, predicate: URIRef) -> URIRef:
    return next(st for st in data.subjects(RDF.type, RDF.Statement) if data.value(st, RDF.predicate) == predicate)


def _drop_title(g):
    g.remove((PAPER, DCTERMS.title, None))


def _proposes_a_task(g):
    g.add((PAPER, KG.proposes, MINT.node("Task", "task:qa")))


def _statement_without_confidence(g):
    g.remove((a_statement(g, KG.evaluatesOn), KG.confidence, None))


def _mentions_without_count(g):
    g.remove((a_statement(g, KG.mentions), KG["count"], None))


def _confidence_as_text(g):
    st = a_statement(g, KG.usesMetric)
    g.set((st, KG.confidence, Literal("high")))


def _two_titles(g):
    g.add((PAPER, DCTERMS.title, Literal("Another title")))


def _undeclared_property(g):
    g.add((PAPER, DCTERMS.creator, Literal("Someone")))


def _bad_date(g):
    g.set((PAPER, DCTERMS.date, Literal("January 2020")))


def _result_of_a_dataset(g):
    g.add((MINT.node("Result", "result:1"), KG.ofMethod, MINT.node("Dataset", "dataset:squad")))


def _provenance_not_a_paper(g):
    st = a_statement(g, KG.addresses)
    g.set((st, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), MINT.node("Method", "method:bert")))


BROKEN = {
    "missing required title": (_drop_title, DCTERMS.title, SH.MinCountConstraintComponent),
    "PROPOSES a Task": (_proposes_a_task, KG.proposes, SH.OrConstraintComponent),
    "statement without confidence": (_statement_without_confidence, None, SH.OrConstraintComponent),
    "MENTIONS without count": (_mentions_without_count, None, SH.OrConstraintComponent),
    "confidence as text": (_confidence_as_text, KG.confidence, SH.DatatypeConstraintComponent),
    "two titles": (_two_titles, DCTERMS.title, SH.MaxCountConstraintComponent),
    "undeclared property": (_undeclared_property, DCTERMS.creator, SH.ClosedConstraintComponent),
    "date that is no date": (_bad_date, DCTERMS.date, SH.OrConstraintComponent),
    "result OF_METHOD a dataset": (_result_of_a_dataset, KG.ofMethod, SH.ClassConstraintComponent),
    "provenance from a method": (_provenance_not_a_paper, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"),
                                 SH.ClassConstraintComponent),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_graph_does_not_conform(name, data):
    breaker, path, component = BROKEN[name]
    breaker(data)
    result = validate(data)
    assert not result.conforms
    report = result.results
    components = set(report.objects(None, SH.sourceConstraintComponent))
    assert component in components, result.report
    if path is not None:
        assert path in set(report.objects(None, SH.resultPath)), result.report


def test_a_graph_breaking_the_schema_in_networkx_is_caught_by_the_shapes():
    """The exporter writes what it is given; a Method that PROPOSES is a violation of the Method shape."""
    g = graphs.hostile_graph()
    g.add_edge("method:bert", "method:bert-base", key="PROPOSES", type="PROPOSES",
               **{"paper_id": "p-plain", "sentence": 0, "start": 0, "end": 1, "evidence": "x", "rule": "r",
                  "confidence": 1.0})
    result = validate(to_rdf(g))
    assert not result.conforms
    assert "ClosedConstraintComponent" in result.report and "proposes" in result.report
