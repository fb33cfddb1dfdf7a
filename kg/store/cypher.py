"""Cypher text generated from the schema: constraints, indexes and the MERGE statements.

Labels, relationship types and property names cannot be Cypher parameters, so they are
interpolated — but only names the schema declares, and only after checking they are plain
identifiers. Every value a user or a paper supplies travels as a parameter.
"""
from __future__ import annotations

import re

from kg.errors import SchemaError

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def name(identifier: str, declared) -> str:
    """``identifier`` if the schema declares it and it is safe to interpolate; else SchemaError."""
    if identifier not in declared or not _IDENTIFIER.match(identifier):
        raise SchemaError(f"{identifier!r} is not a declared label, type or property", where="schema/graph.toml",
                          fix="use the names declared in the schema")
    return identifier


def key_property(schema, label: str) -> str:
    return next(p.name for p in schema.node_properties(label) if p.key)


def ancestors(schema, label: str) -> list[str]:
    """Parent labels through ``extends`` (``Method`` -> ``["Entity"]``)."""
    out = []
    node = schema.node(label)
    while node.extends:
        out.append(node.extends)
        node = schema.node(node.extends)
    return out


def fulltext_index_name(label: str, properties) -> str:
    """``Entity`` over name+aliases -> ``entity_names``; ``Paper`` over title -> ``paper_titles``."""
    return f"{label.lower()}_{properties[0]}s"


def schema_statements(schema) -> list[str]:
    """Idempotent DDL: a uniqueness constraint per label key (abstract ones too, e.g. Entity.id),
    a range index per ``index = true`` property, a full-text index per label with ``fulltext`` ones."""
    statements = []
    for label, node in schema.nodes.items():
        name(label, schema.nodes)
        own = {p.name for p in schema.node_properties(label)}
        key = name(key_property(schema, label), own)
        statements.append(f"CREATE CONSTRAINT {label.lower()}_{key}_unique IF NOT EXISTS "
                          f"FOR (n:{label}) REQUIRE n.{key} IS UNIQUE")
        for prop in node.properties:
            if prop.index and not prop.key:
                statements.append(f"CREATE INDEX {label.lower()}_{prop.name} IF NOT EXISTS "
                                  f"FOR (n:{label}) ON (n.{name(prop.name, own)})")
        fulltext = [p.name for p in node.properties if p.fulltext]
        if fulltext:
            fields = ", ".join(f"n.{name(p, own)}" for p in fulltext)
            statements.append(f"CREATE FULLTEXT INDEX {fulltext_index_name(label, fulltext)} IF NOT EXISTS "
                              f"FOR (n:{label}) ON EACH [{fields}]")
    return statements


def merge_nodes(schema, label: str) -> str:
    """MERGE on the key only, then SET the rest; entity labels also get their parent labels."""
    name(label, schema.nodes)
    key = key_property(schema, label)
    extra = "".join(f", n:{name(parent, schema.nodes)}" for parent in ancestors(schema, label))
    return (f"UNWIND $rows AS row MERGE (n:{label} {{{key}: row.key}}) "
            f"SET n += row.props{extra} RETURN count(n) AS rows")


def merge_relationships(schema, rel_type: str, source: str, target: str) -> str:
    """MATCH both ends by key, MERGE the relationship (on its schema key, e.g. paper_id), SET its properties."""
    rel = schema.relationship(rel_type)
    name(rel_type, schema.relationships)
    name(source, schema.nodes)
    name(target, schema.nodes)
    props = {p.name for p in schema.relationship_properties(rel_type)}
    keyed = ", ".join(f"{name(k, props)}: row.key.{k}" for k in rel.key)
    pattern = f"[r:{rel_type} {{{keyed}}}]" if keyed else f"[r:{rel_type}]"
    source_key = key_property(schema, source)
    target_key = key_property(schema, target)
    return (f"UNWIND $rows AS row "
            f"MATCH (a:{source} {{{source_key}: row.source}}) MATCH (b:{target} {{{target_key}: row.target}}) "
            f"MERGE (a)-{pattern}->(b) "
            f"SET r += row.props RETURN count(r) AS rows")
