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


PAPER_LABEL = "Paper"
OWNER_PROPERTY = "paper_id"
DIGEST_PROPERTY = "_kg_digest"  # the store's own bookkeeping on Paper nodes: not a schema property


def owned_labels(schema) -> list[str]:
    """Labels whose nodes belong to one paper through ``paper_id`` (Result): replaced with it."""
    return [label for label, node in schema.nodes.items()
            if label != PAPER_LABEL and not node.abstract
            and any(p.name == OWNER_PROPERTY for p in schema.node_properties(label))]


def owned_types(schema) -> list[str]:
    """Relationship types one per stating paper that do not start at the paper (OUTPERFORMS):
    found by their ``paper_id`` when the paper is replaced."""
    return [rel_type for rel_type, rel in schema.relationships.items()
            if OWNER_PROPERTY in rel.key and PAPER_LABEL not in rel.sources]


def shared_types(schema) -> list[str]:
    """Relationship types no paper owns (VARIANT_OF): links between entities, decided by the corpus."""
    owned = set(owned_labels(schema)) | {PAPER_LABEL}
    return [rel_type for rel_type, rel in schema.relationships.items()
            if OWNER_PROPERTY not in rel.key and not owned & (set(rel.sources) | set(rel.targets))]


def links(schema, rel_type: str) -> str:
    """Every relationship of a shared type, by its ends' ids (a few hundred: VARIANT_OF)."""
    return (f"MATCH (a)-[r:{name(rel_type, schema.relationships)}]->(b) "
            f"RETURN a.id AS source, b.id AS target, elementId(r) AS rid")


def delete_by_element_id() -> str:
    return "UNWIND $rids AS rid MATCH ()-[r]->() WHERE elementId(r) = rid DELETE r"


def key_constraints(schema) -> dict[str, tuple[str, str]]:
    """The uniqueness constraint of each label key, by name: ``{name: (label, key)}``."""
    constraints = {}
    for label in schema.nodes:
        name(label, schema.nodes)
        own = {p.name for p in schema.node_properties(label)}
        key = name(key_property(schema, label), own)
        constraints[f"{label.lower()}_{key}_unique"] = (label, key)
    return constraints


def schema_statements(schema) -> list[str]:
    """Idempotent DDL: a uniqueness constraint per label key (abstract ones too, e.g. Entity.id),
    a range index per ``index = true`` property, a full-text index per label with ``fulltext`` ones,
    and the indexes that find what a paper owns by ``paper_id`` (for replacing a paper)."""
    statements = [f"CREATE CONSTRAINT {constraint} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
                  for constraint, (label, key) in key_constraints(schema).items()]
    for label, node in schema.nodes.items():
        own = {p.name for p in schema.node_properties(label)}
        for prop in node.properties:
            if prop.index and not prop.key:
                statements.append(f"CREATE INDEX {label.lower()}_{prop.name} IF NOT EXISTS "
                                  f"FOR (n:{label}) ON (n.{name(prop.name, own)})")
        fulltext = [p.name for p in node.properties if p.fulltext]
        if fulltext:
            fields = ", ".join(f"n.{name(p, own)}" for p in fulltext)
            statements.append(f"CREATE FULLTEXT INDEX {fulltext_index_name(label, fulltext)} IF NOT EXISTS "
                              f"FOR (n:{label}) ON EACH [{fields}]")
    for label in owned_labels(schema):
        if not any(p.name == OWNER_PROPERTY and p.index for p in schema.node_properties(label)):
            statements.append(f"CREATE INDEX {label.lower()}_{OWNER_PROPERTY} IF NOT EXISTS "
                              f"FOR (n:{name(label, schema.nodes)}) ON (n.{OWNER_PROPERTY})")
    for rel_type in owned_types(schema):
        statements.append(f"CREATE INDEX {rel_type.lower()}_{OWNER_PROPERTY} IF NOT EXISTS "
                          f"FOR ()-[r:{name(rel_type, schema.relationships)}]-() ON (r.{OWNER_PROPERTY})")
    return statements


def merge_nodes(schema, label: str, replace: bool = False) -> str:
    """MERGE on the key only, then SET the rest; entity labels also get their parent labels.
    ``replace`` sets the properties whole (a paper's own nodes: no stale property stays)
    instead of adding to them (shared entities)."""
    name(label, schema.nodes)
    key = key_property(schema, label)
    extra = "".join(f", n:{name(parent, schema.nodes)}" for parent in ancestors(schema, label))
    operator = "=" if replace else "+="
    return (f"UNWIND $rows AS row MERGE (n:{label} {{{key}: row.key}}) "
            f"SET n {operator} row.props{extra} RETURN collect(row.key) AS keys, collect(elementId(n)) AS eids")


