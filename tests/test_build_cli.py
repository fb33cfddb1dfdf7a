"""kg build / stats / entities / show on real abstracts: exit codes, outputs, byte-identical snapshots."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.graph.snapshot import read_snapshot, write_snapshot
from kg.pipeline import build_graph
from test_resolve_records import extraction, paper

ABSTRACTS = [
    {"title": "Retrieval-Augmented Meta Learning for Low-Resource Text Classification",
     "abstract": "Meta learning have achieved promising performance in low-resource text classification. To deal with "
                 "this issue, we propose a meta-learning based method called Retrieval-Augmented Meta Learning(RAML). "
                 "The extensive experiments demonstrate that RAML significantly outperforms current SOTA low-resource "
                 "text classification models.", "date": "2024-06-06"},
    {"title": "Self-supervised learning of Split Invariant Equivariant representations",
     "abstract": "We start by introducing a dataset called 3DIEBench, consisting of renderings from 3D models over 55 "
                 "classes and more than 2.5 million images. We introduce SIE (Split Invariant-Equivariant) which "
                 "combines the hypernetwork-based predictor with representations split in two parts."},
    {"title": "Adversarial Retriever-Ranker for dense text retrieval",
     "abstract": "We present Adversarial Retriever-Ranker (AR2), which consists of a dual-encoder retriever plus a "
                 "cross-encoder ranker. AR2 achieves new state-of-the-art results on Natural Questions R@5 to 77.9%."},
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    path = folder / "papers.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ABSTRACTS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out), "--no-model", "-q"])
    assert result.exit_code == 0, result.output
    return out, result


def test_build_writes_a_valid_snapshot_and_a_summary(built):
    out, result = built
    assert "papers: 3 (3 extracted)" in result.output
    assert "entities: " in result.output and "relationships: " in result.output and "time: " in result.output
    graph = read_snapshot(out)
    assert sum(1 for _, a in graph.nodes(data=True) if a["label"] == "Paper") == 3


def test_two_builds_give_byte_identical_snapshots(corpus, built, tmp_path):
    out, _ = built
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(tmp_path), "--no-model", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "graph.json").read_bytes() == (out / "graph.json").read_bytes()


def test_build_strict_fails_on_a_skipped_record(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(ABSTRACTS[0]) + "\n" + json.dumps({"title": "No abstract here"}) + "\n")
    runner = CliRunner()
    lenient = runner.invoke(main, ["build", str(bad), "--out", str(tmp_path / "a"), "--no-model", "-q"])
    assert lenient.exit_code == 0
    strict = runner.invoke(main, ["build", str(bad), "--out", str(tmp_path / "b"), "--no-model", "-q", "--strict"])
    assert strict.exit_code == 1 and not (tmp_path / "b" / "graph.json").exists()


def test_stats_counts_labels_and_types(built):
    out, _ = built
    graph = read_snapshot(out)
    result = CliRunner().invoke(main, ["stats", str(out), "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert counts["nodes"]["Paper"] == 3
    assert sum(counts["relationships"].values()) == graph.number_of_edges()
    text = CliRunner().invoke(main, ["stats", str(out)])
    assert "nodes:" in text.output and "  Paper" in text.output and "relationships:" in text.output


def test_stats_needs_a_dir_or_neo4j(tmp_path):
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code == 2 and "give a snapshot DIR or --neo4j" in result.output
    missing = CliRunner().invoke(main, ["stats", str(tmp_path)])
    assert missing.exit_code == 1 and "no graph snapshot here" in missing.output


# ---- entities and show on a snapshot with known content (hand-made extractions over real text)

KILT_TASK = paper("Knowledge-intensive retrieval",
                  "Knowledge-intensive language tasks (KILT) usually require a large body of information.")
KILT_BENCH = paper("Dense retrieval at scale",
                   "Our retriever outperforms strong baselines for the retrieval task on the KILT benchmark.")
RAML = paper(ABSTRACTS[0]["title"], ABSTRACTS[0]["abstract"])


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    extractions = [
        extraction(KILT_TASK, [("Knowledge-intensive language tasks (KILT)", "task")]),
        extraction(KILT_BENCH, [("KILT", "benchmark")], relations=[("EVALUATES_ON", None, None, "KILT", "benchmark", 0.8)]),
        extraction(RAML, [("Retrieval-Augmented Meta Learning", "method"),
                          ("Retrieval-Augmented Meta Learning", "method", {"nth": 1}),
                          ("RAML", "method", {"long_form": "Retrieval-Augmented Meta Learning"}),
                          ("RAML", "method", {"nth": 1}), ("text classification", "task", {"nth": 1})],
                   relations=[("PROPOSES", None, None, "Retrieval-Augmented Meta Learning", "method", 0.9)]),
    ]
    graph, _ = build_graph([KILT_TASK, KILT_BENCH, RAML], extractions=extractions)
    folder = tmp_path_factory.mktemp("snap")
    write_snapshot(graph, folder)
    return folder


def test_entities_lists_canonical_names_with_aliases(snapshot):
    result = CliRunner().invoke(main, ["entities", str(snapshot), "--type", "method"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Retrieval-Augmented Meta Learning  [method]  papers 1, mentions 4  method:retrieval-augmented-meta-learning",
        "    aliases: RAML (2), Retrieval-Augmented Meta Learning (2)",
    ]
    rows = json.loads(CliRunner().invoke(main, ["entities", str(snapshot), "--json", "--top", "2"]).output)
    assert len(rows) == 2 and {"id", "name", "type", "aliases", "alias_counts", "paper_count", "mention_count"} <= set(rows[0])


def test_show_finds_an_entity_by_any_alias_case_insensitively(snapshot):
    result = CliRunner().invoke(main, ["show", "raml", str(snapshot)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Retrieval-Augmented Meta Learning  [method]  method:retrieval-augmented-meta-learning"
    assert f"  {RAML.id}  {RAML.title}  (x4)" in lines
    assert "  <-[PROPOSES]- " + RAML.title + " (Paper)" in lines
    assert f'      "{RAML.title}"  [{RAML.id}, test-pattern, 0.90]' in lines  # evidence: the title sentence
    detail = json.loads(CliRunner().invoke(main, ["show", "RAML", str(snapshot), "--json"]).output)
    assert detail["relations"][0]["type"] == "PROPOSES" and detail["relations"][0]["confidence"] == 0.9


def test_show_lists_candidates_when_a_name_is_ambiguous(snapshot):
    result = CliRunner().invoke(main, ["show", "KILT", str(snapshot)])
    assert result.exit_code == 1
    assert "'KILT' names 2 entities" in result.output
    assert "[benchmark]  KILT" in result.output and "[task]  Knowledge-intensive language tasks" in result.output
    by_id = CliRunner().invoke(main, ["show", "benchmark:kilt", str(snapshot)])
    assert by_id.exit_code == 0 and "-[EVALUATES_ON]-" in by_id.output


def test_show_an_unknown_name(snapshot):
    result = CliRunner().invoke(main, ["show", "GPT-5", str(snapshot)])
    assert result.exit_code == 1 and "no entity is named 'GPT-5'" in result.output
