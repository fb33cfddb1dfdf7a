"""``kg build --watch``: a change of the inputs is built once it holds still, from the state kept in
memory, and gives the files a whole build of the same inputs writes; a failed build is reported
and watching goes on from the saved state."""
from __future__ import annotations

import dataclasses
import threading
import time

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError
from kg.watch import input_files, watch_inputs

from seed_corpus import CORPUS, seed_papers, write_jsonl


@pytest.fixture(scope="module")
def papers():
    return list(seed_papers()[:45])


def _once_written(path, then) -> threading.Thread:
    """A started thread that runs ``then`` once ``path`` exists (the first build wrote it)."""
    def wait_and_act():
        deadline = time.monotonic() + 120
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        then()

    helper = threading.Thread(target=wait_and_act)
    helper.start()
    return helper


@dataclasses.dataclass
class _Job:
    """The fields :func:`watch_inputs` reads of a :class:`kg.cli.build.BuildJob`."""

    inputs: tuple
    cache: object = None
    rebuild: bool = True
    use_model: bool = False
    scheduler: str | None = None
    fmt: str | None = None


class _State:
    """A build state that records when it is saved and when the save is waited for."""

    def __init__(self, name, events):
        self.name, self.events = name, events

    def save_in_background(self, cache):
        self.events.append(f"save {self.name}")
        return self

    def done(self):
        return False   # still saving whenever the watcher looks

    def wait(self):
        self.events.append(f"saved {self.name}")


def test_a_change_is_built_once_it_holds_still_and_a_failure_drops_the_kept_state(tmp_path):
    from kg.cli.build import Built

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.jsonl").write_text("a\n")
    events = []

    def build(job, kept, save_later):
        assert save_later
        number = sum(event.startswith("build") for event in events) + 1
        events.append(f"build {number} from {kept.name if kept else None}")
        if number == 3:
            raise InputError("a record without a title", where="b.jsonl:2", fix="give it one")
        return Built(_State(number, events), unsaved=True)

    # What changes during each wait, by the wait's number (the look after it sees the change).
    actions = {
        2: lambda: (inbox / "b.jsonl").write_text("half"),            # 1 saw nothing; a file appears ...
        3: lambda: (inbox / "b.jsonl").write_text("half and more"),   # ... and is still being written
        5: lambda: (inbox / ".b.jsonl.swp").write_text("x"),          # 4 and 5 agree (hidden files do not
                                                                      # count): built, from state 1
        6: lambda: (inbox / "b.jsonl").write_text("broken"),          # 6 and 7 agree: the build fails
        9: lambda: (inbox / "b.jsonl").write_text("fixed"),           # 8 saw nothing; 9 and 10 agree:
    }                                                                 # built from the saved state
    looks = []

    def sleep(seconds):
        looks.append(seconds)
        actions.get(len(looks), lambda: None)()

    updates = watch_inputs(_Job((inbox,), cache=tmp_path / "cache"), interval=0.25, max_updates=3, build=build,
                           sleep=sleep)
    assert updates == 3
    assert events == ["build 1 from None", "save 1",       # saved after the build, while watching
                      "build 2 from 1",                    # the next build need not wait for it,
                      "saved 1", "save 2",                 # the next save does
                      "build 3 from 2",                    # fails: its state may be half changed,
                      "saved 2",                           # so once the last save is over
                      "build 4 from None", "save 4",       # the next build reads the saved state
                      "saved 4"]                           # waited for before the command ends
    assert set(looks) == {0.25}
    assert len(looks) == 10


def test_what_a_build_leaves_in_reference_cycles_is_freed_before_the_next(tmp_path):
    import gc
    import weakref

    import networkx as nx

    from kg.cli.build import Built

    left = []

    def build(job, kept, save_later):
        graph = nx.MultiDiGraph()
        graph.add_edge("a", "b")
        assert graph.edges   # a cached view that points back at the graph: a reference cycle
        left.append(weakref.ref(graph))
        gc.freeze()          # as a build does once its graph is made
        return Built(None)

    watch_inputs(_Job((tmp_path,)), interval=0.01, max_updates=0, build=build, sleep=lambda seconds: None)
    assert left[0]() is None


def test_input_files_are_the_files_the_loaders_would_read(tmp_path, monkeypatch):
    import kg.loaders.corpus

    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "sub" / "x.jsonl").write_text("1")
    (tmp_path / "in" / "README.md").write_text("# notes on these papers\n")   # no paper format: no build
    (tmp_path / "in" / ".hidden").write_text("1")
    (tmp_path / "in" / ".git").mkdir()
    (tmp_path / "in" / ".git" / "y.jsonl").write_text("1")
    (tmp_path / "one.md").write_text("12")   # named as an input: always watched
    inputs = [tmp_path / "in", tmp_path / "one.md", tmp_path / "missing.jsonl"]
    known: dict = {}
    found = input_files(inputs, None, known)
    assert sorted(found) == [str(tmp_path / "in" / "sub" / "x.jsonl"), str(tmp_path / "one.md")]
    assert found[str(tmp_path / "one.md")][0] == 2
    assert sorted(input_files(inputs, "jsonl")) == sorted([*found, str(tmp_path / "in" / "README.md")])

    looked = []
    plan = kg.loaders.corpus.plan
    monkeypatch.setattr(kg.loaders.corpus, "plan", lambda paths, *rest: looked.append(paths) or plan(paths, *rest))
    assert input_files(inputs, None, known) == found and looked == []   # nothing new to look into
    (tmp_path / "in" / "README.md").write_text("# more notes\n")
    assert input_files(inputs, None, known) == found and len(looked) == 1


