"""Our scorer agrees with ../shared/eval/score.py; `kg eval` and `kg extract` through CliRunner."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.evaluation import format_table, normalise, score_files, score_records

DATA = Path(__file__).parent / "data" / "extract"
SHARED_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
SCORE_PY = SHARED_EVAL / "score.py"
needs_shared = pytest.mark.skipif(not SCORE_PY.exists(), reason="../shared/eval is not on this machine")


def run_score_py(gold: Path, pred: Path, *extra: str) -> str:
    return subprocess.run([sys.executable, str(SCORE_PY), str(gold), str(pred), *extra],
                          capture_output=True, text=True, check=True).stdout


def gold_record(title, required=None, optional=None, aliases=None, proposes=(), evaluated_on=()):
    ents = {t: {"required": [], "optional": []} for t in ("method", "dataset", "benchmark", "metric", "task")}
    for t, names in (required or {}).items():
        ents[t]["required"] = names
    for t, names in (optional or {}).items():
        ents[t]["optional"] = names
    return {"title": title, "entities": ents, "aliases": aliases or {}, "proposes": list(proposes),
            "evaluated_on": list(evaluated_on), "results": []}


def test_normalise_matches_the_spec():
    assert normalise("The Large-Language Models.") == "large language model"
    assert normalise("nDCG@10") == "ndcg@10"
    assert normalise("loss") == "loss" and normalise("corpus") == "corpus"


def test_scoring_rules_by_hand():
    gold = [gold_record("Paper A", required={"method": ["Retrieval-Augmented Generation"], "benchmark": ["BEIR"]},
                        optional={"task": ["retrieval"]}, aliases={"Retrieval-Augmented Generation": ["RAG"]},
                        evaluated_on=["BEIR"])]
    pred = [{"title": "paper a", "entities": {"method": ["RAG", "retrieval augmented generation", "FooNet"],
                                              "dataset": ["BEIR"], "task": ["retrieval"]},
             "evaluated_on": ["BEIR"]}]
    res = score_records(gold, pred)
    strict, lenient = res["strict"], res["lenient"]
    # RAG matches through the alias; the second spelling hits an already matched name (ignored);
    # FooNet is a false positive; "retrieval" is optional (ignored); BEIR has the wrong type.
    assert strict["types"]["method"] == {"P": 0.5, "R": 1.0, "F1": 0.6667, "pred": 2, "gold": 1}
    assert strict["types"]["dataset"]["pred"] == 1 and strict["types"]["benchmark"]["R"] == 0.0
    assert lenient["types"]["benchmark"]["R"] == 1.0  # dataset ~ benchmark when lenient
    assert strict["relations"]["evaluated_on"]["F1"] == 1.0


@needs_shared
def test_agrees_with_score_py_on_dev_gold_against_itself_and_a_prediction(tmp_path):
    gold = SHARED_EVAL / "gold_dev.jsonl"
    pred = tmp_path / "pred.jsonl"
    recs = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    with open(pred, "w", encoding="utf-8") as f:
        for i, r in enumerate(recs):
            ents = {t: (v["required"][1:] + v["optional"][:1] + (["Made Up"] if i % 3 == 0 else []))
                    for t, v in r["entities"].items()}
            if i % 4 == 0:  # type confusions and missing records
                ents["dataset"], ents["benchmark"] = ents["benchmark"], ents["dataset"]
            if i % 7 == 0:
                continue
            f.write(json.dumps({"title": r["title"].upper(), "entities": ents, "proposes": r["proposes"][:1],
                                "evaluated_on": r["evaluated_on"] + ["Other"]}) + "\n")
    for p in (gold, pred):
        assert format_table(score_files(gold, p)) + "\n" == run_score_py(gold, p)
        assert score_files(gold, p) == json.loads(run_score_py(gold, p, "--json"))


@needs_shared
def test_kg_eval_prints_the_score_py_table(tmp_path):
    out = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(main, ["eval", str(DATA / "seed_gold.jsonl"), str(DATA / "seed_papers.jsonl"),
                                       "--no-model", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert result.output == run_score_py(DATA / "seed_gold.jsonl", out)
    assert "documents: 3  without a prediction: 0" in result.output


def test_kg_eval_json(tmp_path):
    result = CliRunner().invoke(main, ["eval", str(DATA / "seed_gold.jsonl"), str(DATA / "seed_papers.jsonl"),
                                       "--no-model", "--json", "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["documents"] == 3 and data["missing"] == 0
    assert data["strict"]["micro"]["F1"] > 0.5


def test_kg_extract_writes_one_record_per_paper(tmp_path):
    out = tmp_path / "x.jsonl"
    result = CliRunner().invoke(main, ["extract", str(DATA / "seed_papers.jsonl"), "--format", "jsonl",
                                       "--out", str(out), "--no-model", "-q"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["title"] for r in records][0].startswith("A Few Brief Notes on DeepImpact")
    for r in records:
        assert set(r) >= {"id", "title", "entities", "aliases", "proposes", "evaluated_on", "mentions",
                          "relations", "results"}
        assert set(r["entities"]) == {"method", "dataset", "benchmark", "metric", "task"}
        assert all({"start", "end", "sentence", "rule", "confidence"} <= set(m) for m in r["mentions"])
    assert records[0]["proposes"] == ["uniCOIL"]


def test_kg_extract_to_stdout():
    result = CliRunner().invoke(main, ["extract", str(DATA / "seed_papers.jsonl"), "--no-model", "-q"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == 3


def test_kg_eval_bad_gold_line(tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"title": "x"}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(bad), str(DATA / "seed_papers.jsonl"), "--no-model", "-q"])
    assert result.exit_code == 1
    assert f"{bad}:2" in result.output and "not valid JSON" in result.output


def test_kg_extract_missing_input():
    result = CliRunner().invoke(main, ["extract", "no/such/file.jsonl", "--no-model", "-q"])
    assert result.exit_code != 0
    assert "no/such/file.jsonl" in result.output
