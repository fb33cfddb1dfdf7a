"""The Neo4j store against the real server: schema, idempotent writes, increments, counts."""
from __future__ import annotations

import hashlib
import json

import networkx as nx
import pytest

from kg.connection import open_driver
from kg.errors import Neo4jServerError, SchemaError
from kg.schema import load_schema
from kg.graph.snapshot import dumps
from kg.store import ensure_schema, graph_counts, read_counts, read_graph, schema_statements, write_graph
from kg.store.plan import make_plan

METHODS = ["BERT", "RoBERTa", "GPT-2", "T5"]
DATASETS = ["SQuAD", "GLUE"]


def provenance(paper: str, sentence: int, rule: str) -> dict:
    return {"paper_id": paper, "sentence": sentence, "start": 10 * sentence, "end": 10 * sentence + 4,
            "evidence": f"Sentence {sentence} of {paper}.", "rule": rule, "confidence": 0.9}


def entity(graph: nx.MultiDiGraph, label: str, name: str) -> str:
    node_id = f"{label.lower()}:{name.lower()}"
    graph.add_node(node_id, label=label, name=name, type=label.lower(), aliases=[name, name.lower()],
                   alias_counts=[2, 1], paper_count=1, mention_count=3)
    return node_id


def typed_graph(papers: range, extra_method: str | None = None) -> nx.MultiDiGraph:
    """A small typed graph by the snapshot conventions: papers mention methods and datasets,
    evaluate on a dataset, and state that one method outperforms another."""
    graph = nx.MultiDiGraph()
    methods = [entity(graph, "Method", m) for m in METHODS]
    datasets = [entity(graph, "Dataset", d) for d in DATASETS]
    for i in papers:
        paper = f"paper-{i:03d}"
        graph.add_node(paper, label="Paper", title=f"Paper number {i} on transfer", abstract=f"Abstract {i}.",
                       source=f"corpus.txt:{i + 1}", year=2020 + i % 3)
        winner, loser = methods[i % len(methods)], methods[(i + 1) % len(methods)]
        dataset = datasets[i % len(datasets)]
        for target in (winner, loser, dataset):
            graph.add_edge(paper, target, key="MENTIONS", type="MENTIONS", count=1,
                           **provenance(paper, 1, "gazetteer"))
        graph.add_edge(paper, dataset, key="EVALUATES_ON", type="EVALUATES_ON",
                       **provenance(paper, 2, "evaluated_on"))
        graph.add_edge(winner, loser, key=f"OUTPERFORMS|{paper}", type="OUTPERFORMS", dataset=dataset,
                       **provenance(paper, 3, "outperforms"))
    if extra_method:  # the last paper also names a method no other paper names
        graph.add_edge(paper, entity(graph, "Method", extra_method), key="MENTIONS", type="MENTIONS", count=1,
                       **provenance(paper, 4, "gazetteer"))
    return graph


def test_plan_keeps_each_paper_with_its_relationships():
    graph = typed_graph(range(7))
    plan = make_plan(graph, load_schema(), batch_size=3)
    assert [b.papers for b in plan.paper_batches] == [3, 3, 1]
    owned = 0
    for batch in plan.paper_batches:
        assert not batch.nodes and not batch.relationships  # rows stay with their paper
        for part in batch.parts:
            assert [row["key"] for row in part.nodes["Paper"]] == [part.paper_id]
            for (rel_type, _, _), rows in part.relationships.items():
                for row in rows:
                    assert row["props"]["paper_id"] == part.paper_id, rel_type
                    owned += 1
    assert owned == graph.number_of_edges()  # every edge here is stated by a paper
    shared = {label for b in plan.shared_nodes for label in b.nodes}
    assert shared == {"Method", "Dataset"}


