"""Named queries, the catalogue, and ``kg query``: against the real Neo4j and the fixture graph.

The fixture (tests/test_queries_graph.py) is small enough that every expected row below
can be checked by hand against its definition.
"""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import QueryError
from kg.queries import catalogue, get, parse_query
from kg.schema import load_schema

from test_queries_graph import load_fixture


# ---------------------------------------------------------------- catalogue (no Neo4j)

def test_catalogue_has_the_required_queries_each_with_a_full_header():
    queries = catalogue()
    assert len(queries) >= 12
    for required in ("methods_on_dataset", "datasets_for_task", "paper_overview", "top_entities",
                     "co_mentioned_methods", "leaderboard", "outperforms", "similar_papers",
                     "entity_profile", "shortest_path", "rising_entities", "single_mention_entities",
                     "papers_without_entities"):
        assert required in queries
    for query in queries.values():
        assert query.title and query.description, query.name
        assert query.examples and query.examples[0].startswith(f"kg query {query.name}"), query.name
        for param in query.params:
            assert param.doc, f"{query.name}.{param.name} has no description"


def test_queries_name_only_labels_and_types_the_schema_declares():
    schema = load_schema()
    for query in catalogue().values():
        body = "\n".join(line for line in query.text.splitlines() if not line.strip().startswith("//"))
        body = re.sub(r"'[^']*'", "''", body)
        labels = {label for group in re.findall(r"\(\s*\w*\s*:\s*([A-Za-z|]+)", body) for label in group.split("|")}
        types = {t for group in re.findall(r"\[\s*\w*\s*:\s*([A-Z_|]+)", body) for t in group.split("|")}
        assert labels <= set(schema.nodes), (query.name, labels - set(schema.nodes))
        assert types <= set(schema.relationships), (query.name, types - set(schema.relationships))
        assert labels, query.name


def test_every_example_binds_to_its_query():
    from kg.cli.query import named_values

    for query in catalogue().values():
        words = re.findall(r'--param\s+"([^"]+)"|--param\s+(\S+)', query.examples[0])
        values = named_values(query, tuple(a or b for a, b in words))
        bound = query.bind(values)
        assert set(bound) == {p.name for p in query.params}


def test_bind_checks_names_types_and_required_values():
    query = get("leaderboard")
    assert query.bind({"dataset": "SQuAD", "metric": "F1"}) == {
        "dataset": "SQuAD", "metric": "F1", "order": "desc", "limit": 20}
    with pytest.raises(QueryError, match="needs parameter 'metric'"):
        query.bind({"dataset": "SQuAD"})
    with pytest.raises(QueryError, match="has no parameter 'colour'"):
        query.bind({"dataset": "SQuAD", "metric": "F1", "colour": "red"})
    with pytest.raises(QueryError, match="'limit' must be int"):
        query.bind({"dataset": "SQuAD", "metric": "F1", "limit": "ten"})
    with pytest.raises(QueryError, match="'limit' must be int"):
        query.bind({"dataset": "SQuAD", "metric": "F1", "limit": True})
    with pytest.raises(QueryError, match="no named query 'nope'"):
        get("nope")


def test_header_mistakes_are_reported_with_file_and_line():
    with pytest.raises(QueryError) as error:
        parse_query("q", "// Title.\n// @param x: date  A day.\nRETURN $x", source="queries/q.cypher")
    assert error.value.where == "queries/q.cypher:2"
    with pytest.raises(QueryError, match=r"used but not declared \['y'\]"):
        parse_query("q", "// Title.\n// @param x: int  A number.\nRETURN $x, $y", source="queries/q.cypher")
    with pytest.raises(QueryError, match="no header title"):
        parse_query("q", "RETURN 1", source="queries/q.cypher")
    query = parse_query("q", "// Title.\n// @param tags: list = [\"a\", \"b\"]  Tags.\n"
                             "// @param n: float = 2  N.\nRETURN $tags, $n, '$notaparam'")
    assert query.bind({}) == {"tags": ["a", "b"], "n": 2.0}


# ---------------------------------------------------------------- against Neo4j

@pytest.fixture(scope="module")
def graph_db(neo4j_settings):
    load_fixture(neo4j_settings)
    return neo4j_settings


@pytest.fixture(scope="module")
def driver(graph_db):
    from kg.connection import open_driver

    with open_driver(graph_db) as driver:
        yield driver


def rows(driver, query_name, **values):
    from kg.querying import run_named

    return run_named(driver, query_name, values).records()


