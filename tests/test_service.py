"""The HTTP service through the real app, served by uvicorn on a loopback port, over the real Neo4j.

The fixture graph (tests/test_queries_graph.py) is loaded first, so documents, search
and query rows are known exactly.
"""
from __future__ import annotations

import threading
import time

import httpx
import pytest

from test_queries_graph import load_fixture

TOKEN = "test-token-of-the-service"


class Served:
    """A uvicorn server in a background thread, on a free loopback port."""

    def __init__(self, app):
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def base_url(neo4j_settings):
    from kg.service.app import create_app
    from kg.service.config import ServiceConfig

    load_fixture(neo4j_settings)
    app = create_app(neo4j_settings, ServiceConfig(timeout=15.0, max_body_bytes=16 * 1024, token=TOKEN))
    with Served(app) as url:
        yield url


@pytest.fixture(scope="module")
def http(base_url):
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def counts(http) -> list:
    body = http.post("/cypher", headers=AUTH, json={
        "query": "MATCH (n) WITH count(n) AS nodes MATCH ()-[r]->() RETURN nodes, count(r) AS rels"}).json()
    return body["rows"]


def assert_error(response, status: int, kind: str, message: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "message", "where", "fix"}
    assert body["error"] == kind
    if message is not None:
        assert message in body["message"]
    return body


def test_openapi_and_docs_are_served(http):
    schema = http.get("/openapi.json").json()
    assert {"/queries", "/queries/{name}", "/cypher", "/entities/search", "/entities/{entity_id}",
            "/entities/{entity_id}/page", "/papers/{paper_id}", "/health"} <= set(schema["paths"])
    assert "text/html" in http.get("/docs").headers["content-type"]
    assert http.get("/health").json() == {"status": "ok", "neo4j": "reachable", "queries": 15,
                                          "token_required_for_cypher": True}


def test_named_queries_are_listed_and_run_with_json_parameters(http):
    from kg.queries import catalogue

    listed = http.get("/queries").json()["queries"]
    assert [q["name"] for q in listed] == list(catalogue())
    leaderboard = http.get("/queries/leaderboard").json()
    assert [p["name"] for p in leaderboard["params"]] == ["dataset", "metric", "order", "limit"]
    assert leaderboard["params"][2] == {"name": "order", "type": "str", "required": False, "default": "desc",
                                        "doc": "desc when higher is better, asc when lower is better."}
    response = http.post("/queries/methods_on_dataset", json={"params": {"dataset": "squad"}})
    assert response.status_code == 200
    assert response.json() == {
        "columns": ["method", "dataset", "papers", "paper_ids"],
        "rows": [{"method": "BERT", "dataset": "SQuAD", "papers": 2, "paper_ids": ["p-bert", "p-roberta"]},
                 {"method": "RoBERTa", "dataset": "SQuAD", "papers": 1, "paper_ids": ["p-roberta"]}],
        "count": 2, "limit": 100, "offset": 0, "has_more": False}


def test_pagination_and_row_caps(http):
    first = http.post("/queries/top_entities?limit=2", json={"params": {"type": "all"}}).json()
    second = http.post("/queries/top_entities?limit=2&offset=2", json={"params": {"type": "all"}}).json()
    everything = http.post("/queries/top_entities", json={"params": {"type": "all"}}).json()
    assert first["has_more"] and second["has_more"] and not everything["has_more"]
    assert first["rows"] + second["rows"] == everything["rows"][:4]
    assert everything["count"] == 12
    assert_error(http.post("/queries/top_entities?limit=1001", json={}), 422, "ValidationError",
                 "less than or equal to 1000")
    assert_error(http.post("/queries/top_entities?offset=-1", json={}), 422, "ValidationError")
    rows = http.post("/cypher?limit=3", headers=AUTH, json={"query": "UNWIND range(1, 100000) AS x RETURN x"}).json()
    assert rows["rows"] == [{"x": 1}, {"x": 2}, {"x": 3}] and rows["has_more"] is True


