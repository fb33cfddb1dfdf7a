"""SPARQL over the export answers the named questions exactly as the graph itself does; kg sparql CLI."""
from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import QueryError, UsageError
from kg.graph.snapshot import write_snapshot
from kg.rdf import write_export
from kg.rdf.query import check_bindings, load_exports, named_query, named_queries, run_sparql


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"rdf_{name}", Path(__file__).parent / "data" / "rdf" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


graphs, answers = _load("graphs"), _load("answers")


@pytest.fixture(scope="module")
def hostile():
    return graphs.hostile_graph()


@pytest.fixture(scope="module", params=["turtle", "nt"])
def exported(request, hostile, tmp_path_factory):
    path = tmp_path_factory.mktemp("rdf") / ("graph.ttl" if request.param == "turtle" else "graph.nt")
    write_export(hostile, path, format=request.param)
    return load_exports([path])


@pytest.mark.parametrize("dataset", ["SQuAD", "stanford question answering DATASET", "glue", "nothing"])
def test_methods_on_dataset_matches_the_graph(exported, hostile, dataset):
    columns, rows = run_sparql(exported, named_query("methods_on_dataset").text, {"dataset": dataset})
    assert columns == ["method", "dataset_name", "papers", "paper_ids"]
    assert answers.as_set(rows, 3) == answers.methods_on_dataset(hostile, dataset)


@pytest.mark.parametrize("task", ["question answering", "qa", "nothing"])
def test_datasets_for_task_matches_the_graph(exported, hostile, task):
    columns, rows = run_sparql(exported, named_query("datasets_for_task").text, {"task": task})
    assert columns == ["name", "type", "evaluated_in", "papers", "paper_ids"]
    assert answers.as_set(rows, 4) == answers.datasets_for_task(hostile, task)
    assert [r[2] for r in rows] == sorted((r[2] for r in rows), reverse=True)


@pytest.mark.parametrize("paper", ["p-plain", "p-hostile/1 #x?y=z", "2107.00001", graphs.HOSTILE_TITLE.upper()])
def test_paper_overview_matches_the_graph(exported, hostile, paper):
    columns, rows = run_sparql(exported, named_query("paper_overview").text, {"paper": paper})
    assert columns == ["paper_id", "relation", "entity", "type", "detail", "evidence"]
    expected = answers.paper_overview(hostile, paper)
    assert Counter(tuple(r) for r in rows) == expected and expected
    order = ["PROPOSES", "EVALUATES_ON", "ADDRESSES", "USES_METRIC", "REPORTS"]
    assert [order.index(r[1]) for r in rows] == sorted(order.index(r[1]) for r in rows)


def test_a_parameter_is_a_value_never_query_text(exported):
    injection = 'x")) } UNION { ?d ?p ?o } #'
    _, rows = run_sparql(exported, named_query("methods_on_dataset").text, {"dataset": injection})
    assert rows == []


def test_named_query_headers_declare_their_parameters():
    declared = {q.name: [p[0] for p in q.params] for q in named_queries()}
    assert declared == {"datasets_for_task": ["task"], "methods_on_dataset": ["dataset"], "paper_overview": ["paper"]}
    cypher = Path(__file__).resolve().parents[1] / "queries"
    for name in declared:  # twins of the named Cypher queries
        assert (cypher / f"{name}.cypher").is_file()
    with pytest.raises(UsageError, match="needs --param dataset"):
        check_bindings(named_query("methods_on_dataset"), {})
    with pytest.raises(QueryError, match="no parameter 'colour'"):
        check_bindings(named_query("methods_on_dataset"), {"dataset": "x", "colour": "red"})
    with pytest.raises(QueryError, match="no named SPARQL query"):
        named_query("../etc/passwd")


# ------------------------------------------------------------------ CLI
@pytest.fixture(scope="module")
def snapshot_dir(hostile, tmp_path_factory):
    folder = tmp_path_factory.mktemp("snap")
    write_snapshot(hostile, folder)
    return folder


def test_cli_export_then_sparql_table_json_csv(snapshot_dir, tmp_path):
    runner = CliRunner()
    out = tmp_path / "g.nt"
    result = runner.invoke(main, ["export", str(snapshot_dir), "--format", "nt", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "triples (nt)" in result.output
    result = runner.invoke(main, ["sparql", "methods_on_dataset", "--param", "dataset=squad", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["method", "dataset_name", "papers", "paper_ids"]
    assert lines[2].split()[:3] == ["BERT", "SQuAD", "2"]
    result = runner.invoke(main, ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"n": len(out.read_text(encoding="utf-8").splitlines())}]
    query = tmp_path / "q.rq"
    query.write_text("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                     "SELECT ?name WHERE { ?e skos:prefLabel ?name } ORDER BY ?name LIMIT 2", encoding="utf-8")
    result = runner.invoke(main, ["sparql", "--file", str(query), str(out), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["name", "BERT", "BERT-base"]


def test_cli_export_default_path_and_validate(snapshot_dir):
    result = CliRunner().invoke(main, ["export", str(snapshot_dir), "--validate"])
    assert result.exit_code == 0, result.output
    assert (snapshot_dir / "graph.ttl").is_file()
    assert "conforms to schema/shapes.ttl" in result.output


def test_cli_export_to_stdout_streams_nquads(snapshot_dir):
    result = CliRunner().invoke(main, ["export", str(snapshot_dir), "-f", "nquads", "--out", "-",
                                       "--base-iri", "https://example.org/kg/"])
    assert result.exit_code == 0, result.output
    assert "<https://example.org/kg/graph> .\n" in result.stdout


@pytest.mark.parametrize("args, code, text", [
    (["export"], 2, "give a snapshot DIR or --neo4j"),
    (["export", "{dir}", "--base-iri", "example.org"], 2, "base IRI 'example.org' is not usable"),
    (["export", "{missing}"], 1, "no graph snapshot here"),
    (["sparql"], 2, "no query given"),
    (["sparql", "methods_on_dataset", "{ttl}"], 2, "needs --param dataset"),
    (["sparql", "SELECT WHERE", "{ttl}"], 1, "SPARQL failed"),
    (["sparql", "SELECT * WHERE { ?s ?p ?o }", "{dir}/graph.csv"], 2, "cannot tell the RDF format of graph.csv"),
    (["sparql", "SELECT * WHERE { ?s ?p ?o }", "{dir}/absent.ttl"], 1, "no such RDF file"),
    (["sparql", "no_such_query", "{ttl}"], 1, "no named SPARQL query 'no_such_query'"),
])
def test_cli_errors_say_what_where_and_how(snapshot_dir, tmp_path, args, code, text):
    ttl = tmp_path / "g.ttl"
    write_export(graphs.hostile_graph(), ttl)
    fill = {"{dir}": str(snapshot_dir), "{missing}": str(tmp_path / "none"), "{ttl}": str(ttl)}
    for key, value in fill.items():
        args = [a.replace(key, value) for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code, result.output
    assert text in result.output
