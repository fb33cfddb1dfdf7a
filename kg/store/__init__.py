"""The Neo4j store: schema-driven constraints and indexes, batched idempotent writes, counts.

Public API: :func:`ensure_schema`, :func:`write_graph` -> :class:`WriteReport`,
:func:`read_counts`, :func:`graph_counts`, :func:`read_graph`, :func:`fulltext_index_name`.
"""
from kg.store.counts import graph_counts, read_counts
from kg.store.cypher import fulltext_index_name, schema_statements
from kg.store.reader import read_graph
from kg.store.writer import DEFAULT_BATCH_SIZE, WriteReport, ensure_schema, write_graph

__all__ = ["ensure_schema", "write_graph", "WriteReport", "read_counts", "graph_counts", "fulltext_index_name",
           "schema_statements", "DEFAULT_BATCH_SIZE", "read_graph"]
