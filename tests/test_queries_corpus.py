"""Named queries over the seed corpus graph in the real Neo4j, checked against the graph itself.

The graph is built from examples/corpus by the real pipeline and written with
kg.store.write_graph; expected answers are computed from the same networkx graph in
Python, so a query that drifts from the schema or miscounts fails here.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kg.queries import catalogue

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"

pytestmark = [pytest.mark.slow, pytest.mark.neo4j]


@pytest.fixture(scope="module")
def corpus(neo4j_settings):
    from kg.connection import open_driver
    from kg.loaders import read_corpus
    from kg.pipeline import build_graph
    from kg.store import write_graph

    papers = read_corpus([str(CORPUS)]).papers
    graph, _ = build_graph(papers)
    with open_driver(neo4j_settings) as driver:
        with driver.session(database=neo4j_settings.database) as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    write_graph(graph, neo4j_settings)
    with open_driver(neo4j_settings) as driver:
        yield graph, driver


def rows(driver, query_name, **values):
    from kg.querying import run_named

    return run_named(driver, query_name, values).records()


def _labelled(graph, label):
    return [n for n, a in graph.nodes(data=True) if a["label"] == label]


def _mentions(graph):
    """entity -> {paper: count} from MENTIONS edges."""
    out: dict[str, dict[str, int]] = {}
    for paper, entity, data in graph.edges(data=True):
        if data["type"] == "MENTIONS":
            out.setdefault(entity, {})[paper] = data.get("count", 1)
    return out


def test_top_entities_match_the_graph(corpus):
    graph, driver = corpus
    mentions = _mentions(graph)
    expected = sorted(({"name": graph.nodes[e]["name"], "type": graph.nodes[e]["type"], "papers": len(by_paper),
                        "mentions": sum(by_paper.values())} for e, by_paper in mentions.items()),
                      key=lambda r: (-r["papers"], -r["mentions"], r["name"]))
    got = rows(driver, "top_entities", type="all", limit=15)
    assert [(r["papers"], r["mentions"]) for r in got] == [(r["papers"], r["mentions"]) for r in expected[:15]]
    assert got[0] == expected[0]


def test_methods_on_the_most_used_dataset_match_the_graph(corpus):
    graph, driver = corpus
    evaluated: dict[str, set[str]] = {}   # dataset -> methods, from EVALUATED_ON and from results
    for s, t, d in graph.edges(data=True):
        if d["type"] == "EVALUATED_ON":
            evaluated.setdefault(t, set()).add(s)
    for r in _labelled(graph, "Result"):
        ends = {d["type"]: t for _, t, d in graph.out_edges(r, data=True)}
        if "ON_DATASET" in ends and "OF_METHOD" in ends and graph.nodes[ends["OF_METHOD"]]["label"] == "Method":
            evaluated.setdefault(ends["ON_DATASET"], set()).add(ends["OF_METHOD"])
    top = max(evaluated, key=lambda n: (len(evaluated[n]), n))
    name = graph.nodes[top]["name"]
    got = rows(driver, "methods_on_dataset", dataset=name, limit=1000)
    # a name can be shared by a dataset and a benchmark: keep the rows of this one
    got = [r for r in got if r["dataset"] == name]
    assert {r["method"] for r in got} == {graph.nodes[n]["name"] for n in evaluated[top]}
    assert len(got) >= 2


def test_papers_without_entities_match_the_graph(corpus):
    graph, driver = corpus
    expected = sorted(p for p in _labelled(graph, "Paper")
                      if not any(d["type"] == "MENTIONS" for _, _, d in graph.out_edges(p, data=True)))
    assert [r["paper_id"] for r in rows(driver, "papers_without_entities", limit=1000)] == expected


def test_similar_papers_match_jaccard_of_the_graph(corpus):
    graph, driver = corpus
    entities = {p: {t for _, t, d in graph.out_edges(p, data=True) if d["type"] == "MENTIONS"}
                for p in _labelled(graph, "Paper")}
    paper = max(entities, key=lambda p: (len(entities[p]), p))
    expected = sorted(((round(len(entities[paper] & entities[q]) / len(entities[paper] | entities[q]), 4), q)
                       for q in entities if q != paper and entities[paper] & entities[q]),
                      key=lambda x: (-x[0], -len(entities[paper] & entities[x[1]]), x[1]))
    got = rows(driver, "similar_papers", paper=paper, limit=5)
    assert [(r["jaccard"], r["paper_id"]) for r in got] == expected[:5]


def test_every_named_query_runs_on_the_corpus(corpus):
    graph, driver = corpus
    mentions = _mentions(graph)

    def top(label):
        nodes = [n for n in _labelled(graph, label) if n in mentions]
        return graph.nodes[max(nodes, key=lambda n: (len(mentions[n]), n))]["name"]

    results = _labelled(graph, "Result")
    metric = Counter(graph.nodes[t]["name"] for r in results for _, t, d in graph.out_edges(r, data=True)
                     if d["type"] == "MEASURED_BY").most_common(1)[0][0]
    dataset = Counter(graph.nodes[t]["name"] for r in results for _, t, d in graph.out_edges(r, data=True)
                      if d["type"] == "ON_DATASET").most_common(1)[0][0]
    paper = max(_labelled(graph, "Paper"), key=lambda p: (graph.out_degree(p), p))
    methods = sorted((n for n in _labelled(graph, "Method") if n in mentions),
                     key=lambda n: (-len(mentions[n]), n))
    values = {"dataset": dataset, "metric": metric, "task": top("Task"), "paper": paper, "name": graph.nodes[methods[0]]["name"],
              "source": graph.nodes[methods[0]]["name"],
              "target": graph.nodes[methods[1]]["name"], "method": graph.nodes[methods[0]]["name"]}
    answered = {}
    for query in catalogue().values():
        needed = {p.name: values[p.name] for p in query.params if p.required}
        answered[query.name] = len(rows(driver, query.name, **needed))
    # the questions that must have answers on any real corpus
    for name in ("top_entities", "entity_profile", "paper_overview", "similar_papers", "co_mentioned_methods",
                 "datasets_for_task", "quality_report", "papers_for_entity", "shortest_path"):
        assert answered[name] > 0, (name, values)