def counts(driver) -> tuple[int, int]:
    with driver.session() as session:
        nodes = session.run("MATCH (n) RETURN count(n) AS n").single()["n"]
        rels = session.run("MATCH ()-[r]->() RETURN count(r) AS n").single()["n"]
    return nodes, rels


FIXTURE_COUNTS = (12 + 5 + 4, None)


def test_methods_on_dataset(driver):
    assert rows(driver, "methods_on_dataset", dataset="squad") == [
        {"method": "BERT", "dataset": "SQuAD", "papers": 2, "paper_ids": ["p-bert", "p-roberta"]},
        {"method": "RoBERTa", "dataset": "SQuAD", "papers": 1, "paper_ids": ["p-roberta"]},
    ]
    # by alias, any case
    assert [r["method"] for r in rows(driver, "methods_on_dataset", dataset="ilsvrc")] == ["ResNet"]
    assert rows(driver, "methods_on_dataset", dataset="GLUE", limit=1) == [
        {"method": "BERT", "dataset": "GLUE", "papers": 1, "paper_ids": ["p-bert"]}]


def test_datasets_for_task(driver):
    expected = [
        {"name": "GLUE", "type": "benchmark", "evaluated_in": 2, "papers": 2, "paper_ids": ["p-bert", "p-roberta"]},
        {"name": "SQuAD", "type": "dataset", "evaluated_in": 2, "papers": 2, "paper_ids": ["p-bert", "p-roberta"]},
    ]
    assert rows(driver, "datasets_for_task", task="QA") == expected
    assert rows(driver, "datasets_for_task", task="Question Answering") == expected


def test_paper_overview(driver):
    got = rows(driver, "paper_overview", paper="1810.04805")
    assert [(r["relation"], r["entity"], r["detail"]) for r in got] == [
        ("PROPOSES", "BERT", None),
        ("EVALUATES_ON", "GLUE", None),
        ("EVALUATES_ON", "SQuAD", None),
        ("ADDRESSES", "question answering", None),
        ("USES_METRIC", "F1", None),
        ("REPORTS", "BERT", "93.2 F1 on SQuAD"),
    ]
    assert {r["paper"] for r in got} == {"p-bert"}
    assert got[-1]["evidence"] == "BERT reaches 93.2 F1 on SQuAD."
    assert rows(driver, "paper_overview", paper="p-bert") == got
    assert rows(driver, "paper_overview", paper="bert: pre-training of deep bidirectional transformers") == got


def test_top_entities(driver):
    assert rows(driver, "top_entities") == [
        {"name": "BERT", "type": "method", "papers": 3, "mentions": 5},
        {"name": "ResNet", "type": "method", "papers": 1, "mentions": 3},
        {"name": "ELMo", "type": "method", "papers": 1, "mentions": 2},
        {"name": "RoBERTa", "type": "method", "papers": 1, "mentions": 2},
        {"name": "BERT-large", "type": "method", "papers": 1, "mentions": 1},
    ]
    assert [r["name"] for r in rows(driver, "top_entities", type="Dataset")] == ["SQuAD", "ImageNet"]
    assert len(rows(driver, "top_entities", type="all", limit=100)) == 12


def test_co_mentioned_methods(driver):
    assert rows(driver, "co_mentioned_methods") == [
        {"method_a": "BERT", "method_b": "BERT-large", "papers": 1, "paper_ids": ["p-large"]},
        {"method_a": "BERT", "method_b": "ELMo", "papers": 1, "paper_ids": ["p-bert"]},
        {"method_a": "BERT", "method_b": "RoBERTa", "papers": 1, "paper_ids": ["p-roberta"]},
    ]
    assert rows(driver, "co_mentioned_methods", method="elmo") == [
        {"method_a": "BERT", "method_b": "ELMo", "papers": 1, "paper_ids": ["p-bert"]}]
    assert rows(driver, "co_mentioned_methods", min_papers=2) == []


def test_leaderboard(driver):
    got = rows(driver, "leaderboard", dataset="Stanford Question Answering Dataset", metric="f1 score")
    assert [(r["method"], r["value"], r["number"], r["results"], r["paper_id"]) for r in got] == [
        ("RoBERTa", "94.6", 94.6, 1, "p-roberta"),
        ("BERT", "93.2", 93.2, 2, "p-bert"),  # the best of BERT's two results
    ]
    ascending = rows(driver, "leaderboard", dataset="SQuAD", metric="F1", order="asc")
    assert [(r["method"], r["value"]) for r in ascending] == [("BERT", "93.0"), ("RoBERTa", "94.6")]