def test_paper_digest_follows_content_not_order():
    graph = typed_graph(range(3))
    digests = {p.paper_id: p.digest for b in make_plan(graph, load_schema()).paper_batches for p in b.parts}
    shuffled = nx.MultiDiGraph()
    shuffled.add_nodes_from(reversed(list(graph.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(graph.edges(keys=True, data=True))))
    again = {p.paper_id: p.digest for b in make_plan(shuffled, load_schema()).paper_batches for p in b.parts}
    assert again == digests and len(set(digests.values())) == 3
    graph.edges["paper-001", "dataset:glue", "EVALUATES_ON"]["sentence"] = 5
    changed = {p.paper_id: p.digest for b in make_plan(graph, load_schema()).paper_batches for p in b.parts}
    assert [p for p in digests if digests[p] != changed[p]] == ["paper-001"]


def test_paper_digest_is_sha256_of_canonical_json():
    """The digests stored in Neo4j by earlier versions (json.dumps, sorted keys, compact,
    UTF-8) stay valid: a store written before the switch to orjson is not rewritten."""
    graph = typed_graph(range(2))
    graph.nodes["paper-001"]["title"] = "Über-Netze: “ε-greedy” 学习 \u2028 and \\ quotes \""
    graph.edges["paper-001", "dataset:glue", "EVALUATES_ON"]["confidence"] = 0.1 + 0.2
    for part in next(make_plan(graph, load_schema()).paper_batches).parts:
        content = [[label, sorted(rows, key=lambda r: r["key"])] for label, rows in sorted(part.nodes.items())]
        content += [[list(group), sorted(rows, key=lambda r: (r["source"], r["target"]))]
                    for group, rows in sorted(part.relationships.items())]
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert part.digest == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_plan_refuses_what_the_schema_does_not_declare():
    graph = typed_graph(range(1))
    graph.nodes["paper-000"]["colour"] = "red"
    with pytest.raises(SchemaError, match="property 'colour' is not declared"):
        make_plan(graph, load_schema())
    graph = typed_graph(range(1))
    graph.add_edge("dataset:squad", "paper-000", key="MENTIONS", type="MENTIONS", count=1,
                   **provenance("paper-000", 0, "x"))
    with pytest.raises(SchemaError, match="MENTIONS cannot join Dataset to Paper"):
        make_plan(graph, load_schema())


def test_schema_statements_come_from_the_schema():
    statements = schema_statements(load_schema())
    assert any("FOR (n:Entity) REQUIRE n.id IS UNIQUE" in s for s in statements)
    for label in load_schema().entity_labels:
        assert any(f"FOR (n:{label}) REQUIRE n.id IS UNIQUE" in s for s in statements)
    assert any(s.startswith("CREATE FULLTEXT INDEX entity_names") for s in statements)
    assert any(s.startswith("CREATE FULLTEXT INDEX paper_titles") for s in statements)


def test_ensure_schema_is_idempotent_and_indexes_aliases(clean_db):
    with open_driver(clean_db) as driver:
        ensure_schema(driver, clean_db.database)
        before = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN count(*) AS c",
                                      database_=clean_db.database).records[0]["c"]
        ensure_schema(driver, clean_db.database)
        after = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN count(*) AS c",
                                     database_=clean_db.database).records[0]["c"]
        assert before == after >= len(load_schema().nodes)
        write_graph(typed_graph(range(2)), clean_db)
        found = driver.execute_query(
            "CALL db.index.fulltext.queryNodes('entity_names', 'roberta') YIELD node RETURN node.id AS id",
            database_=clean_db.database).records
        assert [r["id"] for r in found] == ["method:roberta"]


def test_ensure_schema_drops_the_index_an_interrupted_constraint_left_and_reports_a_foreign_one(clean_db):
    # A server killed while it builds a constraint keeps its index, named like the constraint and
    # owned by none (seen on 5.26 after SIGKILL during CREATE CONSTRAINT); this makes that state.
    def run(driver, statement):
        driver.execute_query(statement, database_=clean_db.database)

    with open_driver(clean_db) as driver:
        try:
            run(driver, "DROP CONSTRAINT entity_id_unique IF EXISTS")
            run(driver, "CREATE INDEX entity_id_unique FOR (n:Entity) ON (n.id)")
            ensure_schema(driver, clean_db.database)
            owner = driver.execute_query("SHOW INDEXES YIELD name, owningConstraint WHERE name = 'entity_id_unique' "
                                         "RETURN owningConstraint", database_=clean_db.database).records
            assert [r["owningConstraint"] for r in owner] == ["entity_id_unique"]

            run(driver, "DROP CONSTRAINT method_id_unique IF EXISTS")
            run(driver, "CREATE INDEX method_id_unique FOR (n:Method) ON (n.name)")  # someone else's index
            with pytest.raises(SchemaError) as caught:
                ensure_schema(driver, clean_db.database)
            assert "method_id_unique" in caught.value.message and "DROP INDEX" in caught.value.message
        finally:
            run(driver, "DROP INDEX method_id_unique IF EXISTS")
            ensure_schema(driver, clean_db.database)


def test_write_read_back_rewrite_and_increment(clean_db):
    first = typed_graph(range(10))
    report = write_graph(first, clean_db, batch_size=4)
    expected = graph_counts(first)
    assert read_counts(clean_db) == expected
    assert report.papers == 10
    assert report.nodes_created == first.number_of_nodes()
    assert report.relationships_created == first.number_of_edges()

    again = write_graph(first, clean_db, batch_size=4)
    assert read_counts(clean_db) == expected
    assert (again.nodes_created, again.relationships_created) == (0, 0)
    assert again.nodes_matched == first.number_of_nodes()

    bigger = typed_graph(range(12), extra_method="XLNet")
    more = write_graph(bigger, clean_db, batch_size=4)
    assert read_counts(clean_db) == graph_counts(bigger)
    assert more.nodes_created == 3  # two papers and the new method
    assert more.relationships_created == bigger.number_of_edges() - first.number_of_edges()


