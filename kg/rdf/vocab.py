"""The RDF vocabulary of the graph: schema/graph.toml read through kg/rdf/vocab.toml.

One object answers "which class, which property, which datatype" for the exporter,
the ontology generator and the shapes generator, so they cannot drift apart.
The project's own terms form a ``ClosedNamespace`` built from the schema: asking for a
term the schema does not define (a typo, a removed property) raises at once.

>>> v = vocabulary()
>>> v.class_iri("Method").n3(v.namespace_manager())
'kg:Method'
>>> v.relationship_iri("EVALUATES_ON").n3(v.namespace_manager())
'kg:evaluatesOn'
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterator

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SH, SKOS, XSD, ClosedNamespace, NamespaceManager

from kg.errors import SchemaError
from kg.schema import Property, Schema, load_schema

VOCAB_FILE = "kg/rdf/vocab.toml"

# Typed namespaces of the reused vocabularies (rdflib's DefinedNamespaces: a typo fails).
REUSED = {"dcterms": DCTERMS, "skos": SKOS, "schema": SDO, "prov": PROV, "xsd": XSD,
          "rdf": RDF, "rdfs": RDFS, "owl": OWL, "sh": SH}


def camel(name: str) -> str:
    """``EVALUATES_ON`` / ``paper_count`` -> ``evaluatesOn`` / ``paperCount``."""
    head, *rest = name.lower().split("_")
    return head + "".join(part.capitalize() for part in rest)


@dataclass(frozen=True)
class PropertyMap:
    """How one schema property is written: predicate, kind of object, datatype(s)."""

    prop: Property
    predicate: URIRef
    datatypes: tuple[URIRef, ...] = ()   # literal values: allowed datatypes (first = default)
    refers_to: str | None = None         # values are ids of nodes with this label
    agent: bool = False                  # values name a prov:SoftwareAgent
    not_equal: str | None = None         # list values equal to this property are skipped
    omit: bool = False

    @property
    def is_list(self) -> bool:
        return self.prop.type.startswith("list[")

    @property
    def required(self) -> bool:
        """Required in RDF: required in the schema and not thinned out by ``not_equal``."""
        return self.prop.required and not self.not_equal and not self.omit

    @property
    def is_literal(self) -> bool:
        return not (self.refers_to or self.agent)


class Vocabulary:
    """The schema's RDF names. Build with :func:`vocabulary`."""

    def __init__(self, schema: Schema, config: dict):
        self.schema = schema
        self.config = config
        self.prefixes: dict[str, str] = dict(config["prefixes"])
        self.default_base_iri: str = config["default_base_iri"]
        self.graph_name: str = config["graph_name"]
        self._maps: dict[str, PropertyMap] = {}
        terms = [label for label in schema.nodes]
        terms += [camel(rel) for rel in schema.relationships]
        props = {p.name: p for label in schema.nodes for p in schema.node_properties(label)}
        props.update({p.name: p for rel in schema.relationships for p in schema.relationship_properties(rel)})
        specs = config.get("properties", {})
        for name, spec in specs.items():
            if name not in props:
                raise SchemaError(f"vocab.toml maps property {name!r}, which the schema does not declare",
                                  where=VOCAB_FILE, fix="remove the entry or declare the property in schema/graph.toml")
        local = []
        for name, prop in props.items():
            predicate = specs.get(name, {}).get("predicate", f"kg:{camel(name)}")
            if predicate.startswith("kg:") and not specs.get(name, {}).get("omit"):
                local.append(predicate[3:])
        self.KG = ClosedNamespace(config["vocabulary"], sorted(set(terms + local)))
        self.KGSH = ClosedNamespace(config["shapes"], sorted(
            [f"{label}Shape" for label in schema.nodes] + ["StatementShape", "AgentShape"]))
        for name, prop in props.items():
            self._maps[name] = self._property_map(prop, specs.get(name, {}))

    # -------------------------------------------------------------- names
    def curie(self, text: str) -> URIRef:
        """``"dcterms:title"`` -> the typed term; unknown prefixes and terms raise."""
        prefix, _, local = text.partition(":")
        namespace = self.KG if prefix == "kg" else REUSED.get(prefix)
        if namespace is None:
            raise SchemaError(f"unknown prefix in {text!r}", where=VOCAB_FILE, fix=f"use one of kg, {', '.join(REUSED)}")
        try:
            return namespace[local]
        except (AttributeError, KeyError) as error:
            raise SchemaError(f"{text!r} is not a term of its vocabulary ({error})", where=VOCAB_FILE,
                              fix="check the spelling against the vocabulary") from None

    def class_iri(self, label: str) -> URIRef:
        self.schema.node(label)
        return self.KG[label]

    def classes_of(self, label: str) -> list[URIRef]:
        """Every class a node with ``label`` is typed with: own, inherited and ``rdf_class``."""
        node = self.schema.node(label)
        out = [self.class_iri(label)]
        if node.rdf_class:
            out.append(self.curie(node.rdf_class))
        if node.extends:
            out += self.classes_of(node.extends)
        return out

    def relationship_iri(self, rel_type: str) -> URIRef:
        self.schema.relationship(rel_type)
        return self.KG[camel(rel_type)]

    def shape_iri(self, name: str) -> URIRef:
        return self.KGSH[name]

    def property_map(self, name: str) -> PropertyMap:
        try:
            return self._maps[name]
        except KeyError:
            raise SchemaError(f"property {name!r} is not declared", where="schema/graph.toml",
                              fix="declare it in the schema, or drop it from the graph") from None

    def written_values(self, attrs: dict, allowed, where) -> Iterator[tuple[str, PropertyMap, list]]:
        """The properties of a node or relationship that the RDF form writes, in name order, as
        ``(name, map, values)``: the label and type are left out (they are its class and
        predicate), so are empty, omitted and ``not_equal``-to-another-property values. An
        undeclared property or a list property that is not a list is a SchemaError naming
        ``where()``. Both the rdflib path and the line writer follow these rules from here."""
        for name in sorted(attrs):
            if name == "label" or (name == "type" and name not in allowed):
                continue
            if name not in allowed:
                raise SchemaError(f"property {name!r} is not declared for this node or relationship", where=where(),
                                  fix="declare it in schema/graph.toml or drop it from the graph")
            value = attrs[name]
            if value is None:
                continue
            pmap = self.property_map(name)
            if pmap.omit:
                continue
            if pmap.is_list and not isinstance(value, (list, tuple)):
                raise SchemaError(f"property {name!r} should be a list, not {value!r}", where=where(),
                                  fix="store list properties as lists")
            values = value if pmap.is_list else (value,)
            skip = attrs.get(pmap.not_equal) if pmap.not_equal else None
            yield name, pmap, values if skip is None else [item for item in values if item != skip]

    def namespace_manager(self) -> NamespaceManager:
        manager = NamespaceManager(Graph(), bind_namespaces="none")
        for prefix in ("rdf", "rdfs", "owl", "xsd", "sh"):
            manager.bind(prefix, REUSED[prefix])
        for prefix, iri in self.prefixes.items():
            manager.bind(prefix, iri)
        return manager

    # -------------------------------------------------------------- mapping
    def _property_map(self, prop: Property, spec: dict) -> PropertyMap:
        if spec.get("omit"):
            return PropertyMap(prop, URIRef(""), omit=True)
        predicate = self.curie(spec.get("predicate", f"kg:{camel(prop.name)}"))
        if spec.get("refers_to") or spec.get("agent"):
            return PropertyMap(prop, predicate, refers_to=spec.get("refers_to"), agent=bool(spec.get("agent")))
        base_type = re.sub(r"^list\[(.*)\]$", r"\1", prop.type)
        names = spec.get("datatype") or self.config["datatypes"][base_type]
        names = [names] if isinstance(names, str) else names
        return PropertyMap(prop, predicate, datatypes=tuple(self.curie(n) for n in names),
                           not_equal=spec.get("not_equal"))


@lru_cache(maxsize=1)
def _config() -> dict:
    text = resources.files("kg.rdf").joinpath("vocab.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def _default_vocabulary() -> Vocabulary:
    return Vocabulary(load_schema(), _config())


def vocabulary(schema: Schema | None = None) -> Vocabulary:
    """The vocabulary of ``schema`` (default: the packaged schema, built once)."""
    return _default_vocabulary() if schema is None else Vocabulary(schema, _config())
