"""SHACL shapes (schema/shapes.ttl), generated from the schema and kg/rdf/vocab.toml.

- one closed node shape per concrete label: each property with its datatype (or class,
  for references), ``sh:minCount 1`` when required, ``sh:maxCount 1`` unless a list,
  and each outgoing relationship with the class(es) its targets must have;
- one shape for ``rdf:Statement`` (the reified relationships): subject, predicate and
  object exactly once, every statement property typed, and, per relationship type,
  "if the predicate is this type then its required properties are present";
- one shape for ``prov:SoftwareAgent`` (the rules and models that produced statements).
"""
from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import PROV, RDF, RDFS, SH, XSD

from kg.rdf.ontology import canonical_turtle
from kg.rdf.vocab import PropertyMap, Vocabulary, vocabulary


def _list(g: Graph, items: list) -> BNode:
    head = BNode()
    Collection(g, head, items)
    return head


def _one_of(g: Graph, key: URIRef, values: list[URIRef]) -> tuple[URIRef, URIRef | BNode]:
    """``sh:class C`` for one value, else ``sh:or ([sh:class A] [sh:class B])``."""
    if len(values) == 1:
        return key, values[0]
    alternatives = []
    for value in values:
        alt = BNode()
        g.add((alt, key, value))
        alternatives.append(alt)
    return SH["or"], _list(g, alternatives)


def _property_shape(g: Graph, vocab: Vocabulary, pmap: PropertyMap, required: bool | None = None) -> BNode:
    shape = BNode()
    g.add((shape, SH.path, pmap.predicate))
    if pmap.agent:
        g.add((shape, SH["class"], PROV.SoftwareAgent))
        g.add((shape, SH.nodeKind, SH.IRI))
    elif pmap.refers_to:
        g.add((shape, SH["class"], vocab.class_iri(pmap.refers_to)))
        g.add((shape, SH.nodeKind, SH.IRI))
    else:
        g.add((shape, *_one_of(g, SH.datatype, list(pmap.datatypes))))
    if pmap.required if required is None else required:
        g.add((shape, SH.minCount, Literal(1)))
    if not pmap.is_list:
        g.add((shape, SH.maxCount, Literal(1)))
    if pmap.prop.doc:
        g.add((shape, SH.description, Literal(pmap.prop.doc)))
    return shape


def build_shapes(vocab: Vocabulary | None = None) -> Graph:
    vocab = vocab or vocabulary()
    schema = vocab.schema
    g = Graph(namespace_manager=vocab.namespace_manager())

    for label, node in schema.nodes.items():
        if node.abstract:
            continue
        shape = vocab.shape_iri(f"{label}Shape")
        g.add((shape, RDF.type, SH.NodeShape))
        g.add((shape, SH.targetClass, vocab.class_iri(label)))
        g.add((shape, RDFS.comment, Literal(f"Every {label} node. {node.doc}".strip())))
        g.add((shape, SH.closed, Literal(True)))
        g.add((shape, SH.ignoredProperties, _list(g, [RDF.type])))
        for prop in schema.node_properties(label):
            pmap = vocab.property_map(prop.name)
            if not pmap.omit:
                g.add((shape, SH.property, _property_shape(g, vocab, pmap)))
        for rel_type, rel in schema.relationships.items():
            if label not in rel.sources:
                continue
            rel_shape = BNode()
            g.add((rel_shape, SH.path, vocab.relationship_iri(rel_type)))
            g.add((rel_shape, SH.nodeKind, SH.IRI))
            g.add((rel_shape, *_one_of(g, SH["class"], [vocab.class_iri(t) for t in rel.targets])))
            g.add((shape, SH.property, rel_shape))

    _statement_shape(g, vocab)

    agent = vocab.shape_iri("AgentShape")
    g.add((agent, RDF.type, SH.NodeShape))
    g.add((agent, SH.targetClass, PROV.SoftwareAgent))
    g.add((agent, RDFS.comment, Literal("A rule, component or model that produced statements; its label is its name.")))
    label_shape = BNode()
    g.add((label_shape, SH.path, RDFS.label))
    g.add((label_shape, SH.datatype, XSD.string))
    g.add((label_shape, SH.minCount, Literal(1)))
    g.add((label_shape, SH.maxCount, Literal(1)))
    g.add((agent, SH.property, label_shape))
    return g


def _statement_shape(g: Graph, vocab: Vocabulary) -> None:
    schema = vocab.schema
    shape = vocab.shape_iri("StatementShape")
    g.add((shape, RDF.type, SH.NodeShape))
    g.add((shape, SH.targetClass, RDF.Statement))
    g.add((shape, RDFS.comment, Literal("A relationship that has properties (all read from text do: provenance), "
                                        "reified: it names the direct triple and carries the properties.")))
    g.add((shape, SH.closed, Literal(True)))
    g.add((shape, SH.ignoredProperties, _list(g, [RDF.type])))
    reified = [rel for rel in schema.relationships if schema.relationship_properties(rel)]
    for part in (RDF.subject, RDF.predicate, RDF.object):
        part_shape = BNode()
        g.add((part_shape, SH.path, part))
        g.add((part_shape, SH.nodeKind, SH.IRI))
        g.add((part_shape, SH.minCount, Literal(1)))
        g.add((part_shape, SH.maxCount, Literal(1)))
        if part == RDF.predicate:
            g.add((part_shape, SH["in"], _list(g, [vocab.relationship_iri(r) for r in reified])))
        g.add((shape, SH.property, part_shape))
    seen: set[str] = set()
    for rel in reified:
        for prop in schema.relationship_properties(rel):
            if prop.name not in seen:
                seen.add(prop.name)
                g.add((shape, SH.property, _property_shape(g, vocab, vocab.property_map(prop.name), required=False)))
    for rel in reified:
        required = [p for p in schema.relationship_properties(rel) if vocab.property_map(p.name).required]
        if not required:
            continue
        # "predicate is not this type, or the required properties are there"
        other_type = BNode()
        g.add((other_type, SH.path, RDF.predicate))
        g.add((other_type, SH.hasValue, vocab.relationship_iri(rel)))
        not_this = BNode()
        g.add((not_this, SH["not"], other_type))
        complete = BNode()
        for prop in required:
            needed = BNode()
            g.add((needed, SH.path, vocab.property_map(prop.name).predicate))
            g.add((needed, SH.minCount, Literal(1)))
            g.add((complete, SH.property, needed))
        g.add((shape, SH["or"], _list(g, [not_this, complete])))


def shapes_turtle(vocab: Vocabulary | None = None) -> str:
    """The shapes as the exact text committed in schema/shapes.ttl."""
    return canonical_turtle(build_shapes(vocab), vocab)