def test_a_changed_paper_is_replaced_and_nothing_stale_stays(clean_db):
    first = typed_graph(range(6), extra_method="XLNet")
    write_graph(first, clean_db, batch_size=4)
    # Paper 5 is extracted again and now says less: no XLNet, no OUTPERFORMS, a different dataset.
    second = typed_graph(range(6))
    second.remove_edges_from([(u, v, k) for u, v, k in second.edges(keys=True) if k == "OUTPERFORMS|paper-005"])
    second.remove_edge("paper-005", "dataset:glue", key="EVALUATES_ON")
    second.add_edge("paper-005", "dataset:squad", key="EVALUATES_ON", type="EVALUATES_ON",
                    **provenance("paper-005", 2, "evaluated_on"))
    second.nodes["paper-005"]["title"] = "Paper number 5, revised"
    report = write_graph(second, clean_db, batch_size=4)
    assert (report.papers_unchanged, report.papers_replaced) == (5, 1)
    assert dumps(read_graph(clean_db)) == dumps(second)  # XLNet and the old statements are gone
    assert report.nodes_deleted == 1 and report.relationships_deleted > 0
    again = write_graph(second, clean_db, batch_size=4)
    assert (again.papers_unchanged, again.nodes_created, again.relationships_created) == (6, 0, 0)


def test_properties_and_provenance_read_back(clean_db):
    graph = typed_graph(range(3))
    write_graph(graph, clean_db)
    with open_driver(clean_db) as driver:
        rows = driver.execute_query(
            "MATCH (a:Method)-[r:OUTPERFORMS]->(b:Method) RETURN a.id AS a, b.id AS b, r ORDER BY r.paper_id",
            database_=clean_db.database).records
        labels = driver.execute_query("MATCH (m {id: 'method:bert'}) RETURN labels(m) AS l",
                                      database_=clean_db.database).records[0]["l"]
    stated = sorted((u, v, dict(d)) for u, v, d in graph.edges(data=True) if d["type"] == "OUTPERFORMS")
    read = sorted((r["a"], r["b"], {"type": "OUTPERFORMS", **dict(r["r"])}) for r in rows)
    assert read == stated
    assert sorted(labels) == ["Entity", "Method"]


def test_relationship_to_a_missing_node_is_refused(clean_db):
    graph = typed_graph(range(1))
    graph.add_node("method:ghost", label="Method")  # declared label but no required properties
    graph.remove_node("method:ghost")
    report = write_graph(graph, clean_db)
    assert report.relationships_created == graph.number_of_edges()


def test_concurrent_writers_and_a_paper_node_without_digest(clean_db):
    """Three transactions at once give the same graph as one; a paper node already in Neo4j
    without kg's digest (made by hand) is taken over, not duplicated; entities already there
    are merged into, not created again."""
    graph = typed_graph(range(9), extra_method="XLNet")
    with open_driver(clean_db) as driver:
        ensure_schema(driver, clean_db.database)
        driver.execute_query("CREATE (:Paper {id: 'paper-004', title: 'typed by hand', note: 'stale'}) "
                             "CREATE (:Method:Entity {id: 'method:bert', name: 'BERT'})",
                             database_=clean_db.database)
    report = write_graph(graph, clean_db, batch_size=2, writers=3)
    assert dumps(read_graph(clean_db)) == dumps(graph)
    assert report.papers_replaced == 1
    assert report.nodes_created == graph.number_of_nodes() - 2
    assert report.relationships_created == graph.number_of_edges()


def test_a_node_holding_an_entity_id_under_another_label_is_a_clear_error(clean_db):
    graph = typed_graph(range(2))
    with open_driver(clean_db) as driver:
        ensure_schema(driver, clean_db.database)
        driver.execute_query("CREATE (:Dataset:Entity {id: 'method:bert', name: 'BERT'})", database_=clean_db.database)
    with pytest.raises(Neo4jServerError, match="refused a node as a duplicate") as refused:
        write_graph(graph, clean_db)
    assert "under another label" in str(refused.value)
    assert read_counts(clean_db)["nodes"].get("Paper", 0) == 0  # nothing of the papers was written


def test_read_graph_gives_back_the_written_graph(clean_db):
    graph = typed_graph(range(5), extra_method="XLNet")
    write_graph(graph, clean_db)
    assert dumps(read_graph(clean_db)) == dumps(graph)
