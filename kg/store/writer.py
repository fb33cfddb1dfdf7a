"""Write the typed graph into Neo4j: schema first, then batched, idempotent UNWIND writes.

Every batch runs in a managed transaction (``session.execute_write``), which the driver
retries on transient errors (deadlocks, leader switches); the transaction function only
sends statements, so a retry redoes it whole.

Shared nodes (entities) are written first: those already in Neo4j are MERGEd on their key,
the others CREATEd. A paper is written with everything it owns (its relationships, its
results) in one transaction, and its node keeps the digest of that content (``_kg_digest``):
writing the same paper again is skipped, a paper whose content changed is *replaced* — what
it owned before is deleted, then its rows are created — so no stale relationship survives a
re-extraction. Since the old rows are gone, a paper's nodes and relationships are CREATEd,
not MERGEd, and relationships find their ends by element id. Entities that no paper mentions
any more are removed at the end.

Creating instead of merging assumes one writer per database at a time: a second one writing
the same papers at once is refused by the uniqueness constraints (a clear error, nothing
half-written), where MERGE would have let both through.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from kg.connection import Neo4jSettings, connected
from kg.errors import Neo4jServerError, SchemaError
from kg.gcpause import paused_gc
from kg.store import cypher
from kg.store.plan import Batch, make_plan

# Papers per transaction and transactions at once, chosen with bench/neo4j_write.py on the 41k
# graph (94,409 nodes, 247,230 relationships), 2-core machine, 2g heap, after a warm-up write;
# rel/s over three round-robin rounds (the server's JIT is still warming in the first):
#   batch 500:  2 writers 13,573 / 16,815 / 17,000    3 writers 12,405 / 18,667 / 21,093
#   batch 1000: 2 writers 15,179 / 16,877 / 20,144    3 writers 17,129 / 17,798 / 21,885
#   batch 2000: 2 writers 16,171 / 18,335 / 19,454    3 writers 17,750 / 17,426 / 19,471
# Then rows as lists instead of maps (create_nodes, create_relationships), 1000 x 3, interleaved
# with the map-row writer in one run: 21,802 / 21,723 / 22,121 against 19,576 / 19,256 / 19,118
# rel/s (client CPU 7.0 s against 7.9 s, server CPU 12.0-12.4 s against 13.6-14.3 s).
# Earlier, with 10 papers per transaction, a synthetic 42k-relationship write took 74.5 s
# against 16.6 s at 500: past a few hundred papers the per-transaction cost is gone.
DEFAULT_BATCH_SIZE = 1000
# Transactions in flight at once: while one commits (mostly one core of server work), the next
# runs its statements and this process packs a third.
DEFAULT_WRITERS = 3


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


def _write_nodes(tx, nodes: dict[str, list[dict]], schema, report: WriteReport, replace: bool,
                 absent: bool = False) -> dict[tuple[str, str], str]:
    """Write node rows label by label, counting created and matched; return their element ids
    by (label, key). ``absent``: the caller knows none of them is in Neo4j, so they are CREATEd;
    else each label's present keys are read first and only those rows are MERGEd (``replace``:
    properties set whole) — MERGE's locking index seek per row was a tenth of the server's time
    on a fresh 41k write."""
    written: dict[tuple[str, str], str] = {}
    for label in sorted(nodes):
        rows = nodes[label]
        found = {} if absent else _element_ids(tx, schema, label, [r["key"] for r in rows])
        names = cypher.created_properties(schema, label)
        fresh = [[r["key"], *map(r["props"].get, names)] for r in rows if r["key"] not in found]
        present = [r for r in rows if r["key"] in found]
        for statement, group in ((cypher.create_nodes(schema, label), fresh),
                                 (cypher.merge_nodes(schema, label, replace=replace), present)):
            if not group:
                continue
            result = tx.run(statement, rows=group)
            record = result.single(strict=True)
            written.update(zip(((label, key) for key in record["keys"]), record["eids"]))
            created = result.consume().counters.nodes_created
            report.nodes_created += created
            report.nodes_matched += len(group) - created
    return written


def _element_ids(tx, schema, label: str, keys) -> dict[str, str]:
    """The element ids of the ``label`` nodes with these keys that are in Neo4j, by key."""
    record = tx.run(cypher.existing_keys(schema, label), keys=list(keys)).single(strict=True)
    return dict(zip(record["keys"], record["eids"]))


def _write_shared(tx, batch: Batch, schema, known: dict) -> tuple[WriteReport, dict]:
    """Rows no single paper owns (entities, VARIANT_OF): writing them again changes nothing.
    Also returns the nodes' element ids, for the papers' relationships (``known`` is not needed:
    shared relationships find their ends by key)."""
    report = WriteReport()
    found = _write_nodes(tx, batch.nodes, schema, report, replace=False)
    for group in sorted(batch.relationships):
        rows = batch.relationships[group]
        result = tx.run(cypher.merge_relationships(schema, *group), rows=rows)
        _count_written(result, rows, f"{group[0]} relationships from {group[1]} to {group[2]}")
        created = result.consume().counters.relationships_created
        report.relationships_created += created
        report.relationships_matched += len(rows) - created
    return report, found


def _write_papers(tx, batch: Batch, schema, known: dict) -> tuple[WriteReport, dict]:
    """One batch of papers: skip the unchanged, clear what the changed ones owned, create the rest.
    ``known``: element ids of shared nodes (entities) by (label, key), from committed transactions;
    no write deletes an entity before its papers are written, so they stay valid for the write.
    Also returns the shared nodes' element ids it looked up."""
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
        return report, {}
    # A paper not in Neo4j owns nothing there (it was written, or removed, in one transaction
    # with all it owns): only the stored ones have old rows to clear.
    replaced = [p.paper_id for p in todo if p.paper_id in stored]
    report.papers_replaced = len(replaced)
    if replaced:
        for statement in cypher.delete_owned(schema):
            counters = tx.run(statement, ids=replaced).consume().counters
            report.nodes_deleted += counters.nodes_deleted
            report.relationships_deleted += counters.relationships_deleted
    # What a paper owns is gone now, so only the stored paper nodes themselves are MERGEd.
    kept_papers: list[dict] = []
    nodes: dict[str, list[dict]] = {}
    relationships: dict[tuple[str, str, str], list[dict]] = {}
    for part in todo:
        for label, rows in part.nodes.items():
            if label == cypher.PAPER_LABEL:
                rows = [{"key": r["key"], "props": {**r["props"], cypher.DIGEST_PROPERTY: part.digest}} for r in rows]
                if part.paper_id in stored:
                    kept_papers.extend(rows)
                    continue
            nodes.setdefault(label, []).extend(rows)
        for group, rows in part.relationships.items():
            relationships.setdefault(group, []).extend(rows)
    own = _write_nodes(tx, nodes, schema, report, replace=True, absent=True)
    if kept_papers:
        own.update(_write_nodes(tx, {cypher.PAPER_LABEL: kept_papers}, schema, report, replace=True))
    ends, looked_up = _relationship_ends(tx, schema, relationships, own, known)
    for group in sorted(relationships):
        rel_type, source, target = group
        # Ordered by the shared end, so concurrent transactions take its locks in one order.
        names = cypher.created_relationship_properties(schema, rel_type)
        rows = [[ends[source, r["source"]], ends[target, r["target"]], *map(r["props"].get, names)]
                for r in sorted(relationships[group], key=lambda r: (r["target"], r["source"]))]
        result = tx.run(cypher.create_relationships(schema, *group), rows=rows)
        _count_written(result, rows, f"{rel_type} relationships from {source} to {target}")
        report.relationships_created += result.consume().counters.relationships_created
    return report, looked_up


