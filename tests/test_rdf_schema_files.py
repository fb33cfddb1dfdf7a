"""schema/ontology.ttl and schema/shapes.ttl are generated from schema/graph.toml and are not stale."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SH

from kg.errors import SchemaError
from kg.rdf.ontology import build_ontology
from kg.rdf.schema_files import generated, schema_dir, stale_schema_files
from kg.rdf.shapes import build_shapes
from kg.rdf.vocab import Vocabulary, _config, camel, vocabulary
from kg.schema import load_schema

ROOT = Path(__file__).resolve().parents[1]


def test_committed_files_equal_the_generated_ones():
    assert stale_schema_files() == [], "run: python scripts/generate_rdf_schema.py"
    for name, text in generated().items():
        committed = Graph().parse(schema_dir() / name, format="turtle")
        assert isomorphic(committed, Graph().parse(data=text, format="turtle"))


def test_check_script_agrees_in_a_fresh_process_and_stale_files_are_found(tmp_path):
    """A fresh process generates the same bytes (no set-order or blank-node randomness)."""
    (tmp_path / "ontology.ttl").write_text("# edited by hand\n", encoding="utf-8")
    assert stale_schema_files(tmp_path) == ["ontology.ttl", "shapes.ttl"]
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_rdf_schema.py"), "--check"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_ontology_has_a_class_per_label_and_a_property_per_relationship():
    schema = load_schema()
    vocab = vocabulary()
    onto = build_ontology()
    for label, node in schema.nodes.items():
        cls = vocab.class_iri(label)
        assert (cls, RDF.type, OWL.Class) in onto
        assert onto.value(cls, RDFS.comment) is not None
        if node.extends:
            assert (cls, RDFS.subClassOf, vocab.class_iri(node.extends)) in onto
    assert (vocab.class_iri("Paper"), RDFS.subClassOf, vocab.curie("schema:ScholarlyArticle")) in onto
    for rel_type, rel in schema.relationships.items():
        prop = vocab.relationship_iri(rel_type)
        assert (prop, RDF.type, OWL.ObjectProperty) in onto
        rng = onto.value(prop, RDFS.range)
        if len(rel.targets) > 1:
            members = list(onto.items(onto.value(rng, OWL.unionOf)))
            assert members == [vocab.class_iri(t) for t in rel.targets]
        else:
            assert rng == vocab.class_iri(rel.targets[0])


def test_shapes_have_a_node_shape_per_concrete_label_with_required_properties():
    schema = load_schema()
    vocab = vocabulary()
    shapes = build_shapes()
    for label, node in schema.nodes.items():
        if node.abstract:
            continue
        shape = vocab.shape_iri(f"{label}Shape")
        assert (shape, SH.targetClass, vocab.class_iri(label)) in shapes
        required = {shapes.value(ps, SH.path) for ps in shapes.objects(shape, SH.property)
                    if shapes.value(ps, SH.minCount) is not None}
        expected = {vocab.property_map(p.name).predicate for p in schema.node_properties(label)
                    if vocab.property_map(p.name).required}
        assert required == expected


def test_a_new_schema_property_appears_in_ontology_and_shapes_without_code_changes():
    schema = load_schema()
    paper = schema.nodes["Paper"]
    extra = dataclasses.replace(paper.properties[0], name="page_count", type="integer", required=True, key=False,
                                doc="Pages.")
    nodes = dict(schema.nodes, Paper=dataclasses.replace(paper, properties=paper.properties + (extra,)))
    changed = dataclasses.replace(schema, nodes=nodes)
    vocab = Vocabulary(changed, _config())
    assert (vocab.KG[camel("page_count")], RDF.type, OWL.DatatypeProperty) in build_ontology(vocab)
    assert vocab.KG.pageCount in set(build_shapes(vocab).objects(None, SH.path))


def test_a_typo_in_a_vocabulary_term_fails():
    with pytest.raises(AttributeError):
        vocabulary().KG.Methd
    with pytest.raises(SchemaError, match="not a term"):
        vocabulary().curie("dcterms:titel")


def test_every_term_an_export_uses_is_defined_by_the_ontology_or_a_reused_vocabulary():
    import importlib.util

    spec = importlib.util.spec_from_file_location("rdf_graphs", ROOT / "tests" / "data" / "rdf" / "graphs.py")
    graphs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(graphs)
    from kg.rdf import to_rdf

    vocab = vocabulary()
    onto = build_ontology()
    data = to_rdf(graphs.hostile_graph())
    own = str(vocab.KG)
    reused = tuple(vocab.prefixes[p] for p in ("dcterms", "skos", "schema", "prov")) + (str(RDF), str(RDFS))
    for predicate in set(data.predicates()):
        if str(predicate).startswith(own):
            assert onto.value(predicate, RDF.type) in (OWL.ObjectProperty, OWL.DatatypeProperty), predicate
        else:
            assert str(predicate).startswith(reused), predicate
    for cls in set(data.objects(None, RDF.type)):
        if str(cls).startswith(own):
            assert (cls, RDF.type, OWL.Class) in onto, cls
