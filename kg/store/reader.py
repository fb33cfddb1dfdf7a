"""Read the typed graph back from Neo4j, by the same conventions the writer and the snapshot use.

The inverse of :func:`kg.store.write_graph` for what the schema declares: a node's label
attribute is its concrete schema label (the ``Entity`` parent label is implied), an edge's
key is its type, or ``TYPE|paper_id`` for types keyed by paper. Lets every sink (RDF, page)
start from Neo4j as well as from a snapshot.
"""
from __future__ import annotations

from kg.connection import Neo4jSettings, connected
from kg.store.cypher import DIGEST_PROPERTY, key_property


def read_graph(settings: Neo4jSettings, schema=None):
    """The schema's nodes and relationships in Neo4j as a typed ``networkx.MultiDiGraph``."""
    import networkx as nx

    from kg.schema import load_schema

    schema = schema or load_schema()
    graph = nx.MultiDiGraph()
    keys = {}
    with connected(settings) as driver:
        with driver.session(database=settings.database) as session:
            for label, node in schema.nodes.items():
                if node.abstract:
                    continue
                key = keys[label] = key_property(schema, label)
                for record in session.run(f"MATCH (n:{label}) RETURN n.{key} AS key, properties(n) AS props"):
                    props = dict(record["props"])
                    props.pop(DIGEST_PROPERTY, None)  # the store's bookkeeping, not part of the graph
                    graph.add_node(record["key"], label=label, **props)
            for rel_type, rel in schema.relationships.items():
                query = f"MATCH (a)-[r:{rel_type}]->(b) RETURN a, b, properties(r) AS props"
                for record in session.run(query):
                    source, target = _node_key(record["a"], keys), _node_key(record["b"], keys)
                    if source is None or target is None:
                        continue
                    props = dict(record["props"])
                    edge_key = "|".join([rel_type, *(str(props.get(k)) for k in rel.key)])
                    graph.add_edge(source, target, key=edge_key, type=rel_type, **props)
    return graph


def _node_key(node, keys: dict) -> str | None:
    for label in node.labels:
        if label in keys:
            return node.get(keys[label])
    return None
