"""Parsed input files kept by content: a second read gives the same papers and the same problems
without parsing; a changed file, other field names or other loader code parse again."""
from __future__ import annotations

import json

import pytest

import loaders.corpus
from kg.loaders import read_corpus
from loaders.parsed_cache import FOLDER


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def inputs(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    _jsonl(first, [{"title": "Pointer Networks", "abstract": "We propose Ptr-Net."},
                   {"title": "No abstract here"}])
    _jsonl(second, [{"title": "Deep Residual Learning", "abstract": "ResNet on ImageNet."},
                    {"title": "pointer networks", "abstract": "A duplicate."}])
    return [first, second]


def _read(paths, cache, **options):
    problems = []
    report = read_corpus(paths, on_problem=problems.append, cache_dir=cache, **options)
    return report, [p.message for p in problems]


def test_a_second_read_comes_from_the_cache_with_the_same_papers_and_problems(inputs, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first, first_problems = _read(inputs, cache)
    assert len(list((cache / FOLDER).glob("*.pickle"))) == 2

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(loaders.corpus, "read_file", no_parsing)
    second, second_problems = _read(inputs, cache)
    assert second.papers == first.papers and len(second.papers) == 2
    assert second_problems == first_problems and "no 'abstract' value" in second_problems[0]
    assert (second.entries_read, second.merged, second.skipped) == (first.entries_read, first.merged, first.skipped)


def test_a_changed_file_or_other_fields_are_parsed_again_and_stale_entries_go(inputs, tmp_path):
    cache = tmp_path / "cache"
    _read(inputs, cache)
    _jsonl(inputs[1], [{"title": "Attention Is All You Need", "abstract": "The Transformer."}])
    report, _ = _read(inputs, cache)
    assert sorted(p.title for p in report.papers) == ["Attention Is All You Need", "Pointer Networks"]
    assert len(list((cache / FOLDER).glob("*.pickle"))) == 2   # the old b.jsonl entry was removed

    _jsonl(inputs[0], [{"name": "Pointer Networks", "summary": "We propose Ptr-Net."}])
    renamed, _ = _read(inputs[:1], cache, fields={"title": "name", "abstract": "summary"})
    assert [p.title for p in renamed.papers] == ["Pointer Networks"]
    plain, problems = _read(inputs[:1], cache)
    assert plain.papers == [] and len(problems) == 1   # the same bytes under the default names: no title


def test_without_a_cache_folder_nothing_is_kept(inputs, tmp_path):
    report, _ = _read(inputs, None)
    assert len(report.papers) == 2 and not any(tmp_path.rglob(f"{FOLDER}/*.pickle"))


def test_a_memory_kept_between_reads_spares_untouched_files_and_follows_changed_ones(inputs, tmp_path, monkeypatch):
    import pathlib

    cache, memory = tmp_path / "cache", {}
    first, first_problems = _read(inputs, cache, parsed_memory=memory)
    assert len(memory) == 2

    read_bytes = pathlib.Path.read_bytes
    opened = []

    def recording(path):
        opened.append(path.name)
        return read_bytes(path)

    monkeypatch.setattr(pathlib.Path, "read_bytes", recording)
    second, second_problems = _read(inputs, cache, parsed_memory=memory)
    assert opened == []   # neither hashed nor unpickled again
    assert second.papers == first.papers and second_problems == first_problems
    assert len(list((cache / FOLDER).glob("*.pickle"))) == 2   # both entries count as used: none pruned

    _jsonl(inputs[1], [{"title": "Attention Is All You Need", "abstract": "The Transformer."}])
    third, _ = _read(inputs, cache, parsed_memory=memory)
    assert "b.jsonl" in opened and "a.jsonl" not in opened
    assert sorted(p.title for p in third.papers) == ["Attention Is All You Need", "Pointer Networks"]
    assert len(memory) == 2 and len(list((cache / FOLDER).glob("*.pickle"))) == 2

    for entry in (cache / FOLDER).glob("*.pickle"):
        entry.unlink()   # the cache folder was emptied: the memory alone is not trusted
    fourth, _ = _read(inputs, cache, parsed_memory=memory)
    assert fourth.papers == third.papers
    assert len(list((cache / FOLDER).glob("*.pickle"))) == 2   # parsed and kept again
