"""The graph schema, read from ``graph.toml`` beside this file.

Code asks this module for labels, relationship types and properties instead of
spelling them itself; constraints, the ontology and the shapes are generated from it.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from kg.errors import SchemaError

ENTITY_TYPES = ("method", "dataset", "benchmark", "metric", "task")
SCALAR_TYPES = {"string", "integer", "float", "boolean", "date"}
LIST_TYPES = {"list[string]", "list[integer]"}


@dataclass(frozen=True)
class Property:
    name: str
    type: str
    required: bool = False
    key: bool = False
    index: bool = False
    fulltext: bool = False
    doc: str = ""


@dataclass(frozen=True)
class NodeLabel:
    name: str
    doc: str
    properties: tuple[Property, ...]
    extends: str | None = None
    abstract: bool = False
    rdf_class: str | None = None

    @property
    def key(self) -> Property:
        return next(p for p in self.properties if p.key)


@dataclass(frozen=True)
class RelationshipType:
    name: str
    doc: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    properties: tuple[Property, ...]
    provenance: bool
    key: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schema:
    version: int
    nodes: dict[str, NodeLabel]
    relationships: dict[str, RelationshipType]

    @property
    def entity_labels(self) -> tuple[str, ...]:
        """Concrete entity labels (Method, Dataset, ...), in schema order."""
        return tuple(n.name for n in self.nodes.values() if n.extends == "Entity")

    def label_for_type(self, entity_type: str) -> str:
        """``"method"`` -> ``"Method"``."""
        label = entity_type.capitalize()
        if label not in self.entity_labels:
            raise SchemaError(f"unknown entity type {entity_type!r}", fix=f"use one of {', '.join(ENTITY_TYPES)}")
        return label

    def node(self, label: str) -> NodeLabel:
        try:
            return self.nodes[label]
        except KeyError:
            raise SchemaError(f"label {label!r} is not declared", where="schema/graph.toml",
                              fix="declare it under [nodes] or use a declared label") from None

    def relationship(self, rel_type: str) -> RelationshipType:
        try:
            return self.relationships[rel_type]
        except KeyError:
            raise SchemaError(f"relationship type {rel_type!r} is not declared", where="schema/graph.toml",
                              fix="declare it under [relationships] or use a declared type") from None

    def node_properties(self, label: str) -> tuple[Property, ...]:
        """Own properties plus those inherited through ``extends``."""
        node = self.node(label)
        inherited = self.node_properties(node.extends) if node.extends else ()
        return inherited + node.properties

    def relationship_properties(self, rel_type: str) -> tuple[Property, ...]:
        rel = self.relationship(rel_type)
        return (self.provenance if rel.provenance else ()) + rel.properties

    provenance: tuple[Property, ...] = ()


def _properties(table: dict, where: str) -> tuple[Property, ...]:
    out = []
    for name, spec in table.items():
        if spec.get("type") not in SCALAR_TYPES | LIST_TYPES:
            raise SchemaError(f"property {name!r} has unknown type {spec.get('type')!r}", where=where,
                              fix=f"use one of {sorted(SCALAR_TYPES | LIST_TYPES)}")
        out.append(Property(name=name, **spec))
    return tuple(out)


def parse_schema(data: dict, where: str = "schema/graph.toml") -> Schema:
    """Build a :class:`Schema` from the parsed TOML, checking that every reference resolves."""
    nodes = {}
    for name, spec in data.get("nodes", {}).items():
        nodes[name] = NodeLabel(
            name=name,
            doc=spec.get("doc", ""),
            properties=_properties(spec.get("properties", {}), f"{where} [nodes.{name}]"),
            extends=spec.get("extends"),
            abstract=spec.get("abstract", False),
            rdf_class=spec.get("rdf_class"),
        )
    for node in nodes.values():
        if node.extends and node.extends not in nodes:
            raise SchemaError(f"{node.name} extends undeclared label {node.extends!r}", where=where,
                              fix="declare the parent label")
    rels = {}
    for name, spec in data.get("relationships", {}).items():
        for end in spec["from"] + spec["to"]:
            if end not in nodes:
                raise SchemaError(f"relationship {name} joins undeclared label {end!r}", where=where,
                                  fix="declare the label under [nodes]")
        rels[name] = RelationshipType(
            name=name,
            doc=spec.get("doc", ""),
            sources=tuple(spec["from"]),
            targets=tuple(spec["to"]),
            properties=_properties(spec.get("properties", {}), f"{where} [relationships.{name}]"),
            provenance=spec.get("provenance", False),
            key=tuple(spec.get("key", ())),
        )
    schema = Schema(version=data["version"], nodes=nodes, relationships=rels,
                    provenance=_properties(data.get("provenance", {}), f"{where} [provenance]"))
    for node in nodes.values():
        if not node.abstract and not any(p.key for p in schema.node_properties(node.name)):
            raise SchemaError(f"label {node.name} has no key property", where=where, fix="mark one with key = true")
    return schema


@lru_cache(maxsize=1)
def load_schema() -> Schema:
    """The packaged schema (works from a checkout and from an installed wheel)."""
    text = resources.files(__name__).joinpath("graph.toml").read_text(encoding="utf-8")
    return parse_schema(tomllib.loads(text))
