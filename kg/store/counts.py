"""Counts by label and relationship type, in Neo4j and in a typed graph, in one shape.

Both return ``{"nodes": {label: n}, "relationships": {type: n}}`` with zero counts left
out, and parent labels counted too (every Method is also an Entity), so the two can be
compared directly: after a write, ``read_counts(settings) == graph_counts(graph)`` for an
empty database.
"""
from __future__ import annotations

from collections import Counter

from kg.connection import Neo4jSettings, connected
from kg.store.cypher import ancestors


def graph_counts(graph, schema=None) -> dict:
    """Counts of the typed networkx graph, as Neo4j will hold them."""
    from kg.schema import load_schema

    schema = schema or load_schema()
    nodes = _labels((label for _, label in graph.nodes(data="label")), schema)
    rels = Counter(_type(key, attrs) for _, _, key, attrs in graph.edges(keys=True, data=True))
    return {"nodes": dict(sorted(nodes.items())), "relationships": dict(sorted(rels.items()))}


def _labels(labels, schema) -> Counter:
    """Nodes by label, each also under its parent labels (as Neo4j labels them)."""
    counts: Counter = Counter()
    for label in labels:
        counts[label] += 1
        for parent in ancestors(schema, label):
            counts[parent] += 1
    return counts


def _type(key, attrs: dict) -> str:
    return attrs.get("type") or str(key).split("|", 1)[0]


def part_counts(graph, nodes, sources, schema) -> tuple[Counter, Counter]:
    """The :func:`graph_counts` share of the ``nodes`` and of the out-edges of ``sources`` (those
    in the graph): taken before and after a change that stays inside them, the difference is the
    change's (see :func:`shifted_counts`)."""
    labels = _labels((graph.nodes[node].get("label") for node in nodes if node in graph), schema)
    rels: Counter = Counter()
    for source in sources:
        if source in graph:
            rels.update(_type(key, attrs) for _, _, key, attrs in graph.out_edges(source, keys=True, data=True))
    return labels, rels


def shifted_counts(counts: dict, before: tuple[Counter, Counter], after: tuple[Counter, Counter]) -> dict:
    """``counts`` (a :func:`graph_counts` result) less the ``before`` share plus the ``after`` one."""
    shifted = {}
    for kind, old, new in (("nodes", before[0], after[0]), ("relationships", before[1], after[1])):
        total = Counter(counts[kind])
        total.subtract(old)
        total.update(new)
        shifted[kind] = {name: n for name, n in sorted(total.items()) if n}
    return shifted


def read_counts(settings: Neo4jSettings, schema=None) -> dict:
    """Counts in Neo4j: nodes by label, relationships by type (all of them, schema or not).

    Schema labels and types are counted from Neo4j's count store (instant at any size);
    any other label or type present is counted too, passed as a parameter.
    """
    from kg.schema import load_schema

    schema = schema or load_schema()
    with connected(settings) as driver:
        with driver.session(database=settings.database) as session:
            present_labels = session.run("CALL db.labels() YIELD label RETURN collect(label) AS x").single()["x"]
            present_types = session.run(
                "CALL db.relationshipTypes() YIELD relationshipType RETURN collect(relationshipType) AS x").single()["x"]
            nodes = _count_each(session, present_labels, schema.nodes,
                                "MATCH (n:{name}) RETURN count(n) AS c",
                                "MATCH (n) WHERE $name IN labels(n) RETURN count(n) AS c")
            rels = _count_each(session, present_types, schema.relationships,
                               "MATCH ()-[r:{name}]->() RETURN count(r) AS c",
                               "MATCH ()-[r]->() WHERE type(r) = $name RETURN count(r) AS c")
    return {"nodes": nodes, "relationships": rels}


def _count_each(session, present, declared, declared_query: str, other_query: str) -> dict[str, int]:
    """Non-zero counts per name: declared names spelled into the query (they come from the
    schema, and use Neo4j's count store); any other name only as a parameter."""
    counts = {}
    for name in sorted(present):
        if name in declared:
            count = session.run(declared_query.format(name=name)).single()["c"]
        else:
            count = session.run(other_query, name=name).single()["c"]
        if count:
            counts[name] = count
    return counts