def test_outperforms(driver):
    assert rows(driver, "outperforms") == [
        {"winner": "BERT", "loser": "ELMo", "datasets": ["GLUE"], "stated": True, "paper_id": "p-bert",
         "evidence": "BERT outperforms ELMo."},
        {"winner": "RoBERTa", "loser": "BERT", "datasets": ["GLUE", "SQuAD"], "stated": False,
         "paper_id": "p-roberta", "evidence": "RoBERTa outperforms BERT."},
    ]
    assert [r["winner"] for r in rows(driver, "outperforms", dataset="squad")] == ["RoBERTa"]
    assert [r["winner"] for r in rows(driver, "outperforms", dataset="glue")] == ["BERT", "RoBERTa"]
    assert [r["loser"] for r in rows(driver, "outperforms", method="ELMO")] == ["ELMo"]


def test_similar_papers(driver):
    assert rows(driver, "similar_papers", paper="p-bert") == [
        {"paper_id": "p-roberta", "title": "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
         "shared": 5, "union_size": 7, "jaccard": 0.7143,
         "shared_entities": ["BERT", "F1", "GLUE", "SQuAD", "question answering"]},
        {"paper_id": "p-large", "title": "Scaling BERT-large for Reading Comprehension",
         "shared": 2, "union_size": 7, "jaccard": 0.2857, "shared_entities": ["BERT", "SQuAD"]},
    ]
    assert rows(driver, "similar_papers", paper="p-bert", min_shared=3, limit=1)[0]["paper_id"] == "p-roberta"


def test_entity_profile(driver):
    [profile] = rows(driver, "entity_profile", name="bidirectional encoder representations from transformers")
    assert profile == {
        "id": "method:bert", "name": "BERT", "type": "method",
        "aliases": ["BERT", "Bidirectional Encoder Representations from Transformers"],
        "papers": 3, "mentions": 5, "first_year": 2019, "last_year": 2021,
        "proposed_by": ["p-bert"], "evaluated_on": ["GLUE", "SQuAD"], "methods_evaluated": [],
        "outperforms": ["ELMo"], "outperformed_by": ["RoBERTa"], "variant_of": [], "variants": ["BERT-large"],
        "related": ["SQuAD", "F1", "GLUE", "question answering", "BERT-large"],
    }
    [squad] = rows(driver, "entity_profile", name="SQuAD", related=1)
    assert squad["methods_evaluated"] == ["BERT", "RoBERTa"] and squad["related"] == ["BERT"]


def test_shortest_path(driver):
    assert rows(driver, "shortest_path", source="elmo", target="RoBERTa") == [
        {"hops": 2, "path": "ELMo <-[OUTPERFORMS]- BERT <-[OUTPERFORMS]- RoBERTa",
         "nodes": ["ELMo", "BERT", "RoBERTa"]}]
    # ImageNet's papers share nothing with ELMo's: no path
    assert rows(driver, "shortest_path", source="ELMo", target="ImageNet") == []
    title = "Deep Residual Learning for Image Recognition"
    paths = rows(driver, "shortest_path", source="ResNet", target="top-1 accuracy", limit=10)
    assert [r["path"] for r in paths] == [
        f"ResNet <-[MENTIONS]- {title} -[MENTIONS]-> top-1 accuracy",
        f"ResNet <-[MENTIONS]- {title} -[USES_METRIC]-> top-1 accuracy",
        "ResNet <-[OF_METHOD]- 76.1% -[MEASURED_BY]-> top-1 accuracy",
        f"ResNet <-[PROPOSES]- {title} -[MENTIONS]-> top-1 accuracy",
        f"ResNet <-[PROPOSES]- {title} -[USES_METRIC]-> top-1 accuracy",
    ]


def test_rising_entities(driver):
    assert rows(driver, "rising_entities") == [
        {"name": "BERT", "type": "method", "first_year": 2019, "earlier": 1, "recent": 2, "rise": 0.75,
         "per_year": ["2019:1", "2020:1", "2021:1"]},
        {"name": "SQuAD", "type": "dataset", "first_year": 2019, "earlier": 1, "recent": 2, "rise": 0.75,
         "per_year": ["2019:1", "2020:1", "2021:1"]},
    ]
    methods = rows(driver, "rising_entities", type="method", window=1, min_papers=1)
    # 2021 is the last year: BERT-large (new) and BERT each have one paper in it
    assert [(r["name"], r["recent"], r["earlier"]) for r in methods] == [("BERT-large", 1, 0), ("BERT", 1, 2)]


