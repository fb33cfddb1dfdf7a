"""Write the typed graph into Neo4j: schema first, then batched, idempotent UNWIND writes.

Every batch runs in a managed transaction (``session.execute_write``), which the driver
retries on transient errors (deadlocks, leader switches); the transaction function only
sends statements, so a retry redoes it whole.

Shared nodes (entities) are MERGEd on their key. A paper is written with everything it owns
(its relationships, its results) in one transaction, and its node keeps the digest of that
content (``_kg_digest``): writing the same paper again is skipped, a paper whose content
changed is *replaced* — what it owned before is deleted, then its rows are created — so no
stale relationship survives a re-extraction. Since the old rows are gone, relationships are
CREATEd, not MERGEd. Entities that no paper mentions any more are removed at the end.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from kg.connection import Neo4jSettings, connected
from kg.errors import SchemaError
from kg.gcpause import paused_gc
from kg.store import cypher
from kg.store.plan import Batch, make_plan

# Papers per transaction, measured on the 2-core machine with a synthetic graph of 5,000
# papers, 3,000 entities and 42,468 relationships (first write / rewrite, seconds):
#   10: 74.5 / 18.5    50: 28.1 / 14.4    200: 19.5 / 10.0    500: 16.6 / 10.4    1000: 18.2 / 8.6
# Past a few hundred papers the per-transaction cost is gone; 500 keeps a transaction at a
# few thousand rows, small enough for the default heap. Measured again on the 41k graph with
# the replacing writer and two writers (bench/neo4j_write.py, rel/s, two rounds):
#   250: 13,559 / 14,197    500: 14,170 / 14,638    1000: 15,118 / 14,643
DEFAULT_BATCH_SIZE = 500
# Transactions of papers in flight at once: two keep the server busy while the client makes
# and packs the next batch (one writer: 6,839 rel/s, two: 8,533 in the same series).
DEFAULT_WRITERS = 2


@dataclass
class WriteReport:
    """What a write did: nodes and relationships created vs. already there (matched), papers
    skipped because Neo4j already held the same content, papers replaced, rows deleted."""

    papers: int = 0
    nodes_created: int = 0
    nodes_matched: int = 0
    relationships_created: int = 0
    relationships_matched: int = 0
    papers_unchanged: int = 0
    papers_replaced: int = 0
    nodes_deleted: int = 0
    relationships_deleted: int = 0
    transactions: int = 0
    seconds: float = 0.0

    def add(self, other: "WriteReport") -> None:
        for field in ("nodes_created", "nodes_matched", "relationships_created", "relationships_matched",
                      "papers_unchanged", "papers_replaced", "nodes_deleted", "relationships_deleted"):
            setattr(self, field, getattr(self, field) + getattr(other, field))

    def describe(self) -> str:
        text = (f"Neo4j: {self.papers} papers ({self.papers_unchanged} unchanged, {self.papers_replaced} replaced); "
                f"nodes {self.nodes_created} created, {self.nodes_matched} unchanged; "
                f"relationships {self.relationships_created} created, {self.relationships_matched} unchanged")
        if self.nodes_deleted or self.relationships_deleted:
            text += f"; stale: {self.nodes_deleted} nodes and {self.relationships_deleted} relationships deleted"
        return text + f" ({self.transactions} transactions, {self.seconds:.1f} s)"

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def ensure_schema(driver, database: str | None = None, schema=None) -> list[str]:
    """Create the schema's constraints and indexes (IF NOT EXISTS: safe to repeat). Returns the statements.

    A server stopped while it built a constraint keeps the constraint's half-made index, under
    the constraint's name but owned by nothing; ``IF NOT EXISTS`` then fails on the name. Such a
    leftover (same name, label and key, no owning constraint) is dropped first so the build can
    resume; any other index in the way is reported, not touched."""
    from neo4j.exceptions import ClientError

    from kg.schema import load_schema

    schema = schema or load_schema()
    statements = cypher.schema_statements(schema)
    with driver.session(database=database) as session:
        _drop_orphaned_constraint_indexes(session, cypher.key_constraints(schema))
        for statement in statements:
            try:
                session.run(statement).consume()
            except ClientError as error:
                raise SchemaError(f"Neo4j refused the schema statement `{statement}`: {error.message}",
                                  where="Neo4j schema",
                                  fix="drop or rename the index or constraint it names (SHOW INDEXES, "
                                      "SHOW CONSTRAINTS), then run again") from None
        session.run("CALL db.awaitIndexes(300)").consume()
    return statements


def _drop_orphaned_constraint_indexes(session, constraints: dict[str, tuple[str, str]]) -> None:
    """Drop indexes that carry one of our constraint names, cover its label and key, and belong
    to no constraint: what an interrupted CREATE CONSTRAINT leaves behind."""
    found = session.run("SHOW INDEXES YIELD name, type, labelsOrTypes, properties, owningConstraint "
                        "WHERE name IN $names AND owningConstraint IS NULL RETURN *", names=list(constraints))
    for record in list(found):
        label, key = constraints[record["name"]]
        if record["type"] != "RANGE" or record["labelsOrTypes"] != [label] or record["properties"] != [key]:
            raise SchemaError(f"an index named {record['name']!r} ({record['type']} on "
                              f"{record['labelsOrTypes']} {record['properties']}) is in the way of "
                              f"kg's uniqueness constraint on :{label}({key})", where="Neo4j schema",
                              fix=f"drop or rename that index (DROP INDEX `{record['name']}`), then run again")
        session.run(f"DROP INDEX `{record['name']}`").consume()


def _count_written(result, rows: list, what: str) -> None:
    written = result.single()["rows"]
    if written != len(rows):
        raise SchemaError(f"{len(rows) - written} {what} have an end that is not in Neo4j", where="graph",
                          fix="every edge's ends must be nodes of the graph being written")


def _write_nodes(tx, nodes: dict[str, list[dict]], schema, report: WriteReport, replace: bool) -> None:
    """MERGE node rows label by label (``replace``: properties set whole), counting created and matched."""
    for label in sorted(nodes):
        rows = nodes[label]
        created = tx.run(cypher.merge_nodes(schema, label, replace=replace), rows=rows).consume().counters.nodes_created
        report.nodes_created += created
        report.nodes_matched += len(rows) - created


def _write_shared(tx, batch: Batch, schema) -> WriteReport:
    """Rows no single paper owns (entities, VARIANT_OF): MERGE, so writing them again changes nothing."""
    report = WriteReport()
    _write_nodes(tx, batch.nodes, schema, report, replace=False)
    for group in sorted(batch.relationships):
        rows = batch.relationships[group]
        result = tx.run(cypher.merge_relationships(schema, *group), rows=rows)
        _count_written(result, rows, f"{group[0]} relationships from {group[1]} to {group[2]}")
        created = result.consume().counters.relationships_created
        report.relationships_created += created
        report.relationships_matched += len(rows) - created
    return report


def _write_papers(tx, batch: Batch, schema) -> WriteReport:
    """One batch of papers: skip the unchanged, clear what the changed ones owned, create the rest."""
    report = WriteReport()
    parts = batch.parts
    stored = {r["id"]: r["digest"]
              for r in tx.run(cypher.paper_digests(), ids=[p.paper_id for p in parts], digest=cypher.DIGEST_PROPERTY)}
    todo = []
    for part in parts:
        if part.paper_id in stored and stored[part.paper_id] == part.digest:
            report.papers_unchanged += 1
            report.nodes_matched += sum(map(len, part.nodes.values()))
            report.relationships_matched += sum(map(len, part.relationships.values()))
        else:
            todo.append(part)
    if not todo:
        return report
    ids = [p.paper_id for p in todo]
    report.papers_replaced = sum(1 for i in ids if i in stored)
    for statement in cypher.delete_owned(schema):
        counters = tx.run(statement, ids=ids).consume().counters
        report.nodes_deleted += counters.nodes_deleted
        report.relationships_deleted += counters.relationships_deleted
    nodes: dict[str, list[dict]] = {}
    relationships: dict[tuple[str, str, str], list[dict]] = {}
    for part in todo:
        for label, rows in part.nodes.items():
            if label == cypher.PAPER_LABEL:
                rows = [{"key": r["key"], "props": {**r["props"], cypher.DIGEST_PROPERTY: part.digest}} for r in rows]
            nodes.setdefault(label, []).extend(rows)
        for group, rows in part.relationships.items():
            relationships.setdefault(group, []).extend(rows)
    _write_nodes(tx, nodes, schema, report, replace=True)
    for group in sorted(relationships):
        # Ordered by the shared end, so concurrent transactions take its locks in one order.
        rows = sorted(relationships[group], key=lambda r: (r["target"], r["source"]))
        result = tx.run(cypher.create_relationships(schema, *group), rows=rows)
        _count_written(result, rows, f"{group[0]} relationships from {group[1]} to {group[2]}")
        report.relationships_created += result.consume().counters.relationships_created
    return report


def _remove_papers(tx, ids: list[str], schema) -> WriteReport:
    """Delete papers ``ids`` and everything they own."""
    report = WriteReport()
    for statement in cypher.delete_owned(schema) + [cypher.delete_papers()]:
        counters = tx.run(statement, ids=ids).consume().counters
        report.nodes_deleted += counters.nodes_deleted
        report.relationships_deleted += counters.relationships_deleted
    return report


def _remove_unmentioned(tx, schema) -> int:
    return tx.run(cypher.unmentioned_entities(schema)).single()["removed"]


def _remove_stale_links(tx, graph, schema, whole: bool, stale_links) -> int:
    """Delete shared links the graph no longer has: with ``whole``, every link of a shared type
    between two nodes of the graph that the graph lacks; else those in ``stale_links``
    (``(type, source, target)`` triples, from :func:`kg.pipeline.graph_delta`)."""
    removed = []
    for rel_type in cypher.shared_types(schema):
        if whole:
            kept = {(s, t) for s, t, attrs in graph.edges(data=True) if attrs.get("type") == rel_type}
            stale = [r["rid"] for r in tx.run(cypher.links(schema, rel_type))
                     if r["source"] in graph and r["target"] in graph and (r["source"], r["target"]) not in kept]
        else:
            wanted = {(s, t) for kind, s, t in stale_links if kind == rel_type}
            stale = [r["rid"] for r in tx.run(cypher.links(schema, rel_type)) if (r["source"], r["target"]) in wanted] \
                if wanted else []
        if stale:
            tx.run(cypher.delete_by_element_id(), rids=stale).consume()
            removed += stale
    return len(removed)


def write_graph(graph, settings: Neo4jSettings, batch_size: int = DEFAULT_BATCH_SIZE, progress=None,
                schema=None, writers: int = DEFAULT_WRITERS, whole: bool = True, stale_links=(),
                removed_papers=()) -> WriteReport:
    """Write ``graph`` (the typed MultiDiGraph) to the Neo4j in ``settings``.

    ``progress``, if given, is called with the number of papers each committed batch held
    (``tqdm.update`` fits). ``writers`` paper transactions run at once. ``whole`` says the graph
    is a whole build: links no paper owns (VARIANT_OF) between its nodes that it lacks are
    deleted; a partial graph (a delta) names those to delete in ``stale_links`` instead.
    ``removed_papers`` (ids) are deleted with everything they own (papers gone from the input).
    Raises Neo4jUnavailable with one clear line when Neo4j cannot be used.
    """
    from kg.schema import load_schema

    schema = schema or load_schema()
    with paused_gc():  # rows are many short-lived dicts without cycles: collecting them is wasted work
        return _write(graph, settings, batch_size, progress, schema, writers, whole, stale_links, removed_papers)


def _write(graph, settings: Neo4jSettings, batch_size: int, progress, schema, writers: int, whole: bool,
           stale_links, removed_papers) -> WriteReport:
    began = time.monotonic()
    plan = make_plan(graph, schema, batch_size=batch_size)
    report = WriteReport(papers=plan.papers)
    with connected(settings) as driver:
        ensure_schema(driver, settings.database, schema)

        failed = threading.Event()

        def write(batch: Batch, work) -> WriteReport | None:
            if failed.is_set():  # another batch gave up (after the driver's retries): start nothing new
                return None
            try:
                with driver.session(database=settings.database) as session:
                    return session.execute_write(work, batch, schema)
            except BaseException:
                failed.set()
                raise

        for batch in plan.shared_nodes:
            report.add(write(batch, _write_shared))
            report.transactions += 1

        def finish(batch: Batch, future) -> None:
            written = future.result()
            if written is None:
                raise RuntimeError("a batch was skipped although no other batch failed")  # cannot happen
            report.add(written)
            report.transactions += 1
            if progress is not None and batch.papers:
                progress(batch.papers)

        # This thread makes the next batch while ``writers`` transactions are in Neo4j.
        with ThreadPoolExecutor(max(1, writers)) as pool:
            pending: deque = deque()
            try:
                for batch in plan.paper_batches:
                    pending.append((batch, pool.submit(write, batch, _write_papers)))
                    while len(pending) > max(1, writers):
                        finish(*pending.popleft())
                while pending:
                    finish(*pending.popleft())
            except BaseException:
                for _, future in pending:  # a failed batch stops the write: start no other
                    future.cancel()
                raise
        for batch in plan.shared_relationships:
            report.add(write(batch, _write_shared))
            report.transactions += 1
        with driver.session(database=settings.database) as session:
            if whole or stale_links:
                report.relationships_deleted += session.execute_write(_remove_stale_links, graph, schema, whole,
                                                                      stale_links)
                report.transactions += 1
            if removed_papers:
                deleted = session.execute_write(_remove_papers, sorted(removed_papers), schema)
                report.nodes_deleted += deleted.nodes_deleted
                report.relationships_deleted += deleted.relationships_deleted
                report.transactions += 1
            if report.papers_replaced or removed_papers:
                report.nodes_deleted += session.execute_write(_remove_unmentioned, schema)
                report.transactions += 1
    report.seconds = time.monotonic() - began
    return report