def existing_keys(schema, label: str) -> str:
    """Which of ``$keys`` already have a ``label`` node, with its element id (a read: no locks)."""
    name(label, schema.nodes)
    key = key_property(schema, label)
    return f"UNWIND $keys AS k MATCH (n:{label} {{{key}: k}}) RETURN collect(k) AS keys, collect(elementId(n)) AS eids"


def created_properties(schema, label: str) -> list[str]:
    """The properties :func:`create_nodes` takes from a row, in row order after the key."""
    key = key_property(schema, label)
    declared = {p.name for p in schema.node_properties(label)}
    props = [name(p, declared) for p in sorted(declared) if p != key]
    return props + [DIGEST_PROPERTY] if label == PAPER_LABEL else props


def create_nodes(schema, label: str) -> str:
    """CREATE nodes the writer knows are absent (no MERGE: no locking index seek per row).
    Rows are lists: the key, then :func:`created_properties` in order (a null is left unset); lists
    pack and unpack faster than maps, whose keys would travel with every row. A paper node also
    gets the store's digest of what it owns."""
    name(label, schema.nodes)
    key = key_property(schema, label)
    labels = "".join(f":{name(parent, schema.nodes)}" for parent in [label, *ancestors(schema, label)])
    fields = ", ".join([f"{key}: row[0]"] + [f"{prop}: row[{i}]"
                                             for i, prop in enumerate(created_properties(schema, label), 1)])
    return f"UNWIND $rows AS row CREATE (n{labels} {{{fields}}}) RETURN collect(row[0]) AS keys, collect(elementId(n)) AS eids"


def paper_digests() -> str:
    """Which of ``$ids`` are in Neo4j, and the digest (property ``$digest``) each was last written
    with. The property is named by a parameter: on a database where no paper has one yet, a
    literal name would make the server warn that the property key does not exist."""
    return (f"UNWIND $ids AS id MATCH (p:{PAPER_LABEL} {{id: id}}) "
            f"RETURN p.id AS id, p[$digest] AS digest")


def delete_owned(schema) -> list[str]:
    """Statements that remove what papers ``$ids`` own, leaving the paper nodes: their outgoing
    relationships, their owned nodes (with those nodes' relationships), owned relationships elsewhere."""
    statements = [f"UNWIND $ids AS id MATCH (:{PAPER_LABEL} {{id: id}})-[r]->() DELETE r"]
    statements += [f"UNWIND $ids AS id MATCH (n:{label} {{{OWNER_PROPERTY}: id}}) DETACH DELETE n"
                   for label in owned_labels(schema)]
    statements += [f"UNWIND $ids AS id MATCH ()-[r:{rel_type} {{{OWNER_PROPERTY}: id}}]->() DELETE r"
                   for rel_type in owned_types(schema)]
    return statements


def delete_papers() -> str:
    """Delete the paper nodes ``$ids`` (after :func:`delete_owned` took what they owned)."""
    return f"UNWIND $ids AS id MATCH (p:{PAPER_LABEL} {{id: id}}) DETACH DELETE p"


def created_relationship_properties(schema, rel_type: str) -> list[str]:
    """The properties :func:`create_relationships` takes from a row, in row order after the ends."""
    declared = {p.name for p in schema.relationship_properties(rel_type)}
    return [name(p, declared) for p in sorted(declared)]


def create_relationships(schema, rel_type: str, source: str, target: str) -> str:
    """For a paper whose old relationships are gone: find both ends by element id (``row[0]``,
    ``row[1]``: the writer has them from writing or looking up the nodes), and CREATE with the
    properties of :func:`created_relationship_properties` from ``row[2]`` on. A MATCH by key
    here is a locking unique-index seek per end and row, a tenth of a fresh write's time."""
    name(rel_type, schema.relationships)
    name(source, schema.nodes)
    name(target, schema.nodes)
    props = ", ".join(f"{prop}: row[{i}]" for i, prop in enumerate(created_relationship_properties(schema, rel_type), 2))
    return (f"UNWIND $rows AS row "
            f"MATCH (a:{source}) WHERE elementId(a) = row[0] MATCH (b:{target}) WHERE elementId(b) = row[1] "
            f"CREATE (a)-[r:{rel_type} {{{props}}}]->(b) RETURN count(r) AS rows")


def unmentioned_entities(schema) -> str:
    """Entities no paper mentions any more (every entity kg builds is mentioned): left over from replaced papers."""
    entity = next(label for label, node in schema.nodes.items() if node.abstract)
    return (f"MATCH (e:{entity}) WHERE NOT EXISTS {{ (:{PAPER_LABEL})-[:MENTIONS]->(e) }} "
            f"DETACH DELETE e RETURN count(*) AS removed")


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