def test_a_watched_build_uses_the_kept_state_and_writes_what_a_whole_build_writes(papers, tmp_path, monkeypatch):
    import kg.buildstate

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    write_jsonl(inbox / "a.jsonl", papers[:30])
    loads = []
    load_state = kg.buildstate.load_state

    def recording_load_state(directory, fingerprint, snapshot, snapshot_digest=None, kept=None):
        state, why = load_state(directory, fingerprint, snapshot, snapshot_digest, kept)
        loads.append((kept is not None, state is not None and state is kept))
        return state, why

    monkeypatch.setattr(kg.buildstate, "load_state", recording_load_state)

    helper = _once_written(out / "graph.json", lambda: write_jsonl(inbox / "b.jsonl", papers[30:]))
    result = CliRunner().invoke(main, ["build", str(inbox), "--out", str(out), "--no-model", "--rdf", "nt",
                                       "--watch", "--interval", "0.05", "--max-updates", "1"])
    helper.join()
    assert result.exit_code == 0, result.output
    assert "no build state yet: whole build" in result.output
    assert "incremental: 15 new, 0 changed, 0 removed papers" in result.output
    assert "watch: watching 1 input file (Ctrl-C stops)" in result.output
    assert result.output.count("watch: build state saved") == 2
    assert loads == [(False, False), (True, True)]   # the second build took the state it was handed
    # The state was saved after the watched build, before the command ended: a build of the same
    # inputs reads it and finds nothing to do.
    again = CliRunner().invoke(main, ["build", str(inbox), "--out", str(out), "--no-model", "--rdf", "nt"])
    assert again.exit_code == 0, again.output
    assert "incremental: 0 new, 0 changed, 0 removed papers" in again.output and "unchanged: " in again.output

    whole = tmp_path / "whole"
    done = CliRunner().invoke(main, ["build", str(inbox), "--out", str(whole), "--no-model", "--rdf", "nt"])
    assert done.exit_code == 0, done.output
    for name in ("graph.json", "graph.nt", "graph.html"):
        assert (whole / name).read_bytes() == (out / name).read_bytes(), name


def test_a_kept_state_that_no_longer_fits_the_outputs_is_not_used(papers, tmp_path):
    from kg.buildstate import load_state
    from kg.cli.build import BuildJob, run_build

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    write_jsonl(inbox / "a.jsonl", papers[:20])
    job = BuildJob(inputs=(str(inbox),), out=out, cache=out / ".cache", settings=None, n_process=1,
                   use_model=False, strict=False, fmt=None, fields=None, scheduler=None, admin_csv=None,
                   rdf_choice="nt", progress=False, rebuild=False)
    kept = run_build(job).state
    snapshot = out / "graph.json"
    assert load_state(job.cache, kept.fingerprint, snapshot, kept=kept)[0] is kept
    snapshot.write_bytes(snapshot.read_bytes() + b" ")   # someone else's graph.json now
    state, why = load_state(job.cache, kept.fingerprint, snapshot, kept=kept)
    assert state is None and "is not the one the last build wrote" in why


def test_a_background_save_says_when_it_is_done(tmp_path):
    import pickle

    from kg.buildstate import STATE_FILE, BuildState
    from kg.errors import OutputError

    saving = BuildState(fingerprint="f", papers={"p": "d"}, resolution=None, graph=None).save_in_background(tmp_path)
    deadline = time.monotonic() + 60
    while not saving.done() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert saving.done()
    saving.wait()
    assert pickle.loads((tmp_path / STATE_FILE).read_bytes()).papers == {"p": "d"}

    (tmp_path / "taken").write_text("a file where the folder should be")
    failing = BuildState(fingerprint="f", papers={}, resolution=None, graph=None).save_in_background(
        tmp_path / "taken")
    while not failing.done() and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(OutputError, match="the build state could not be saved"):
        failing.wait()


@pytest.mark.parametrize("arguments, message", [
    (["--max-updates", "1"], "--max-updates counts the rebuilds of --watch"),
    (["--watch", "--no-cache"], "--watch keeps the build state in the cache"),
])
def test_watch_options_that_do_not_fit_are_refused(tmp_path, arguments, message):
    result = CliRunner().invoke(main, ["build", CORPUS, "--out", str(tmp_path / "out"), *arguments])
    assert result.exit_code == 2
    assert message in result.output


def test_a_watched_build_keeps_neo4j_holding_the_graph(papers, clean_db, tmp_path):
    from kg.graph.snapshot import dumps, read_snapshot
    from kg.store import read_graph

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    write_jsonl(inbox / "a.jsonl", papers[:20])

    helper = _once_written(out / ".cache" / "neo4j-state.json", lambda: write_jsonl(inbox / "b.jsonl", papers[20:30]))
    result = CliRunner().invoke(main, [
        "build", str(inbox), "--out", str(out), "--no-model", "--watch", "--interval", "0.05", "--max-updates", "1",
        "--neo4j", "--uri", clean_db.uri, "--username", clean_db.username, "--password", clean_db.password or ""])
    helper.join()
    assert result.exit_code == 0, result.output
    assert "neo4j: full write" in result.output and "neo4j: incremental" in result.output
    assert dumps(read_graph(clean_db)) == dumps(read_snapshot(out))
