"""The seed corpus, built by the real pipeline, exported as RDF: it conforms to the shapes,
round-trips, and SPARQL over it answers the named questions like the graph and like
the named Cypher queries over the real Neo4j.
"""
from __future__ import annotations

import importlib.util
import time
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph

from kg.rdf import to_rdf, validate, write_export
from kg.rdf.query import load_exports, named_query, run_sparql

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"

pytestmark = pytest.mark.slow

_spec = importlib.util.spec_from_file_location("rdf_answers", Path(__file__).parent / "data" / "rdf" / "answers.py")
answers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(answers)


@pytest.fixture(scope="module")
def seed_graph():
    from kg.loaders import read_corpus
    from kg.pipeline import build_graph

    graph, _ = build_graph(read_corpus([str(CORPUS)]).papers)
    return graph


@pytest.fixture(scope="module")
def seed_export(seed_graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("seed") / "graph.nt"
    started = time.perf_counter()
    info = write_export(seed_graph, path, format="nt")
    print(f"\nseed export: {info['triples']} triples, {path.stat().st_size} bytes, "
          f"{time.perf_counter() - started:.2f}s")
    return path


@pytest.fixture(scope="module")
def seed_dataset(seed_export):
    return load_exports([seed_export])


def test_seed_export_conforms_to_the_shapes(seed_graph):
    result = validate(to_rdf(seed_graph))
    assert result.conforms, result.report[:5000]


def test_seed_export_round_trips(seed_graph, seed_export, tmp_path):
    reference = to_rdf(seed_graph)
    assert set(Graph().parse(seed_export, format="nt")) == set(reference)  # no blank nodes: set equality is isomorphism
    write_export(seed_graph, tmp_path / "graph.ttl")
    assert set(Graph().parse(tmp_path / "graph.ttl", format="turtle")) == set(reference)


def _busiest(graph, rel_type: str, by_target: bool = True, n: int = 3) -> list[str]:
    counts = Counter(graph.nodes[v if by_target else u]["name" if by_target else "title"]
                     for u, v, d in graph.edges(data=True) if d["type"] == rel_type)
    return [name for name, _ in counts.most_common(n)]


def parameters(graph) -> dict[str, list[str]]:
    """Parameter values chosen from the graph itself: the busiest datasets, tasks and papers."""
    papers = Counter(u for u, v, d in graph.edges(data=True) if d["type"] in answers.ENTITY_RELATIONS + ("REPORTS",))
    return {
        "methods_on_dataset": _busiest(graph, "ON_DATASET") + _busiest(graph, "EVALUATED_ON"),
        "datasets_for_task": _busiest(graph, "ADDRESSES"),
        "paper_overview": [p for p, _ in papers.most_common(3)],
    }


def test_sparql_answers_like_the_graph(seed_graph, seed_dataset):
    chosen = parameters(seed_graph)
    assert all(chosen.values()), chosen
    answered = Counter()
    for dataset in chosen["methods_on_dataset"]:
        _, rows = run_sparql(seed_dataset, named_query("methods_on_dataset").text, {"dataset": dataset})
        assert answers.as_set(rows, 3) == answers.methods_on_dataset(seed_graph, dataset), dataset
        answered["methods_on_dataset"] += len(rows)
    for task in chosen["datasets_for_task"]:
        _, rows = run_sparql(seed_dataset, named_query("datasets_for_task").text, {"task": task})
        assert answers.as_set(rows, 4) == answers.datasets_for_task(seed_graph, task), task
        answered["datasets_for_task"] += len(rows)
    for paper in chosen["paper_overview"]:
        _, rows = run_sparql(seed_dataset, named_query("paper_overview").text, {"paper": paper})
        assert Counter(tuple(r) for r in rows) == answers.paper_overview(seed_graph, paper), paper
        answered["paper_overview"] += len(rows)
    assert all(answered[name] > 0 for name in chosen), answered  # the comparison is not of empty answers


@pytest.fixture(scope="module")
def neo4j_seed(seed_graph, neo4j_settings):
    from kg.connection import open_driver
    from kg.store import write_graph

    with open_driver(neo4j_settings) as driver:
        with driver.session(database=neo4j_settings.database) as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    write_graph(seed_graph, neo4j_settings)
    with open_driver(neo4j_settings) as driver:
        yield driver


def test_sparql_over_the_export_answers_like_cypher_over_neo4j(seed_graph, seed_dataset, neo4j_seed):
    from kg.querying import run_named

    chosen = parameters(seed_graph)
    compared = 0
    for name, key, id_column in (("methods_on_dataset", "dataset", 3), ("datasets_for_task", "task", 4)):
        for value in chosen[name]:
            cypher = run_named(neo4j_seed, name, {key: value, "limit": 10000})
            _, rows = run_sparql(seed_dataset, named_query(name).text, {key: value})
            assert answers.as_set(rows, id_column) == answers.as_set(cypher.rows, id_column), (name, value)
            compared += len(rows)
    for paper in chosen["paper_overview"]:
        cypher = run_named(neo4j_seed, "paper_overview", {"paper": paper})
        _, rows = run_sparql(seed_dataset, named_query("paper_overview").text, {"paper": paper})
        assert Counter(tuple(r) for r in rows) == Counter(tuple(r) for r in cypher.rows), paper
        compared += len(rows)
    assert compared > 0
