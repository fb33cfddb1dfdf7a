"""Check a typed graph against the schema before any sink sees it.

Each broken rule raises :class:`kg.errors.SchemaError` naming the node or edge and the rule:
an undeclared or abstract label, an undeclared relationship type, an edge between labels its
type does not join, a missing required property, a property the label or type does not
declare, or a value of the wrong type.
"""
from __future__ import annotations

import re

import networkx as nx

from kg.errors import SchemaError
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


def validate(graph: nx.MultiDiGraph, schema: Schema | None = None) -> None:
    """Raise SchemaError on the first node or edge (in id order) that breaks the schema."""
    schema = schema or load_schema()
    for node in sorted(graph.nodes):
        validate_node(schema, node, graph.nodes[node])
    for source, target, key, attrs in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        validate_edge(schema, graph, source, target, key, attrs)
