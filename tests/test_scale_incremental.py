"""Incremental builds: the graph delta, and a second ``kg build --neo4j`` that writes only the change
yet leaves Neo4j holding exactly the new graph."""
from __future__ import annotations


import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.graph.snapshot import read_snapshot, write_snapshot
from kg.pipeline import build_graph, graph_delta

from seed_corpus import seed_papers, write_jsonl


@pytest.fixture(scope="module")
def papers():
    return list(seed_papers()[:10])


def test_delta_of_a_graph_to_its_snapshot_is_empty(papers, tmp_path):
    graph, _ = build_graph(papers, use_model=False)
    again = read_snapshot(write_snapshot(graph, tmp_path))  # lists where the graph has tuples
    delta, gone = graph_delta(again, graph)
    assert delta.number_of_nodes() == 0 and delta.number_of_edges() == 0
    assert gone == {"nodes": 0, "relationships": 0, "links": []}


def test_delta_holds_the_new_papers_and_their_edges(papers):
    old, _ = build_graph(papers[:6], use_model=False)
    new, _ = build_graph(papers, use_model=False)
    delta, _ = graph_delta(old, new)
    new_papers = {p.id for p in papers[6:]}
    assert new_papers <= set(delta)
    for source, target, key in new.edges(keys=True):
        if source in new_papers:
            assert delta.has_edge(source, target, key)
    for node in delta:  # every node of the delta is new, changed, or the end of a new or changed edge
        assert node not in old or old.nodes[node] != new.nodes[node] or any(
            True for _ in delta.in_edges(node)) or any(True for _ in delta.out_edges(node))


def test_second_build_writes_only_the_change(papers, clean_db, tmp_path):
    from kg.store import graph_counts, read_counts

    settings = clean_db
    connection = ["--uri", settings.uri, "--username", settings.username, "--password", settings.password or ""]
    corpus = tmp_path / "papers.jsonl"
    out = tmp_path / "out"

    def build(rows):
        write_jsonl(corpus, rows)
        result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out), "--no-model", "-q", "--neo4j",
                                           *connection])
        assert result.exit_code == 0, result.output
        return result.output

    first = build(papers[:6])
    assert "neo4j: full write" in first
    second = build(papers)
    assert "neo4j: incremental" in second
    graph = read_snapshot(out)
    assert read_counts(settings) == graph_counts(graph)
    from kg.connection import open_driver

    with open_driver(settings) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n", database_=settings.database)
    with_neo4j_emptied = build(papers)  # the state file no longer matches what Neo4j holds
    assert "neo4j: full write" in with_neo4j_emptied
    assert read_counts(settings) == graph_counts(graph)


def test_delta_write_of_a_paper_that_now_says_less_leaves_neo4j_equal_to_the_new_graph(papers, clean_db):
    from kg.graph.snapshot import dumps
    from kg.pipeline import write_neo4j
    from kg.store import read_graph, write_graph

    old, _ = build_graph(papers[:6], use_model=False)
    write_graph(old, clean_db)
    new = old.copy()
    dropped = next((u, v, k) for u, v, k, d in new.edges(keys=True, data=True) if d["type"] != "MENTIONS")
    new.remove_edge(*dropped)
    delta, _ = graph_delta(old, new)
    assert dropped[0] in delta and not delta.has_edge(*dropped)
    report, note = write_neo4j(new, clean_db, previous=old)
    assert "incremental" in note and report.papers_replaced == 1
    assert dumps(read_graph(clean_db)) == dumps(new)


def test_a_link_no_paper_owns_is_removed_when_the_new_build_lacks_it(papers, clean_db):
    from kg.graph.snapshot import dumps
    from kg.pipeline import write_neo4j
    from kg.store import read_graph, write_graph

    old, _ = build_graph(papers[:6], use_model=False)
    methods = sorted(n for n, label in old.nodes(data="label") if label == "Method")[:2]
    old.add_edge(methods[0], methods[1], key="VARIANT_OF", type="VARIANT_OF")
    write_graph(old, clean_db)
    new = old.copy()
    new.remove_edge(methods[0], methods[1], key="VARIANT_OF")
    delta, gone = graph_delta(old, new)
    assert gone["links"] == [("VARIANT_OF", methods[0], methods[1])]
    report, note = write_neo4j(new, clean_db, previous=old)  # the delta path
    assert "incremental" in note and report.relationships_deleted == 1
    assert dumps(read_graph(clean_db)) == dumps(new)
    write_graph(old, clean_db)
    again = write_graph(new, clean_db)  # a whole graph: what it lacks between its nodes goes
    assert again.relationships_deleted == 1 and dumps(read_graph(clean_db)) == dumps(new)
