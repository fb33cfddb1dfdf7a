"""``kg build`` from the last build's state: adding, changing and removing papers gives the very
files a whole build of the same input writes, and the state is not trusted when it does not fit."""
from __future__ import annotations

import dataclasses
import json
import os
import pickle

import pytest
from click.testing import CliRunner

from kg.buildstate import DIGEST_RECORD, STATE_FILE, BuildState, file_digest, recorded_digest
from kg.cli import main

from seed_corpus import seed_papers, write_jsonl


@pytest.fixture(scope="module")
def papers():
    return list(seed_papers()[:60])


def _build(corpus, out, *extra):
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out), "--no-model", "--rdf", "nt",
                                       *extra])
    assert result.exit_code == 0, result.output
    return result.output


def _counts(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("entities:", "results:", "relationships:",
                                                                     "left out:"))]


def _same_files(a, b):
    for name in ("graph.json", "graph.nt", "graph.html"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_added_changed_and_removed_papers_give_the_whole_build(papers, tmp_path):
    corpus, out = tmp_path / "papers.jsonl", tmp_path / "out"
    write_jsonl(corpus, papers[:40])
    first = _build(corpus, out)
    assert "no build state yet: whole build" in first

    # The last paper goes, the sixth says more, twenty come after (earlier lines do not move).
    changed = dataclasses.replace(papers[5], abstract=papers[5].abstract + " We propose FooNet, a new model.")
    later = [changed if p.id == changed.id else p for p in papers[:39]] + papers[40:]
    write_jsonl(corpus, later)
    second = _build(corpus, out)
    assert "incremental: 20 new, 1 changed, 1 removed papers" in second
    assert "cache: 38 reused, 21 extracted" in second   # only the new and the changed text

    whole = tmp_path / "whole"
    whole_output = _build(corpus, whole, "--no-cache")
    _same_files(out, whole)
    assert len(_counts(second)) >= 3 and _counts(second) == _counts(whole_output)   # entities, results, relationships, left out

    before = {name: (out / name).stat().st_mtime_ns for name in ("graph.json", "graph.nt")}
    state_before = (out / ".cache" / STATE_FILE).stat().st_mtime_ns
    (out / "graph.html").write_text("an older page", encoding="utf-8")   # as an interrupted build can leave
    third = _build(corpus, out)   # nothing changed: nothing extracted, graph.json, graph.nt and the state kept
    assert "incremental: 0 new, 0 changed, 0 removed papers" in third
    assert "not rewritten" in third and "wrote: " + str(out / "graph.html") in third
    assert {name: (out / name).stat().st_mtime_ns for name in before} == before
    assert (out / ".cache" / STATE_FILE).stat().st_mtime_ns == state_before
    _same_files(out, whole)   # the page is always written again
    (out / "graph.nt").unlink()   # a missing output is written again
    assert str(out / "graph.nt") in _build(corpus, out).split("wrote: ")[1]
    _same_files(out, whole)
    fourth = _build(corpus, out, "--rebuild")
    assert "--rebuild: whole build" in fourth and "cache: 59 reused, 0 extracted" in fourth
    _same_files(out, whole)


def test_a_snapshot_the_state_did_not_write_makes_a_whole_build(papers, tmp_path):
    corpus, out = tmp_path / "papers.jsonl", tmp_path / "out"
    write_jsonl(corpus, papers[:20])
    _build(corpus, out)
    (out / "graph.json").write_text((out / "graph.json").read_text(encoding="utf-8") + " ", encoding="utf-8")
    again = _build(corpus, out)
    assert "is not the one the last build wrote: whole build" in again


def test_a_snapshot_put_back_with_its_old_times_is_read_again(papers, tmp_path):
    """The recorded digest is trusted only for the file it was recorded for: another graph.json of
    the same size, given the same modification time (``cp -a``), is hashed again."""
    corpus, out = tmp_path / "papers.jsonl", tmp_path / "out"
    write_jsonl(corpus, papers[:20])
    _build(corpus, out)
    snapshot, cache = out / "graph.json", out / ".cache"
    recorded = json.loads((cache / DIGEST_RECORD).read_text(encoding="utf-8"))
    assert recorded["sha256"] == file_digest(snapshot) == recorded_digest(cache, snapshot)
    data = snapshot.read_bytes()
    stat = snapshot.stat()
    snapshot.write_bytes(data.replace(b'"directed": true', b'"directed": True', 1))   # same size, other bytes
    os.utime(snapshot, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert snapshot.stat().st_size == stat.st_size and snapshot.stat().st_mtime_ns == stat.st_mtime_ns
    assert recorded_digest(cache, snapshot) == file_digest(snapshot) != recorded["sha256"]
    assert "is not the one the last build wrote: whole build" in _build(corpus, out)


def test_a_state_made_by_other_code_makes_a_whole_build(papers, tmp_path):
    corpus, out = tmp_path / "papers.jsonl", tmp_path / "out"
    write_jsonl(corpus, papers[:20])
    _build(corpus, out)
    path = out / ".cache" / STATE_FILE
    state = pickle.loads(path.read_bytes())
    assert isinstance(state, BuildState)
    state.fingerprint = "other code"
    path.write_bytes(pickle.dumps(state))
    assert "code, schema or data changed since the last build: whole build" in _build(corpus, out)
    path.write_bytes(b"not a pickle")
    assert "build state unreadable" in _build(corpus, out)


def test_an_incremental_build_leaves_neo4j_holding_the_new_graph(papers, clean_db, tmp_path):
    from kg.graph.snapshot import dumps, read_snapshot
    from kg.store import read_graph

    connection = ["--neo4j", "--uri", clean_db.uri, "--username", clean_db.username,
                  "--password", clean_db.password or ""]
    corpus, out = tmp_path / "papers.jsonl", tmp_path / "out"
    write_jsonl(corpus, papers[:20])
    assert "neo4j: full write" in _build(corpus, out, *connection)
    changed = dataclasses.replace(papers[2], abstract=papers[2].abstract + " We evaluate on ImageNet.")
    write_jsonl(corpus, [changed if p.id == changed.id else p for p in papers[:19]] + papers[20:30])
    second = _build(corpus, out, *connection)
    assert "incremental: 10 new, 1 changed, 1 removed papers" in second
    assert "neo4j: incremental" in second and "1 papers no longer in the input deleted" in second
    assert dumps(read_graph(clean_db)) == dumps(read_snapshot(out))


def test_an_input_mostly_new_is_built_whole(papers, tmp_path):
    corpus, out = tmp_path / "papers.jsonl", tmp_path / "out"
    write_jsonl(corpus, papers[:10])
    _build(corpus, out)
    write_jsonl(corpus, papers[5:40])
    assert "of 35 papers new or changed: whole build" in _build(corpus, out)


def test_a_state_that_cannot_be_saved_fails_the_build_clearly_and_the_next_build_is_whole(papers, tmp_path):
    corpus, out = tmp_path / "papers.jsonl", tmp_path / "out"
    write_jsonl(corpus, papers[:20])
    _build(corpus, out)
    write_jsonl(corpus, papers[:25])
    path = out / ".cache" / STATE_FILE
    path.unlink()
    path.mkdir()   # the state is saved (by a forked child) over a folder: it cannot be
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out), "--no-model", "--rdf", "nt"])
    assert result.exit_code == 1, result.output
    assert f"{path}: the build state could not be saved: cannot be written: Is a directory" in result.output
    assert "a folder has that name" in result.output and "the next build is a whole one" in result.output
    assert json.loads((out / "graph.json").read_text(encoding="utf-8"))   # the outputs were written
    path.rmdir()
    assert "no build state yet: whole build" in _build(corpus, out)
    assert "incremental: 0 new" in _build(corpus, out)   # and the state it saved is used
