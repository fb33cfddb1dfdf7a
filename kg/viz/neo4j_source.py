"""The typed graph read back from Neo4j: all of it, or the part a named query's rows name.

Rebuilds the same ``networkx.MultiDiGraph`` shape ``kg build`` gives (node id = key ``id``,
``label`` = the concrete schema label, edge key ``TYPE`` or ``TYPE|paper_id``), so the page
code never knows where its graph came from.
"""
from __future__ import annotations

import networkx as nx

from kg.schema import load_schema
from kg.store.cypher import DIGEST_PROPERTY

MAX_NAME_CHARS = 500   # longer strings in query rows are sentences, not names to look up

_NODES = "MATCH (n) WHERE n.id IS NOT NULL{where} RETURN labels(n) AS labels, properties(n) AS props"
_RELS = ("MATCH (a)-[r]->(b) WHERE a.id IS NOT NULL AND b.id IS NOT NULL{where} "
         "RETURN a.id AS source, b.id AS target, type(r) AS type, properties(r) AS props")


def _label(labels, concrete: tuple[str, ...]) -> str:
    for label in concrete:
        if label in labels:
            return label
    return sorted(labels)[0] if labels else ""


def _read(driver, database, node_where: str = "", rel_where: str = "", params: dict | None = None) -> nx.MultiDiGraph:
    from kg.querying import plain

    schema = load_schema()
    concrete = tuple(name for name, node in schema.nodes.items() if not node.abstract)
    keyed = {name for name, rel in schema.relationships.items() if rel.key == ("paper_id",)}
    graph = nx.MultiDiGraph()
    with driver.session(database=database) as session:
        for record in session.run(_NODES.format(where=node_where), params or {}):
            props = {k: plain(v) for k, v in record["props"].items() if k != DIGEST_PROPERTY}
            graph.add_node(props["id"], label=_label(record["labels"], concrete),
                           **{k: v for k, v in props.items() if k != "id"})
        for record in session.run(_RELS.format(where=rel_where), params or {}):
            if record["source"] not in graph or record["target"] not in graph:
                continue
            props = {k: plain(v) for k, v in record["props"].items()}
            rel_type = record["type"]
            key = f"{rel_type}|{props.get('paper_id')}" if rel_type in keyed else rel_type
            graph.add_edge(record["source"], record["target"], key=key, type=rel_type, **props)
    return graph


def read_graph(driver, *, database: str | None = None) -> nx.MultiDiGraph:
    """The whole graph stored in Neo4j (nodes with an ``id``, relationships between them)."""
    return _read(driver, database)


def referenced(values, ids: set[str], names: set[str]) -> None:
    """Collect node ids (from nodes, relationships, paths) and candidate names (strings) in query rows."""
    if isinstance(values, dict):
        if "_labels" in values and values.get("id") is not None:
            ids.add(str(values["id"]))
        if "_type" in values:
            ids.update(str(values[end]) for end in ("_start", "_end") if values.get(end) is not None)
        for key, value in values.items():
            if not key.startswith("_"):
                referenced(value, ids, names)
    elif isinstance(values, (list, tuple)):
        for value in values:
            referenced(value, ids, names)
    elif isinstance(values, str) and values and len(values) <= MAX_NAME_CHARS:
        names.add(values)


def query_graph(driver, name: str, values: dict | None = None, *, database: str | None = None,
                max_rows: int = 10_000) -> tuple[nx.MultiDiGraph, int]:
    """Run the named query ``name``; return the subgraph its rows name, and the row count.

    Named queries mostly return names and ids, not nodes: every node the rows name (by
    node value, id, canonical name or paper title) is drawn, with the relationships among them.
    """
    from kg.querying import run_named

    result = run_named(driver, name, values, database=database, max_rows=max_rows)
    ids: set[str] = set()
    names: set[str] = set()
    referenced(result.rows, ids, names)
    params = {"ids": sorted(ids | names), "names": sorted(names)}
    match = ("MATCH (n) WHERE n.id IS NOT NULL AND (n.id IN $ids OR (n:Entity AND n.name IN $names) "
             "OR (n:Paper AND n.title IN $names)) RETURN collect(DISTINCT n.id) AS found")
    with driver.session(database=database) as session:
        found = session.run(match, params).single()["found"]
    graph = _read(driver, database, node_where=" AND n.id IN $found",
                  rel_where=" AND a.id IN $found AND b.id IN $found", params={"found": sorted(found)})
    return graph, len(result.rows)
