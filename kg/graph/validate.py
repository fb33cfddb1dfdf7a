"""Check a typed graph against the schema before any sink sees it.

Each broken rule raises :class:`kg.errors.SchemaError` naming the node or edge and the rule:
an undeclared or abstract label, an undeclared relationship type, an edge between labels its
type does not join, a missing required property, a property the label or type does not
declare, or a value of the wrong type.

A graph is first checked in one quick pass with the schema's rules compiled once (the
41k-abstract graph: 97k nodes, 260k edges in about a second); only a graph that fails it is
checked again node by node, in id order, to name the first thing that is wrong.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import networkx as nx

from kg.errors import SchemaError
from kg.gcpause import paused_gc
from kg.schema import Property, Schema, load_schema

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_FIX = "fix the graph builder, or declare it in schema/graph.toml"


def value_fits(prop_type: str, value) -> bool:
    """True when ``value`` is a valid value of the schema type ``prop_type``."""
    if prop_type == "string":
        return isinstance(value, str)
    if prop_type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if prop_type == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if prop_type == "boolean":
        return isinstance(value, bool)
    if prop_type == "date":
        return isinstance(value, str) and bool(_DATE.match(value))
    if prop_type.startswith("list["):
        inner = prop_type[5:-1]
        return isinstance(value, (list, tuple)) and all(value_fits(inner, v) for v in value)
    return False


def _check_properties(attrs: dict, declared: tuple[Property, ...], where: str, skip: set[str]) -> None:
    by_name = {p.name: p for p in declared}
    for prop in declared:
        if prop.required and attrs.get(prop.name) is None:
            raise SchemaError(f"required property {prop.name!r} is missing", where=where, fix=_FIX)
    for name, value in attrs.items():
        if name in skip:
            continue
        if name not in by_name:
            raise SchemaError(f"property {name!r} is not declared", where=where, fix=_FIX)
        if value is not None and not value_fits(by_name[name].type, value):
            raise SchemaError(f"property {name!r} should be {by_name[name].type}, got {value!r}",
                              where=where, fix=_FIX)


def validate_node(schema: Schema, node: str, attrs: dict) -> None:
    where = f"node {node!r}"
    label = attrs.get("label")
    if label not in schema.nodes:
        raise SchemaError(f"label {label!r} is not declared", where=where, fix=_FIX)
    if schema.nodes[label].abstract:
        raise SchemaError(f"label {label!r} is abstract; use one of its concrete labels", where=where, fix=_FIX)
    declared = schema.node_properties(label)
    _check_properties(attrs, declared, f"{where} ({label})", skip={"label"})
    key = next(p.name for p in declared if p.key)
    if attrs.get(key) != node:
        raise SchemaError(f"key property {key!r} is {attrs.get(key)!r}, not the node id", where=where, fix=_FIX)


def validate_edge(schema: Schema, graph: nx.MultiDiGraph, source: str, target: str, key, attrs: dict) -> None:
    rel_type = attrs.get("type")
    where = f"edge {source!r} -[{rel_type}]-> {target!r}"
    if rel_type not in schema.relationships:
        raise SchemaError(f"relationship type {rel_type!r} is not declared", where=where, fix=_FIX)
    rel = schema.relationships[rel_type]
    source_label, target_label = graph.nodes[source].get("label"), graph.nodes[target].get("label")
    if source_label not in rel.sources or target_label not in rel.targets:
        raise SchemaError(f"{rel_type} may join {'|'.join(rel.sources)} to {'|'.join(rel.targets)}, "
                          f"not {source_label} to {target_label}", where=where, fix=_FIX)
    _check_properties(attrs, schema.relationship_properties(rel_type), where, skip={"type"})
    expected = f"{rel_type}|{attrs.get('paper_id')}" if "paper_id" in rel.key else rel_type
    if key != expected:
        raise SchemaError(f"edge key {key!r} should be {expected!r}", where=where, fix=_FIX)


@dataclass(frozen=True)
class _Rules:
    """One label's or relationship type's properties, compiled for the quick pass."""

    names: frozenset[str]                       # attributes allowed: the declared ones and ``skip``
    required: tuple[str, ...]
    strings: tuple[str, ...]                    # declared properties by type, checked inline
    integers: tuple[str, ...]
    floats: tuple[str, ...]
    others: tuple[tuple[str, str], ...]         # (name, type) checked by value_fits
    key: str | None = None                      # nodes: the key property
    sources: frozenset[str] = frozenset()       # relationships: labels they join
    targets: frozenset[str] = frozenset()
    paper_keyed: bool = False                   # relationships: edge key is TYPE|paper_id

    def conform(self, attrs: dict) -> bool:
        """What :func:`_check_properties` checks, as a yes or no."""
        if not attrs.keys() <= self.names:
            return False
        get = attrs.get
        for name in self.required:
            if get(name) is None:
                return False
        for name in self.strings:
            value = get(name)
            if value is not None and not isinstance(value, str):
                return False
        for name in self.integers:
            value = get(name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                return False
        for name in self.floats:
            value = get(name)
            if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
                return False
        for name, prop_type in self.others:
            value = get(name)
            if value is not None and not value_fits(prop_type, value):
                return False
        return True


def _rules(declared: tuple[Property, ...], skip: str, **extra) -> _Rules:
    checked = [p for p in declared if p.name != skip]

    def typed(prop_type: str) -> tuple[str, ...]:
        return tuple(p.name for p in checked if p.type == prop_type)

    return _Rules(names=frozenset(p.name for p in declared) | {skip},
                  required=tuple(p.name for p in declared if p.required),
                  strings=typed("string"), integers=typed("integer"), floats=typed("float"),
                  others=tuple((p.name, p.type) for p in checked if p.type not in ("string", "integer", "float")),
                  **extra)


def conforms(graph: nx.MultiDiGraph, schema: Schema | None = None) -> bool:
    """True when every node and edge of ``graph`` keeps the schema (the quick pass of :func:`validate`)."""
    schema = schema or load_schema()
    nodes: dict[str, _Rules] = {}
    for label, node in schema.nodes.items():
        declared = schema.node_properties(label)
        keys = [p.name for p in declared if p.key]
        if not node.abstract and keys:
            nodes[label] = _rules(declared, "label", key=keys[0])
    edges = {rel_type: _rules(schema.relationship_properties(rel_type), "type", sources=frozenset(rel.sources),
                              targets=frozenset(rel.targets), paper_keyed="paper_id" in rel.key)
             for rel_type, rel in schema.relationships.items()}
    labels: dict[str, str] = {}
    for node, attrs in graph.nodes(data=True):
        label = attrs.get("label")
        rules = nodes.get(label)
        if rules is None or not rules.conform(attrs) or attrs.get(rules.key) != node:
            return False
        labels[node] = label
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        rel_type = attrs.get("type")
        rules = edges.get(rel_type)
        if rules is None or labels[source] not in rules.sources or labels[target] not in rules.targets \
                or not rules.conform(attrs):
            return False
        if key != (f"{rel_type}|{attrs.get('paper_id')}" if rules.paper_keyed else rel_type):
            return False
    return True


def validate(graph: nx.MultiDiGraph, schema: Schema | None = None) -> None:
    """Raise SchemaError on the first node or edge (in id order) that breaks the schema."""
    schema = schema or load_schema()
    with paused_gc():
        if conforms(graph, schema):
            return
    for node in sorted(graph.nodes):
        validate_node(schema, node, graph.nodes[node])
    for source, target, key, attrs in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        validate_edge(schema, graph, source, target, key, attrs)
