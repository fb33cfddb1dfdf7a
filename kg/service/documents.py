"""Entity and paper documents as JSON, and an entity's neighbourhood as a typed graph.

Each document is one read transaction with a timeout; its lists are paged with the
request's ``limit``/``offset`` so an entity named by ten thousand papers stays cheap.
"""
from __future__ import annotations

import networkx as nx

from kg.querying import plain

ENTITY = """
MATCH (e:Entity {id: $id})
RETURN e {.*} AS entity,
       [label IN labels(e) WHERE label <> 'Entity'][0] AS label,
       COUNT { (e)<-[:MENTIONS]-(:Paper) } AS papers_total,
       COLLECT { MATCH (p:Paper)-[r:MENTIONS]->(e)
                 RETURN {id: p.id, title: p.title, year: p.year, mentions: r.count, evidence: r.evidence} AS paper
                 ORDER BY paper.year DESC, paper.id SKIP $offset LIMIT $limit } AS papers,
       COLLECT { MATCH (p:Paper)-[r]->(e) WHERE type(r) <> 'MENTIONS'
                 RETURN {relation: type(r), paper_id: p.id, sentence: r.sentence, evidence: r.evidence,
                         rule: r.rule, confidence: r.confidence} AS fact
                 ORDER BY fact.relation, fact.paper_id SKIP $offset LIMIT $limit } AS paper_relations,
       COLLECT { MATCH (e)-[r]-(o) WHERE NOT o:Paper AND o.id IS NOT NULL
                 RETURN {relation: type(r), direction: CASE WHEN startNode(r) = e THEN 'out' ELSE 'in' END,
                         id: o.id, name: coalesce(o.name, o.value), paper_id: r.paper_id,
                         evidence: r.evidence} AS link
                 ORDER BY link.relation, link.direction, link.name, link.paper_id
                 SKIP $offset LIMIT $limit } AS links
"""

PAPER = """
MATCH (p:Paper {id: $id})
RETURN p {.*, _kg_digest: null} AS paper,
       COLLECT { MATCH (p)-[r]->(e:Entity)
                 RETURN {relation: type(r), id: e.id, name: e.name, type: e.type, count: r.count,
                         sentence: r.sentence, start: r.start, end: r.end, evidence: r.evidence,
                         rule: r.rule, confidence: r.confidence} AS fact
                 ORDER BY fact.relation, fact.sentence, fact.start, fact.name SKIP $offset LIMIT $limit } AS entities,
       COLLECT { MATCH (p)-[:REPORTS]->(res:Result)
                 RETURN {id: res.id, value: res.value, number: res.number, unit: res.unit,
                         method: head([(res)-[:OF_METHOD]->(m) | m.name]),
                         dataset: head([(res)-[:ON_DATASET]->(d) | d.name]),
                         metric: head([(res)-[:MEASURED_BY]->(x) | x.name]),
                         sentence: res.sentence, evidence: res.evidence} AS result
                 ORDER BY result.sentence, result.id SKIP $offset LIMIT $limit } AS results,
       COLLECT { MATCH (p)-[:MENTIONS]->(a:Entity)-[r]->(b:Entity) WHERE r.paper_id = p.id
                 RETURN {relation: type(r), source: a.name, target: b.name, evidence: r.evidence,
                         rule: r.rule, confidence: r.confidence} AS statement
                 ORDER BY statement.relation, statement.source, statement.target
                 SKIP $offset LIMIT $limit } AS statements
"""

# Nodes within DEPTH hops (either direction); DEPTH is a validated small int, not user text.
NEIGHBOURHOOD = """
MATCH (e:Entity {{id: $id}})
MATCH (e)-[*0..{depth}]-(n) WHERE n.id IS NOT NULL
WITH DISTINCT n LIMIT $max_nodes
RETURN collect(n.id) AS ids
"""

NODES = "MATCH (n) WHERE n.id IN $ids RETURN labels(n) AS labels, properties(n) AS props"
RELATIONSHIPS = ("MATCH (a)-[r]->(b) WHERE a.id IN $ids AND b.id IN $ids "
                 "RETURN a.id AS source, b.id AS target, type(r) AS type, properties(r) AS props")


def _drop_nulls(record: dict) -> dict:
    return {k: v for k, v in record.items() if v is not None}


def entity_document(tx, entity_id: str, limit: int, offset: int) -> dict | None:
    record = tx.run(ENTITY, id=entity_id, limit=limit, offset=offset).single()
    if record is None:
        return None
    entity = dict(sorted(plain(record["entity"]).items()))
    return {"entity": {"label": record["label"], **entity}, "papers_total": record["papers_total"],
            "papers": [_drop_nulls(p) for p in plain(record["papers"])],
            "paper_relations": [_drop_nulls(r) for r in plain(record["paper_relations"])],
            "links": [_drop_nulls(r) for r in plain(record["links"])],
            "limit": limit, "offset": offset}


def paper_document(tx, paper_id: str, limit: int, offset: int) -> dict | None:
    record = tx.run(PAPER, id=paper_id, limit=limit, offset=offset).single()
    if record is None:
        return None
    return {"paper": dict(sorted(_drop_nulls(plain(record["paper"])).items())),
            "entities": [_drop_nulls(r) for r in plain(record["entities"])],
            "results": [_drop_nulls(r) for r in plain(record["results"])],
            "statements": [_drop_nulls(r) for r in plain(record["statements"])],
            "limit": limit, "offset": offset}


def neighbourhood(tx, entity_id: str, depth: int, max_nodes: int) -> nx.MultiDiGraph | None:
    """The typed graph (kg/graph/snapshot.py conventions) of nodes within ``depth`` hops."""
    from kg.schema import load_schema

    depth = int(depth)
    ids = tx.run(NEIGHBOURHOOD.format(depth=depth), id=entity_id, max_nodes=max_nodes).single()["ids"]
    if not ids:
        return None
    schema = load_schema()
    concrete = [name for name, node in schema.nodes.items() if not node.abstract]
    keyed = {name for name, rel in schema.relationships.items() if rel.key}
    graph = nx.MultiDiGraph()
    for record in tx.run(NODES, ids=ids):
        props = plain(record["props"])
        label = next((l for l in concrete if l in record["labels"]), None)
        if label is None:
            continue
        graph.add_node(props.pop("id"), label=label, **props)
    for record in tx.run(RELATIONSHIPS, ids=ids):
        props = plain(record["props"])
        rel_type = record["type"]
        if rel_type not in schema.relationships:
            continue
        rel = schema.relationship(rel_type)
        key = "|".join([rel_type] + [str(props.get(k)) for k in rel.key]) if rel_type in keyed else rel_type
        graph.add_edge(record["source"], record["target"], key=key, type=rel_type, **props)
    return graph