def test_quality_queries(driver):
    assert rows(driver, "single_mention_entities") == [
        {"name": "BERT-large", "type": "method", "paper_id": "p-large", "evidence": "We use BERT-large."},
        {"name": "top-1 accuracy", "type": "metric", "paper_id": "p-resnet", "evidence": "We use top-1 accuracy."},
        {"name": "image classification", "type": "task", "paper_id": "p-resnet",
         "evidence": "We use image classification."},
    ]
    assert rows(driver, "papers_without_entities") == [
        {"paper_id": "p-empty", "title": "On the Philosophy of Measurement", "source": "fixture.jsonl:p-empty"}]
    report = {r["check"]: (r["count"], r["examples"]) for r in rows(driver, "quality_report", examples=2)}
    assert report == {
        "entities mentioned once": (3, ["BERT-large", "image classification"]),
        "entities no paper mentions": (0, []),
        "papers without entities": (1, ["p-empty"]),
        "results missing method, dataset or metric": (0, []),
        "names shared by two entities of one type": (0, []),
        "methods outperforming themselves": (0, []),
    }


def test_papers_for_entity(driver):
    got = rows(driver, "papers_for_entity", name="bert")
    assert [(r["paper_id"], r["year"], r["relations"], r["mentions"]) for r in got] == [
        ("p-large", 2021, ["MENTIONS"], 1),
        ("p-roberta", 2020, ["MENTIONS"], 2),
        ("p-bert", 2019, ["MENTIONS", "PROPOSES"], 2),
    ]


def test_every_named_query_runs_with_its_example(driver):
    from kg.cli.query import named_values
    from kg.querying import run_named

    for query in catalogue().values():
        words = re.findall(r'--param\s+"([^"]+)"|--param\s+(\S+)', query.examples[0])
        result = run_named(driver, query.name, named_values(query, tuple(a or b for a, b in words)))
        assert result.columns, query.name


def test_cypher_looking_values_are_inert(driver):
    before = counts(driver)
    for value in ("x'}) DETACH DELETE n //", "SQuAD\"}) MATCH (n) DETACH DELETE n RETURN 1 //",
                  "') CREATE (:Paper {id: 'evil'}) //", "$dataset", "squad' OR 1=1 //"):
        assert rows(driver, "methods_on_dataset", dataset=value) == []
        assert rows(driver, "entity_profile", name=value) == []
    assert counts(driver) == before


# ---------------------------------------------------------------- the command line

def invoke(settings, *args):
    env = {"NEO4J_URI": settings.uri, "NEO4J_USERNAME": settings.username,
           "NEO4J_PASSWORD": settings.password or "", "NEO4J_DATABASE": settings.database or ""}
    return CliRunner().invoke(main, ["query", *args], env=env)


