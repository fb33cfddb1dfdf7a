"""The OWL ontology (schema/ontology.ttl), generated from the schema and kg/rdf/vocab.toml.

Classes for every label (entity labels are subclasses of ``kg:Entity``; ``Paper`` a
subclass of ``schema:ScholarlyArticle``), an object property per relationship type
with its domain and range (``owl:unionOf`` where several labels fit), and a datatype
property per property that has no established vocabulary term. Reused terms
(``dcterms:title``, ``skos:prefLabel``, ``prov:wasDerivedFrom`` ...) are used, not redefined.
"""
from __future__ import annotations

import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from kg.rdf.vocab import Vocabulary, vocabulary

HEADER = ("# GENERATED from schema/graph.toml and kg/rdf/vocab.toml by scripts/generate_rdf_schema.py.\n"
          "# Do not edit by hand: change the schema and regenerate "
          "(tests/test_rdf_schema_files.py fails when this file is stale).\n")


def humanise(name: str) -> str:
    """``EVALUATES_ON`` / ``paper_count`` -> ``evaluates on`` / ``paper count``."""
    return name.replace("_", " ").lower()


def class_expression(graph: Graph, classes: list[URIRef]) -> URIRef | BNode:
    """One class, or an anonymous ``owl:unionOf`` class of several."""
    if len(classes) == 1:
        return classes[0]
    union = BNode()
    members = BNode()
    graph.add((union, RDF.type, OWL.Class))
    graph.add((union, OWL.unionOf, members))
    Collection(graph, members, classes)
    return union


def ontology_iri(vocab: Vocabulary) -> URIRef:
    return URIRef(str(vocab.KG).rstrip("#/"))


def property_uses(vocab: Vocabulary) -> dict[str, list[URIRef]]:
    """Property name -> the classes (and ``rdf:Statement``) that carry it, in schema order."""
    schema = vocab.schema
    uses: dict[str, list[URIRef]] = {}
    for label, node in schema.nodes.items():
        for prop in node.properties:  # own properties only: inherited ones belong to the parent class
            owner = vocab.class_iri(label)
            if owner not in uses.setdefault(prop.name, []):
                uses[prop.name].append(owner)
    for rel in schema.relationships:
        for prop in schema.relationship_properties(rel):
            if RDF.Statement not in uses.setdefault(prop.name, []):
                uses[prop.name].append(RDF.Statement)
    return uses


def build_ontology(vocab: Vocabulary | None = None) -> Graph:
    vocab = vocab or vocabulary()
    schema = vocab.schema
    g = Graph(namespace_manager=vocab.namespace_manager())
    onto = ontology_iri(vocab)
    g.add((onto, RDF.type, OWL.Ontology))
    g.add((onto, RDFS.label, Literal("kg-ml: knowledge graph of machine-learning literature", lang="en")))
    g.add((onto, RDFS.comment, Literal(
        "Papers, the methods, datasets, benchmarks, metrics and tasks they name, numeric results, and the "
        "relationships read from their abstracts. Every relationship read from text is reified as an "
        "rdf:Statement carrying its provenance (PROV-O).", lang="en")))
    g.add((onto, OWL.versionInfo, Literal(str(schema.version))))
    g.add((onto, DCTERMS.source, Literal("schema/graph.toml")))

    for label, node in schema.nodes.items():
        cls = vocab.class_iri(label)
        g.add((cls, RDF.type, OWL.Class))
        g.add((cls, RDFS.label, Literal(label, lang="en")))
        if node.doc:
            g.add((cls, RDFS.comment, Literal(node.doc, lang="en")))
        if node.extends:
            g.add((cls, RDFS.subClassOf, vocab.class_iri(node.extends)))
        if node.rdf_class:
            g.add((cls, RDFS.subClassOf, vocab.curie(node.rdf_class)))
        g.add((cls, RDFS.isDefinedBy, onto))

    for rel_type, rel in schema.relationships.items():
        prop = vocab.relationship_iri(rel_type)
        g.add((prop, RDF.type, OWL.ObjectProperty))
        g.add((prop, RDFS.label, Literal(humanise(rel_type), lang="en")))
        g.add((prop, RDFS.comment, Literal(f"{rel.doc} Neo4j relationship type {rel_type}.".strip(), lang="en")))
        g.add((prop, RDFS.domain, class_expression(g, [vocab.class_iri(s) for s in rel.sources])))
        g.add((prop, RDFS.range, class_expression(g, [vocab.class_iri(t) for t in rel.targets])))
        g.add((prop, RDFS.isDefinedBy, onto))

    docs = _docs(vocab)
    for name, owners in property_uses(vocab).items():
        pmap = vocab.property_map(name)
        if pmap.omit or not str(pmap.predicate).startswith(str(vocab.KG)):
            continue  # reused vocabulary terms are defined by their own vocabularies
        p = pmap.predicate
        g.add((p, RDF.type, OWL.DatatypeProperty if pmap.is_literal else OWL.ObjectProperty))
        local = str(p)[len(str(vocab.KG)):]
        g.add((p, RDFS.label, Literal(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower(), lang="en")))
        comment = f"{docs.get(name, '')} Schema property {name}.".strip()
        g.add((p, RDFS.comment, Literal(comment, lang="en")))
        g.add((p, RDFS.domain, class_expression(g, owners)))
        if pmap.is_literal:
            g.add((p, RDFS.range, pmap.datatypes[0]))
        elif pmap.refers_to:
            g.add((p, RDFS.range, vocab.class_iri(pmap.refers_to)))
        g.add((p, RDFS.isDefinedBy, onto))
    return g


def _docs(vocab: Vocabulary) -> dict[str, str]:
    """The first non-empty doc string the schema gives each property name."""
    schema = vocab.schema
    props = [p for label in schema.nodes for p in schema.node_properties(label)]
    props += [p for rel in schema.relationships for p in schema.relationship_properties(rel)]
    docs: dict[str, str] = {}
    for prop in props:
        if prop.doc and not docs.get(prop.name):
            docs[prop.name] = prop.doc
    return docs


def canonical_turtle(graph: Graph, vocab: Vocabulary | None = None) -> str:
    """Byte-stable Turtle: blank nodes relabelled canonically, then rdflib's sorted ``longturtle``."""
    stable = to_canonical_graph(graph)
    stable.namespace_manager = (vocab or vocabulary()).namespace_manager()
    return HEADER + stable.serialize(format="longturtle")


def ontology_turtle(vocab: Vocabulary | None = None) -> str:
    """The ontology as the exact text committed in schema/ontology.ttl."""
    return canonical_turtle(build_ontology(vocab), vocab)
