"""RDF export: every format round-trips to an isomorphic graph; hostile text survives exactly."""
from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from kg.errors import SchemaError, UsageError
from kg.rdf import FORMATS, graph_name, iter_triples, to_rdf, write_export
from kg.rdf.terms import IRIMinter, encode_id
from kg.rdf.vocab import vocabulary

_spec = importlib.util.spec_from_file_location("rdf_graphs", Path(__file__).parent / "data" / "rdf" / "graphs.py")
graphs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(graphs)

BASE = "https://example.org/kg/"
KG = vocabulary().KG


@pytest.fixture(scope="module")
def hostile():
    return graphs.hostile_graph()


@pytest.fixture(scope="module")
def reference(hostile):
    return to_rdf(hostile, BASE)


def parse_back(path: Path, fmt: str) -> Graph:
    rdflib_format = FORMATS[fmt][0]
    if fmt == "nquads":
        dataset = Dataset()
        dataset.parse(path, format=rdflib_format)
        return dataset.graph(graph_name(BASE))
    return Graph().parse(path, format=rdflib_format)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_round_trips_to_an_isomorphic_graph(fmt, hostile, reference, tmp_path):
    path = tmp_path / f"graph{FORMATS[fmt][1]}"
    info = write_export(hostile, path, format=fmt, base_iri=BASE)
    back = parse_back(path, fmt)
    assert info["triples"] == len(reference) == len(back)
    assert isomorphic(back, reference)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_hostile_text_round_trips_exactly(fmt, hostile, tmp_path):
    path = tmp_path / f"graph{FORMATS[fmt][1]}"
    write_export(hostile, path, format=fmt, base_iri=BASE)
    back = parse_back(path, fmt)
    mint = IRIMinter(BASE)
    paper = mint.node("Paper", "p-hostile/1 #x?y=z")
    assert str(back.value(paper, DCTERMS.title)) == graphs.HOSTILE_TITLE
    assert str(back.value(paper, DCTERMS.abstract)) == graphs.HOSTILE_ABSTRACT
    method = mint.node("Method", 'method:q"net')
    assert str(back.value(method, SKOS.prefLabel)) == graphs.HOSTILE_NAME
    assert {str(a) for a in back.objects(method, SKOS.altLabel)} == {"qnet\n2"}
    agent = mint.agent('ner "model" v1')
    assert str(back.value(agent, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == 'ner "model" v1'


def test_streamed_formats_write_one_valid_line_per_triple(hostile, reference, tmp_path):
    write_export(hostile, tmp_path / "g.nt", format="nt", base_iri=BASE)
    write_export(hostile, tmp_path / "g.nq", format="nquads", base_iri=BASE)
    nt_lines = (tmp_path / "g.nt").read_text(encoding="utf-8").splitlines()
    nq_lines = (tmp_path / "g.nq").read_text(encoding="utf-8").splitlines()
    assert len(nt_lines) == len(set(nt_lines)) == len(reference)
    assert all(line.endswith(f" <{graph_name(BASE)}> .") for line in nq_lines)
    for line in nt_lines:  # each line parses alone: nothing spans lines
        assert len(Graph().parse(data=line, format="nt")) == 1


def test_export_is_byte_stable(hostile, tmp_path):
    for fmt in ("nt", "turtle"):
        write_export(hostile, tmp_path / "a", format=fmt)
        write_export(graphs.hostile_graph(), tmp_path / "b", format=fmt)
        assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()


def test_literals_are_typed(reference):
    mint = IRIMinter(BASE)
    assert reference.value(mint.node("Paper", "p-hostile/1 #x?y=z"), DCTERMS.date) == Literal("2021-07", datatype=XSD.gYearMonth)
    assert reference.value(mint.node("Paper", "p-plain"), DCTERMS.date) == Literal("2020-01-31", datatype=XSD.date)
    assert reference.value(mint.node("Paper", "p-year"), DCTERMS.date) == Literal("2019", datatype=XSD.gYear)
    assert reference.value(mint.node("Paper", "p-year"), KG.year) is None  # optional: absent, not empty
    assert reference.value(mint.node("Paper", "p-hostile/1 #x?y=z"), KG.year) == Literal("2021", datatype=XSD.integer)
    number = reference.value(mint.node("Result", "result:1"), KG.number)
    assert number.datatype == XSD.decimal and number.toPython() == Decimal("93.2")
    confidences = {str(c) for c in reference.objects(None, KG.confidence)}
    assert "0.00001" in confidences and all(c.count("e") == 0 for c in confidences)


def test_every_relationship_with_provenance_is_reified_with_it(hostile, reference):
    mint = IRIMinter(BASE)
    schema = vocabulary().schema
    text_derived = [(u, v, k, d) for u, v, k, d in hostile.edges(keys=True, data=True)
                    if schema.relationship(d["type"]).provenance]
    statements = set(reference.subjects(RDF.type, RDF.Statement))
    assert len(statements) == len(text_derived)
    for u, v, key, data in text_derived:
        st = mint.statement(u, key, v)
        assert st in statements
        s, p, o = (reference.value(st, RDF.subject), reference.value(st, RDF.predicate), reference.value(st, RDF.object))
        assert (s, p, o) in reference  # the reified triple is also asserted
        assert reference.value(st, PROV.wasDerivedFrom) == mint.node("Paper", data["paper_id"])
        assert reference.value(st, PROV.wasAttributedTo) == mint.agent(data["rule"])
        assert str(reference.value(st, KG.evidence)) == data["evidence"]
        assert [reference.value(st, KG[n]).toPython() for n in ("sentenceIndex", "charStart", "charEnd")] == \
            [data["sentence"], data["start"], data["end"]]
        assert float(reference.value(st, KG.confidence).toPython()) == data["confidence"]
    # OUTPERFORMS stated by two papers: one direct triple, two statements
    pair = (mint.node("Method", "method:bert"), KG.outperforms, mint.node("Method", 'method:q"net'))
    assert pair in reference
    assert sum(1 for st in statements if reference.value(st, RDF.predicate) == KG.outperforms) == 2


def test_iris_are_percent_encoded_and_stable():
    assert encode_id("a b/c#d?e<f>\"g\u200bh") == "a%20b%2Fc%23d%3Fe%3Cf%3E%22g%E2%80%8Bh"
    mint = IRIMinter(BASE)
    assert mint.node("Paper", "x y") == URIRef(BASE + "paper/x%20y")
    assert mint.statement("a", "OUTPERFORMS|p", "b") == IRIMinter(BASE).statement("a", "OUTPERFORMS|p", "b")
    assert mint.statement("a", "OUTPERFORMS|p", "b") != mint.statement("a", "OUTPERFORMS|q", "b")


@pytest.mark.parametrize("base", ["not an iri", "https://example.org/kg", "https://example.org/k g/", "ftp://x/"])
def test_unusable_base_iri_is_a_usage_error(hostile, base, tmp_path):
    with pytest.raises(UsageError, match="base IRI"):
        write_export(hostile, tmp_path / "g.ttl", base_iri=base)


def test_graph_off_schema_is_refused_with_where(tmp_path):
    g = graphs.hostile_graph()
    g.nodes["p-plain"]["colour"] = "red"
    with pytest.raises(SchemaError, match="colour") as error:
        list(iter_triples(g))
    assert error.value.where == "node p-plain"
    g = graphs.hostile_graph()
    g.add_node("x", label="Author")
    with pytest.raises(SchemaError, match="Author"):
        list(iter_triples(g))
    g = graphs.hostile_graph()
    g.nodes["p-plain"]["date"] = "31/01/2020"
    with pytest.raises(SchemaError, match="yyyy-mm-dd"):
        list(iter_triples(g))


def test_xml_refuses_a_control_character_it_cannot_carry(tmp_path):
    g = graphs.hostile_graph()
    g.nodes["p-plain"]["title"] = "bell \x07 here"
    with pytest.raises(SchemaError, match="RDF/XML"):
        write_export(g, tmp_path / "g.rdf", format="xml")
    assert not (tmp_path / "g.rdf").exists()
    write_export(g, tmp_path / "g.nt", format="nt")  # N-Triples escapes it as \u0007
    back = Graph().parse(tmp_path / "g.nt", format="nt")
    assert "bell \x07 here" in {str(o) for o in back.objects(None, DCTERMS.title)}
