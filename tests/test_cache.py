"""The extraction cache: a second build extracts nothing, a changed paper is extracted again,
a changed pipeline version misses, a broken cache file says how to fix it."""
from __future__ import annotations

import dataclasses
import shutil

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError
from kg.extract.cache import ExtractionCache, data_fingerprint, paper_key, pipeline_version
from kg.extract.records import Extraction
from kg.graph.snapshot import dumps
from kg.pipeline import build_graph

from seed_corpus import seed_papers, write_jsonl


@pytest.fixture(scope="module")
def papers():
    return list(seed_papers()[:8])


def test_second_build_extracts_nothing_and_gives_the_same_graph(papers, tmp_path):
    first, report1 = build_graph(papers, use_model=False, cache_dir=tmp_path)
    assert report1.cache.as_dict() == {"hits": 0, "misses": len(papers), "stored": len(papers)}
    second, report2 = build_graph(papers, use_model=False, cache_dir=tmp_path)
    assert report2.cache.as_dict() == {"hits": len(papers), "misses": 0, "stored": 0}
    assert dumps(second) == dumps(first)
    uncached, _ = build_graph(papers, use_model=False)
    assert dumps(uncached) == dumps(first)


def test_only_new_or_changed_papers_are_extracted(papers, tmp_path):
    build_graph(papers[:6], use_model=False, cache_dir=tmp_path)
    changed = dataclasses.replace(papers[0], abstract=papers[0].abstract + " We propose ZorbNet.")
    _, report = build_graph([changed] + papers[1:], use_model=False, cache_dir=tmp_path)
    # papers[0] changed, papers[6:] are new; the other five come from the cache
    assert report.cache.hits == 5 and report.cache.misses == 1 + len(papers[6:])


def test_cached_extraction_round_trips_exactly(papers, tmp_path):
    from kg.extract.pipeline import extract_papers

    extractions = list(extract_papers(papers, use_model=False))
    with ExtractionCache(tmp_path, "v1") as cache:
        assert cache.put_many(zip(papers, extractions)) == len(papers)
        assert len(cache) == len(papers)
        found = cache.get_many(papers)
    assert [found[p.id] for p in papers] == extractions


def test_another_pipeline_version_does_not_see_old_entries(papers, tmp_path):
    with ExtractionCache(tmp_path, "v1") as cache:
        cache.put_many([(papers[0], Extraction(papers[0].id, papers[0].title))])
    with ExtractionCache(tmp_path, "v2") as cache:
        assert cache.get_many(papers[:1]) == {} and len(cache) == 0
    assert paper_key(papers[0], "v1") != paper_key(papers[0], "v2")
    assert "model=rules-only" in pipeline_version(use_model=False)


def test_a_changed_rule_file_changes_the_fingerprint(tmp_path):
    import kg.extract

    source = kg.extract.__path__[0]
    copy = tmp_path / "extract"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("model", "training", "__pycache__"))
    shutil.copy(f"{source}/../paper.py", tmp_path / "paper.py")
    (tmp_path / "resolve").mkdir()
    shutil.copy(f"{source}/../resolve/keys.py", tmp_path / "resolve" / "keys.py")
    before = data_fingerprint(copy)
    assert before == data_fingerprint(source)
    generic = copy / "rules" / "generic.txt"
    generic.write_text(generic.read_text(encoding="utf-8") + "zorbish thing\n", encoding="utf-8")
    data_fingerprint.cache_clear()
    assert data_fingerprint(copy) != before


def test_unreadable_cache_says_how_to_fix_it(papers, tmp_path):
    (tmp_path / "extractions.sqlite").write_bytes(b"this is not a sqlite file" * 100)
    with pytest.raises(InputError) as caught:
        with ExtractionCache(tmp_path, "v1") as cache:
            cache.get_many(papers)
    assert "extractions.sqlite" in caught.value.message and "--no-cache" in caught.value.message


def test_cli_reuses_the_cache_and_no_cache_leaves_none(papers, tmp_path):
    corpus = tmp_path / "papers.jsonl"
    write_jsonl(corpus, papers[:4])
    runner = CliRunner()
    out = tmp_path / "out"
    first = runner.invoke(main, ["build", str(corpus), "--out", str(out), "--no-model", "-q"])
    assert first.exit_code == 0, first.output
    assert "cache: 0 reused, 4 extracted" in first.output
    assert (out / ".cache" / "extractions.sqlite").is_file()
    second = runner.invoke(main, ["build", str(corpus), "--out", str(out), "--no-model", "-q"])
    assert "cache: 4 reused, 0 extracted" in second.output
    bare = runner.invoke(main, ["build", str(corpus), "--out", str(tmp_path / "bare"), "--no-model", "-q",
                                "--no-cache"])
    assert bare.exit_code == 0 and not (tmp_path / "bare" / ".cache").exists()
    assert (tmp_path / "bare" / "graph.json").read_bytes() == (out / "graph.json").read_bytes()
    both = runner.invoke(main, ["build", str(corpus), "--out", str(out), "--no-cache", "--cache-dir", str(out)])
    assert both.exit_code == 2 and "--no-cache and --cache-dir" in both.output
