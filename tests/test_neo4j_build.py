"""The seed corpus through `kg build --neo4j` into the real Neo4j, as a user runs it.

Counts read back equal the snapshot's; building again changes nothing; a file of new papers
adds only those; `kg stats/entities/show --neo4j` answer like the snapshot.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main

CORPUS = "examples/corpus"

NEW_PAPERS = [
    {"id": "new-1", "title": "Sparse Mixture Routers for Tabular Transfer",
     "abstract": "We propose TabRouter, a sparse mixture-of-experts model for tabular transfer learning. "
                 "TabRouter outperforms XGBoost on the OpenML-CC18 benchmark in terms of accuracy."},
    {"id": "new-2", "title": "Contrastive Pretraining of Molecule Graph Encoders",
     "abstract": "We introduce MolCLR++, a contrastive learning method for molecular property prediction, "
                 "and evaluate it on MoleculeNet, where it improves ROC-AUC by 2.1 points."},
]


def _env(settings) -> dict:
    env = {"NEO4J_URI": settings.uri, "NEO4J_USERNAME": settings.username,
           "NEO4J_PASSWORD": settings.password or ""}
    if settings.database:
        env["NEO4J_DATABASE"] = settings.database
    return env


def _invoke(args, settings):
    result = CliRunner().invoke(main, args, env=_env(settings), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _stats(args, settings) -> dict:
    return json.loads(_invoke(["stats", *args, "--json"], settings))


@pytest.fixture(scope="module")
def built(neo4j_settings, tmp_path_factory):
    """The seed corpus built once into an emptied database; the snapshot folder."""
    from kg.connection import open_driver

    with open_driver(neo4j_settings) as driver:
        with driver.session(database=neo4j_settings.database) as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    out = tmp_path_factory.mktemp("seed")
    _invoke(["build", CORPUS, "--out", str(out), "--neo4j", "-q"], neo4j_settings)
    return out


def test_counts_read_back_equal_the_snapshot(built, neo4j_settings):
    in_neo4j = _stats(["--neo4j"], neo4j_settings)
    in_snapshot = _stats([str(built)], neo4j_settings)
    assert in_neo4j == in_snapshot
    assert in_neo4j["nodes"]["Paper"] == 325


def test_building_again_changes_nothing(built, neo4j_settings, tmp_path):
    before = _stats(["--neo4j"], neo4j_settings)
    _invoke(["build", CORPUS, "--out", str(tmp_path), "--neo4j", "-q"], neo4j_settings)
    assert _stats(["--neo4j"], neo4j_settings) == before
    assert (tmp_path / "graph.json").read_bytes() == (built / "graph.json").read_bytes()


def test_entities_and_show_answer_like_the_snapshot(built, neo4j_settings):
    top_snapshot = json.loads(_invoke(["entities", str(built), "--type", "dataset", "--top", "5", "--json"], neo4j_settings))
    top_neo4j = json.loads(_invoke(["entities", "--neo4j", "--type", "dataset", "--top", "5", "--json"], neo4j_settings))
    assert top_neo4j == top_snapshot and len(top_snapshot) == 5
    name = top_snapshot[0]["name"]
    shown_snapshot = json.loads(_invoke(["show", name, str(built), "--json"], neo4j_settings))
    shown_neo4j = json.loads(_invoke(["show", name, "--neo4j", "--json"], neo4j_settings))
    assert shown_neo4j["id"] == shown_snapshot["id"]
    assert sorted(p["id"] for p in shown_neo4j["papers"]) == sorted(p["id"] for p in shown_snapshot["papers"])


def test_a_file_of_new_papers_adds_only_those(built, neo4j_settings, tmp_path):
    before = _stats(["--neo4j"], neo4j_settings)
    extra = tmp_path / "new.jsonl"
    extra.write_text("".join(json.dumps(p) + "\n" for p in NEW_PAPERS), encoding="utf-8")
    out = tmp_path / "out"
    _invoke(["build", CORPUS, str(extra), "--out", str(out), "--neo4j", "-q"], neo4j_settings)
    after = _stats(["--neo4j"], neo4j_settings)
    assert after["nodes"]["Paper"] == before["nodes"]["Paper"] + 2
    assert after == _stats([str(out)], neo4j_settings)
    for label, count in before["nodes"].items():
        assert after["nodes"][label] >= count


def test_files_that_fail_beside_the_neo4j_write_leave_no_claim_on_what_neo4j_holds(clean_db, tmp_path):
    """Neo4j is written by a child while the files are: when a file then fails, Neo4j already
    holds the new graph but the last snapshot is still on disk, so nothing may say that Neo4j
    holds that snapshot; the next build writes the whole graph and Neo4j ends equal to it."""
    from kg.graph.snapshot import dumps, read_snapshot
    from kg.store import read_counts, read_graph

    from seed_corpus import seed_papers, write_jsonl

    papers, inbox, out = seed_papers(), tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    write_jsonl(inbox / "a.jsonl", papers[:30])
    command = ["build", str(inbox), "--out", str(out), "--no-model", "--neo4j", "-q"]
    assert "neo4j: full write" in _invoke(command, clean_db)
    held = out / ".cache" / "neo4j-state.json"
    assert held.is_file()

    write_jsonl(inbox / "b.jsonl", papers[30:40])
    (out / "graph.html").unlink()
    (out / "graph.html").mkdir()   # the page cannot be moved into place
    failed = CliRunner().invoke(main, command, env=_env(clean_db))
    assert failed.exit_code != 0 and "graph.html" in failed.output, failed.output
    assert read_counts(clean_db)["nodes"]["Paper"] == 40   # the child wrote Neo4j all the same
    assert not held.exists()

    (out / "graph.html").rmdir()
    again = _invoke(command, clean_db)
    assert "neo4j: full write" in again and held.is_file()
    assert dumps(read_graph(clean_db)) == dumps(read_snapshot(out))