def test_one_error_shape_for_every_failure(http):
    assert_error(http.get("/no/such/route"), 404, "NotFound")
    assert_error(http.delete("/queries"), 405, "MethodNotAllowed")
    assert_error(http.get("/queries/nope"), 404, "NotFound", "no named query 'nope'")
    assert_error(http.post("/queries/nope", json={}), 404, "NotFound")
    body = assert_error(http.post("/queries/leaderboard", json={"params": {"dataset": "SQuAD"}}), 400,
                        "QueryError", "needs parameter 'metric'")
    assert body["where"] == "queries/leaderboard.cypher"
    assert_error(http.post("/queries/top_entities", json={"params": {"limit": "ten"}}), 400, "QueryError",
                 "'limit' must be int")
    assert_error(http.post("/queries/top_entities", json={"parameters": {}}), 422, "ValidationError")
    assert_error(http.post("/queries/top_entities", content=b"{not json", headers={"content-type": "application/json"}),
                 422, "ValidationError")
    assert_error(http.get("/entities/method:nope"), 404, "NotFound", "no entity with id 'method:nope'")
    assert_error(http.get("/papers/nope"), 404, "NotFound")
    assert_error(http.get("/entities/method:nope/page"), 404, "NotFound")
    assert_error(http.post("/cypher", headers=AUTH, json={"query": "MATC (n) RETURN n"}), 400, "QueryError",
                 "SyntaxError")


def test_body_size_is_capped(http):
    big = {"query": "RETURN $x AS x", "params": {"x": "a" * 20_000}}
    body = assert_error(http.post("/cypher", headers=AUTH, json=big), 413, "PayloadTooLarge")
    assert "16384 bytes" in body["message"]

    def chunks():  # no Content-Length: the cap still holds
        yield b'{"query": "RETURN 1", "params": {"x": "'
        for _ in range(40):
            yield b"a" * 1000
        yield b'"}}'

    assert_error(http.post("/cypher", headers={**AUTH, "content-type": "application/json"}, content=chunks()),
                 413, "PayloadTooLarge")


