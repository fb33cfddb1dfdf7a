"""The typed graph as a stream of RDF triples, one node or relationship at a time.

Nothing here holds more than one node's or one relationship's triples, so the
streaming writers (N-Triples, N-Quads) use no memory beyond the graph itself.

- a node becomes ``<{base}{label}/{id}>`` typed with its class, the parent class
  (``kg:Entity``) and the schema's ``rdf_class`` (``schema:ScholarlyArticle``);
- a relationship becomes the direct triple ``<source> kg:<type> <target>`` and, when it
  has properties (every relationship read from text has provenance), an
  ``rdf:Statement`` that reifies that triple and carries them: ``prov:wasDerivedFrom``
  the paper, ``prov:wasAttributedTo`` the rule or model, evidence, sentence, char span,
  confidence.
"""
from __future__ import annotations

from typing import Iterator

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from kg.errors import SchemaError
from kg.rdf.terms import IRIMinter, typed_literal
from kg.rdf.vocab import PropertyMap, Vocabulary, vocabulary

Triple = tuple[URIRef, URIRef, URIRef | Literal]


class TripleWriter:
    """Turns nodes and relationships of one graph into triples under one base IRI."""

    def __init__(self, graph: nx.MultiDiGraph, base_iri: str, vocab: Vocabulary | None = None):
        self.graph = graph
        self.vocab = vocab or vocabulary()
        self.mint = IRIMinter(base_iri)
        self._agents: set[str] = set()

    def node_iri(self, node_id: str, expect: str | None = None) -> URIRef:
        """The IRI of the node ``node_id``; its label comes from the graph (or ``expect``)."""
        if node_id in self.graph:
            label = self.graph.nodes[node_id].get("label")
        elif expect and not self.vocab.schema.node(expect).abstract:
            label = expect
        else:
            raise SchemaError(f"reference to node {node_id!r}, which is not in the graph",
                              where=f"node {node_id}", fix="rebuild the graph so that every referenced node exists")
        return self.mint.node(label, node_id)

    # -------------------------------------------------------------- nodes
    def node_triples(self, node_id: str, attrs: dict) -> Iterator[Triple]:
        label = attrs.get("label")
        if label not in self.vocab.schema.nodes or self.vocab.schema.nodes[label].abstract:
            raise SchemaError(f"node has label {label!r}, which is not a concrete schema label",
                              where=f"node {node_id}", fix="label nodes with a label declared in schema/graph.toml")
        subject = self.mint.node(label, node_id)
        for cls in self.vocab.classes_of(label):
            yield subject, RDF.type, cls
        declared = self.vocab.schema.node_properties(label)
        key = next(p.name for p in declared if p.key)
        # networkx holds the key property as the node id, not as an attribute
        yield from self._properties(subject, {key: node_id, **attrs}, {p.name for p in declared}, f"node {node_id}")

    # -------------------------------------------------------------- relationships
    def edge_triples(self, source: str, target: str, key: str, attrs: dict,
                     direct: bool = True) -> Iterator[Triple]:
        """Triples of one relationship; ``direct=False`` skips the direct triple (already written)."""
        rel_type = attrs.get("type")
        where = f"relationship {source} -[{key}]-> {target}"
        if rel_type not in self.vocab.schema.relationships:
            raise SchemaError(f"relationship type {rel_type!r} is not declared", where=where,
                              fix="use a relationship type declared in schema/graph.toml")
        subject = self.node_iri(source)
        predicate = self.vocab.relationship_iri(rel_type)
        obj = self.node_iri(target)
        if direct:
            yield subject, predicate, obj
        declared = self.vocab.schema.relationship_properties(rel_type)
        if not declared:
            extra = set(attrs) - {"type"}
            if extra:
                raise SchemaError(f"{rel_type} declares no properties but carries {sorted(extra)}", where=where,
                                  fix="declare them in schema/graph.toml or drop them")
            return
        statement = self.mint.statement(source, str(key), target)
        yield statement, RDF.type, RDF.Statement
        yield statement, RDF.subject, subject
        yield statement, RDF.predicate, predicate
        yield statement, RDF.object, obj
        yield from self._properties(statement, attrs, {p.name for p in declared}, where)

    # -------------------------------------------------------------- properties
    def _properties(self, subject: URIRef, attrs: dict, allowed: set[str], where: str) -> Iterator[Triple]:
        for name, pmap, values in self.vocab.written_values(attrs, allowed, lambda: where):
            for item in values:
                try:
                    yield from self._value(subject, pmap, item)
                except SchemaError as error:
                    raise SchemaError(f"property {name!r}: {error.what}", where=where, fix=error.fix) from None

    def _value(self, subject: URIRef, pmap: PropertyMap, value) -> Iterator[Triple]:
        if pmap.agent:
            agent = self.mint.agent(str(value))
            if value not in self._agents:
                self._agents.add(value)
                yield agent, RDF.type, PROV.SoftwareAgent
                yield agent, RDFS.label, Literal(str(value))
            yield subject, pmap.predicate, agent
        elif pmap.refers_to:
            yield subject, pmap.predicate, self.node_iri(str(value), expect=pmap.refers_to)
        else:
            literal = typed_literal(value, pmap.datatypes)
            if literal is not None:
                yield subject, pmap.predicate, literal


def iter_triples(graph: nx.MultiDiGraph, base_iri: str | None = None,
                 vocab: Vocabulary | None = None) -> Iterator[Triple]:
    """Every triple of ``graph``'s RDF form, nodes first, in a stable order.

    A direct triple shared by several relationships (one ``OUTPERFORMS`` per stating
    paper) is written once; each relationship still gets its own statement.
    """
    vocab = vocab or vocabulary()
    writer = TripleWriter(graph, base_iri or vocab.default_base_iri, vocab)
    nodes = sorted(graph.nodes)
    for node_id in nodes:
        yield from writer.node_triples(node_id, graph.nodes[node_id])
    for source in nodes:
        last = None
        edges = sorted(graph.out_edges(source, keys=True, data=True), key=lambda e: (e[1], str(e[2])))
        for _, target, key, attrs in edges:
            direct = (target, attrs.get("type"))
            yield from writer.edge_triples(source, target, str(key), attrs, direct=direct != last)
            last = direct