def test_cli_list_needs_no_neo4j():
    result = CliRunner().invoke(main, ["query", "--list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["name", "parameters", "answers"]
    assert any(line.startswith("leaderboard ") and "dataset metric [order=desc] [limit=20]" in line for line in lines)
    listed = json.loads(CliRunner().invoke(main, ["query", "--list", "--format", "json"]).output)
    assert {q["name"] for q in listed} == set(catalogue())


def test_cli_table_json_and_csv(graph_db):
    table = invoke(graph_db, "methods_on_dataset", "--param", "dataset=SQuAD")
    assert table.exit_code == 0, table.output
    assert table.output.splitlines() == [
        "method   dataset  papers  paper_ids",
        "-------  -------  ------  -----------------",
        "BERT     SQuAD         2  p-bert, p-roberta",
        "RoBERTa  SQuAD         1  p-roberta",
    ]
    as_json = invoke(graph_db, "methods_on_dataset", "-p", "dataset=SQuAD", "--format", "json")
    assert json.loads(as_json.output) == [
        {"method": "BERT", "dataset": "SQuAD", "papers": 2, "paper_ids": ["p-bert", "p-roberta"]},
        {"method": "RoBERTa", "dataset": "SQuAD", "papers": 1, "paper_ids": ["p-roberta"]},
    ]
    as_csv = invoke(graph_db, "methods_on_dataset", "-p", "dataset=SQuAD", "--format", "csv")
    assert as_csv.output == "method,dataset,papers,paper_ids\nBERT,SQuAD,2,p-bert; p-roberta\nRoBERTa,SQuAD,1,p-roberta\n"


def test_cli_cypher_file_and_typed_params(graph_db, tmp_path):
    result = invoke(graph_db, "--cypher", "MATCH (m:Method) WHERE m.name STARTS WITH $p RETURN m.name AS name "
                    "ORDER BY name", "-p", "p=BERT", "--format", "csv")
    assert result.output == "name\nBERT\nBERT-large\n"
    query = tmp_path / "q.cypher"
    query.write_text("// years\nMATCH (p:Paper) WHERE p.year >= $since RETURN p.id AS id ORDER BY id\n")
    result = invoke(graph_db, "--file", str(query), "-p", "since=2021", "--format", "json")
    assert json.loads(result.output) == [{"id": "p-empty"}, {"id": "p-large"}]
    result = invoke(graph_db, "top_entities", "-p", "limit=two")
    assert result.exit_code == 1
    assert "Error: --param limit: parameter 'limit' must be int, not 'two'" in result.output
    result = invoke(graph_db, "top_entities", "-p", "colour=red")
    assert result.exit_code == 1 and "has no parameter 'colour'" in result.output
    result = invoke(graph_db, "top_entities", "-p", "limit")
    assert result.exit_code == 2 and "is not KEY=VALUE" in result.output
    result = invoke(graph_db, "top_entities", "--cypher", "RETURN 1")
    assert result.exit_code == 2 and "exactly one of NAME, --cypher TEXT or --file PATH" in result.output


WRITES = [
    "CREATE (n:Paper {id: 'written'})",
    "MERGE (n:Paper {id: 'written'}) RETURN n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Method) SET n.name = 'changed'",
    "MATCH (p:Paper) CALL (p) { DETACH DELETE p } RETURN count(*)",
    "CALL { CREATE (:Paper {id: 'written'}) } RETURN 1",
    "LOAD CSV FROM 'file:///etc/passwd' AS row CREATE (:Paper {id: row[0]})",
    "LOAD CSV FROM 'https://example.org/data.csv' AS row RETURN row",
    "CREATE INDEX written FOR (n:Paper) ON (n.venue)",
    "PROFILE MATCH (n) DETACH DELETE n",
    "// a comment first\nMATCH (n) DETACH DELETE n",
]


@pytest.mark.parametrize("cypher", WRITES)
def test_cli_refuses_writes_without_write_flag(graph_db, driver, cypher):
    before = counts(driver)
    result = invoke(graph_db, "--cypher", cypher)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: --cypher: refused: ")
    assert "(run it with --write (CLI) if you mean to change the graph" in result.output
    assert counts(driver) == before


def test_cli_write_flag_allows_a_write(graph_db, driver):
    before = counts(driver)
    made = invoke(graph_db, "--write", "--cypher", "CREATE (p:Paper {id: $id, title: 't'}) RETURN p.id AS id",
                  "-p", "id=written-by-test")
    assert made.exit_code == 0 and "written-by-test" in made.output
    assert counts(driver)[0] == before[0] + 1
    gone = invoke(graph_db, "--write", "--cypher", "MATCH (p:Paper {id: $id}) DETACH DELETE p", "-p", "id=written-by-test")
    assert gone.exit_code == 0
    assert counts(driver) == before
    refused = invoke(graph_db, "top_entities", "--write")
    assert refused.exit_code == 2 and "--write applies to --cypher/--file only" in refused.output


def test_cli_timeout_is_a_neo4j_transaction_timeout(graph_db):
    result = invoke(graph_db, "--timeout", "0.5", "--cypher",
                    "UNWIND range(1, 1000000000) AS x WITH x WHERE x % 7 = 100 RETURN count(x)")
    assert result.exit_code == 1
    assert "the query ran past its time limit and Neo4j stopped it" in result.output


def test_cli_row_limit_and_syntax_errors(graph_db):
    result = invoke(graph_db, "--limit", "2", "--cypher", "UNWIND range(1, 10) AS x RETURN x", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == "x\n1\n2\n"
    assert "(stopped after 2 rows; raise --limit for more)" in result.stderr
    result = invoke(graph_db, "--cypher", "MATC (n) RETURN n")
    assert result.exit_code == 1
    assert result.output.startswith("Error: --cypher: Neo4j rejected the query: SyntaxError: Invalid input 'MATC'")


def test_cli_without_neo4j_says_how_to_start_one():
    result = CliRunner().invoke(main, ["query", "top_entities", "--uri", "bolt://127.0.0.1:9"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: bolt://127.0.0.1:9: no Neo4j answers at bolt://127.0.0.1:9")
    assert "kg neo4j start" in result.output