def test_cypher_needs_the_bearer_token(http):
    query = {"query": "RETURN 1 AS one"}
    response = http.post("/cypher", json=query)
    assert_error(response, 401, "Unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    assert_error(http.post("/cypher", json=query, headers={"Authorization": "Bearer wrong"}), 401, "Unauthorized")
    assert http.post("/cypher", json=query, headers=AUTH).json()["rows"] == [{"one": 1}]
    # the token guards ad-hoc Cypher only
    assert http.post("/queries/top_entities", json={}).status_code == 200


WRITES = [
    "CREATE (n:Paper {id: 'written'})",
    "MERGE (n:Paper {id: 'written'}) RETURN n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (p:Paper) CALL (p) { DETACH DELETE p } RETURN count(*)",
    "CALL { CREATE (:Paper {id: 'written'}) } RETURN 1",
    "LOAD CSV FROM 'file:///etc/passwd' AS row CREATE (:Paper {id: row[0]})",
    "LOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS row RETURN row",
    "CREATE INDEX written FOR (n:Paper) ON (n.venue)",
    "PROFILE MATCH (n) DETACH DELETE n",
    "MATCH (n:Method) SET n.name = $name",
]


@pytest.mark.parametrize("cypher", WRITES)
def test_writes_are_refused_and_nothing_changes(http, cypher):
    before = counts(http)
    response = http.post("/cypher", headers=AUTH, json={"query": cypher, "params": {"name": "changed"}})
    assert_error(response, 403, "QueryRefused", "refused:")
    assert counts(http) == before
    names = http.post("/queries/top_entities", json={"params": {"type": "all", "limit": 100}}).json()["rows"]
    assert "changed" not in {r["name"] for r in names}


def test_cypher_looking_values_are_inert(http):
    before = counts(http)
    for value in ("x'}) DETACH DELETE n //", "') CREATE (:Paper {id: 'evil'}) //", "*:* OR name:(x)", "\\"):
        response = http.post("/queries/entity_profile", json={"params": {"name": value}})
        assert response.json()["rows"] == []
        echoed = http.post("/cypher", headers=AUTH, json={"query": "RETURN $v AS v", "params": {"v": value}})
        assert echoed.json()["rows"] == [{"v": value}]
        search = http.get("/entities/search", params={"q": value})
        assert search.status_code in (200, 400), search.text
    assert counts(http) == before


def test_timeout_is_enforced_by_neo4j(base_url, neo4j_settings):
    from kg.service.app import create_app
    from kg.service.config import ServiceConfig

    app = create_app(neo4j_settings, ServiceConfig(timeout=1.0))  # no token: /cypher is open
    slow = {"query": "UNWIND range(1, 1000000000) AS x WITH x WHERE x % 7 = 100 RETURN count(x)"}
    with Served(app) as url:
        began = time.monotonic()
        response = httpx.post(f"{url}/cypher", json=slow, timeout=60)
        assert time.monotonic() - began < 30
        assert_error(response, 504, "QueryTimeout", "time limit")
        named = httpx.post(f"{url}/queries/top_entities", json={}, timeout=60)
        assert named.status_code == 200


def test_entity_search_exact_prefix_fuzzy_and_alias(http):
    def ids(**params):
        body = http.get("/entities/search", params=params).json()
        return [hit["id"] for hit in body["results"]]

    assert ids(q="BERT") == ["method:bert", "method:bert-large"]          # exact first, then BERT-large
    assert ids(q="rober") == ["method:roberta"]                             # prefix
    assert ids(q="Reberta") == ["method:roberta"]                           # fuzzy (one edit)
    assert ids(q="ILSVRC") == ["dataset:imagenet"]                          # alias
    assert ids(q="stanford question") == ["dataset:squad"]                  # words of an alias
    assert ids(q="bert", type="method", limit=1) == ["method:bert"]
    assert ids(q="bert", type="dataset") == []
    page = http.get("/entities/search", params={"q": "bert", "limit": 1, "offset": 1}).json()
    assert [h["id"] for h in page["results"]] == ["method:bert-large"] and page["has_more"] is False
    assert_error(http.get("/entities/search", params={"q": "+-&&"}), 400, "QueryError", "nothing to search for")
    assert_error(http.get("/entities/search", params={"q": "bert", "type": "planet"}), 422, "ValidationError")


def test_entity_and_paper_documents(http):
    doc = http.get("/entities/method:bert").json()
    assert doc["entity"] == {"label": "Method", "id": "method:bert", "name": "BERT", "type": "method",
                             "aliases": ["BERT", "Bidirectional Encoder Representations from Transformers"],
                             "alias_counts": [4, 1], "mention_count": 5, "paper_count": 3}
    assert [p["id"] for p in doc["papers"]] == ["p-large", "p-roberta", "p-bert"]
    assert doc["papers_total"] == 3
    assert [(r["relation"], r["paper_id"]) for r in doc["paper_relations"]] == [("PROPOSES", "p-bert")]
    links = {(link["relation"], link["direction"], link["name"]) for link in doc["links"]}
    assert {("OUTPERFORMS", "out", "ELMo"), ("OUTPERFORMS", "in", "RoBERTa"), ("VARIANT_OF", "in", "BERT-large"),
            ("EVALUATED_ON", "out", "GLUE"), ("EVALUATED_ON", "out", "SQuAD"), ("OF_METHOD", "in", "93.2")} <= links
    paged = http.get("/entities/method:bert", params={"limit": 1, "offset": 1}).json()
    assert [p["id"] for p in paged["papers"]] == ["p-roberta"]

    paper = http.get("/papers/p-roberta").json()
    assert paper["paper"]["title"] == "RoBERTa: A Robustly Optimized BERT Pretraining Approach"
    assert paper["paper"]["year"] == 2020
    assert {(e["relation"], e["name"]) for e in paper["entities"] if e["relation"] != "MENTIONS"} == {
        ("PROPOSES", "RoBERTa"), ("EVALUATES_ON", "GLUE"), ("EVALUATES_ON", "SQuAD"),
        ("ADDRESSES", "question answering"), ("USES_METRIC", "F1")}
    assert [(r["method"], r["value"], r["dataset"], r["metric"]) for r in paper["results"]] == [
        ("BERT", "93.0", "SQuAD", "F1"), ("RoBERTa", "94.6", "SQuAD", "F1")]
    assert [(s["relation"], s["source"], s["target"]) for s in paper["statements"]] == [
        ("EVALUATED_ON", "RoBERTa", "SQuAD"), ("OUTPERFORMS", "RoBERTa", "BERT")]


def test_neighbourhood_page_is_an_interactive_html_page(http):
    response = http.get("/entities/method:elmo/page", params={"depth": 1})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    text = response.text
    assert "<title>kg: ELMo and its neighbourhood</title>" in text
    assert "vis" in text and "BERT" in text
    assert "ResNet" not in text  # not within one hop of ELMo
    assert_error(http.get("/entities/method:elmo/page", params={"depth": 3}), 422, "ValidationError")


# ---------------------------------------------------------------- schema-driven fuzzing

import schemathesis  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402


@pytest.fixture(scope="module")
def api_schema(base_url):
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json")


def test_fuzz_no_server_error(api_schema, http):
    """Every operation, fed schema-driven (and schema-breaking) inputs: no 5xx, nothing written."""
    from hypothesis import given
    from schemathesis.checks import not_a_server_error

    before = counts(http)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 9
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=AUTH, checks=[not_a_server_error])

        check()
    assert counts(http) == before