def _relationship_ends(tx, schema, relationships, own: dict, known: dict) -> tuple[dict, dict]:
    """Element ids of every end of ``relationships``: the transaction's own nodes, the shared
    nodes already known, and the rest looked up by key; and which shared ones were looked up."""
    ends = dict(own)
    looked_up = {}
    wanted: dict[str, set[str]] = {}
    for (_, source, target), rows in relationships.items():
        for label, side in ((source, "source"), (target, "target")):
            for row in rows:
                end = (label, row[side])
                if end not in ends:
                    if end in known:
                        ends[end] = known[end]
                    else:
                        wanted.setdefault(label, set()).add(row[side])
    owned = {cypher.PAPER_LABEL, *cypher.owned_labels(schema)}
    for label, keys in sorted(wanted.items()):
        found = _element_ids(tx, schema, label, sorted(keys))
        missing = keys - found.keys()
        if missing:
            raise SchemaError(f"{len(missing)} relationship ends are not in Neo4j (:{label} {sorted(missing)[0]!r})",
                              where="graph", fix="every edge's ends must be nodes of the graph being written")
        for key, eid in found.items():
            ends[label, key] = eid
            if label not in owned:
                looked_up[label, key] = eid
    return ends, looked_up


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
    from neo4j.exceptions import ConstraintError

    began = time.monotonic()
    plan = make_plan(graph, schema, batch_size=batch_size)
    report = WriteReport(papers=plan.papers)
    with connected(settings) as driver:
        ensure_schema(driver, settings.database, schema)

        failed = threading.Event()

        known: dict[tuple[str, str], str] = {}  # element ids of shared nodes, for the papers' relationships

        def write(batch: Batch, work) -> WriteReport | None:
            if failed.is_set():  # another batch gave up (after the driver's retries): start nothing new
                return None
            try:
                with driver.session(database=settings.database) as session:
                    written, found = session.execute_write(work, batch, schema, known)  # read only there
                known.update(found)  # only what committed: a retried transaction's ids may be gone
                return written
            except ConstraintError as error:
                failed.set()
                raise Neo4jServerError(f"Neo4j refused a node as a duplicate ({error.message})",
                                       where=f"{settings.uri} database {settings.database or 'default'}",
                                       fix="either another write into this database runs at the same time (let "
                                           "it finish) or a node kg did not write holds that id under another "
                                           "label (remove it); then run again: the write is idempotent") \
                    from None
            except BaseException:
                failed.set()
                raise

        def finish(batch: Batch, future) -> None:
            written = future.result()
            if written is None:
                raise RuntimeError("a batch was skipped although no other batch failed")  # cannot happen
            report.add(written)
            report.transactions += 1
            if progress is not None and batch.papers:
                progress(batch.papers)

        def run_all(pool, batches, work) -> None:
            """``writers`` transactions in Neo4j at once while this thread makes the next batch."""
            pending: deque = deque()
            try:
                for batch in batches:
                    pending.append((batch, pool.submit(write, batch, work)))
                    while len(pending) > max(1, writers):
                        finish(*pending.popleft())
                while pending:
                    finish(*pending.popleft())
            except BaseException:
                for _, future in pending:  # a failed batch stops the write: start no other
                    future.cancel()
                raise

        with ThreadPoolExecutor(max(1, writers)) as pool:
            # Shared nodes have distinct keys, so their batches run side by side too; all of
            # them commit before the first paper, whose relationships need them.
            run_all(pool, plan.shared_nodes, _write_shared)
            run_all(pool, plan.paper_batches, _write_papers)
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
