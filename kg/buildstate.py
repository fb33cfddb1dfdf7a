"""What a build leaves for the next one, so that the next build only does the work its change needs.

Beside the extraction cache (``OUT/.cache`` by default) a build keeps ``build-state.pickle``:
the corpus resolution as mergeable aggregates, the typed graph it built, a digest per paper
record, what the build left out per paper, and the digest of the snapshot it wrote. The next
build with the same code and the same snapshot on disk then extracts, resolves and rebuilds
only the new, changed and removed papers and the earlier papers their change reaches.

The state is only trusted when everything it was made from is unchanged: the extraction
pipeline version, the resolution, graph, snapshot and RDF code, the schema, the curated
tables, and the bytes of ``graph.json`` (edited or replaced snapshots make the next build a
whole one). That file's digest is computed while it is written and recorded beside the state
(``snapshot-digest.json``) with the file's identity, so it is read again only when changed.
It is a pickle in the build's own cache folder: load only state folders you made yourself.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kg.atomic import atomic_open
from kg.errors import KGError, OutputError
from kg.gcpause import paused_gc
from kg.paper import Paper

STATE_FILE = "build-state.pickle"
FORMAT = 2
_PACKAGE = Path(__file__).resolve().parent


def _sources() -> list[Path]:
    """Every file whose change could make the state's graph or the bytes a build copies from the
    last outputs wrong: resolution, graph building, the snapshot and RDF writers (code and
    data), the paper record, and the schema folder."""
    import kg.schema

    roots = [_PACKAGE / "resolve", _PACKAGE / "graph", _PACKAGE / "rdf", _PACKAGE / "paper.py",
             _PACKAGE / "splice.py", Path(kg.schema.__file__).resolve().parent]
    found = []
    for root in roots:
        found += sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in (".pyc", ".pyo")) \
            if root.is_dir() else [root]
    return found


def code_fingerprint(extraction_version: str) -> str:
    """SHA-256 over the extraction version and the files of :func:`_sources`."""
    digest = hashlib.sha256(f"format={FORMAT};{extraction_version}".encode())
    for path in _sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def paper_digest(paper: Paper) -> str:
    """Digest of every field of a paper record that reaches the graph (a changed one is rebuilt)."""
    text = "\0".join(str(getattr(paper, name) or "") for name in
                     ("id", "title", "abstract", "source", "line", "date", "url", "arxiv_id", "venue"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes (None when there is no file): which snapshot a state or Neo4j holds."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


DIGEST_RECORD = "snapshot-digest.json"


def _identity(stat: os.stat_result) -> list[int]:
    """What changes whenever a file's bytes may have: size, device and inode, and the modification
    and status-change times (nobody can set the latter: copying a file back changes it)."""
    return [stat.st_size, stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns]


def record_digest(directory: Path | None, path: Path, digest: str) -> None:
    """Remember, in ``directory``, that the file at ``path`` as it is now has ``digest`` (computed
    while writing it), so the next build need not read it again to know which file it is."""
    if directory is None:
        return
    from kg.atomic import atomic_write_text

    record = {"path": str(Path(path).resolve()), "identity": _identity(Path(path).stat()), "sha256": digest}
    atomic_write_text(Path(directory) / DIGEST_RECORD, json.dumps(record) + "\n")


def recorded_digest(directory: Path | None, path: Path) -> str | None:
    """:func:`file_digest` of ``path``: the recorded one while the file is the one it was recorded
    for (reading the 41k graph's 180 MB snapshot again cost a third of a second per build), else
    read and hashed."""
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    if directory is not None:
        try:
            record = json.loads((Path(directory) / DIGEST_RECORD).read_text(encoding="utf-8"))
            if record["path"] == str(Path(path).resolve()) and record["identity"] == _identity(stat):
                return record["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            pass   # no usable record: hash the file
    return file_digest(Path(path))


@dataclass
class BuildState:
    """The state one build leaves (see the module doc)."""

    fingerprint: str
    papers: dict[str, str]                 # paper id -> paper_digest
    resolution: object                     # kg.resolve.incremental.ResolutionState
    graph: object                          # networkx.MultiDiGraph, as written to the snapshot
    dropped: dict[str, Counter] = field(default_factory=dict)   # paper id -> what its fragment left out
    snapshot: str | None = None            # sha256 of the graph.json written with this graph
    rdf: object = None                     # kg.rdf.lines_patch.WrittenExport of the streamed RDF file, if any
    snapshot_index: object = None          # kg.graph.snapshot_patch.SnapshotIndex of that graph.json
    counts: dict | None = None             # kg.store.counts.graph_counts of the graph

    def dropped_total(self) -> Counter:
        total: Counter = Counter()
        for counts in self.dropped.values():
            total.update(counts)
        return total

    def save(self, directory: Path) -> Path:
        """Pickle the state to ``DIR/build-state.pickle`` (atomically), streamed into the file:
        no second copy of it in memory."""
        path = Path(directory) / STATE_FILE
        with atomic_open(path, "wb") as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)
        return path

    def save_in_background(self, directory: Path) -> "Saving":
        """Start :meth:`save` in a forked child (:func:`kg.forked.fork_call`) and return at once;
        :meth:`Saving.wait` before the command ends. The child sees the state as it is now
        (copy-on-write), so the parent may go on writing Neo4j or the page: pickling the 41k
        state took 2-3 s of a 17 s incremental build. Ctrl-C does not stop the child: the state
        it finishes fits the outputs already written."""
        from kg.forked import fork_call

        directory = Path(directory)

        def save() -> None:
            self.save(directory)

        return Saving(directory, fork_call(save, ignore_interrupt=True))


class Saving:
    """A state being saved by :meth:`BuildState.save_in_background`."""

    def __init__(self, directory: Path, forked):
        self.directory, self.forked = Path(directory), forked

    def done(self) -> bool:
        """Whether the save has ended (without waiting); :meth:`wait` then returns at once."""
        return self.forked is None or self.forked.done()

    def wait(self) -> None:
        """Until the state is on disk; :class:`~kg.errors.OutputError` if it could not be saved
        (the last state then no longer fits the snapshot, so the next build is a whole one)."""
        if self.forked is None:
            return
        forked, self.forked = self.forked, None
        try:
            forked.result()
        except Exception as error:   # noqa: BLE001 - whatever stopped the save, said in one line
            detail, fix = (error.what, error.fix) if isinstance(error, KGError) else (str(error), None)
            raise OutputError(f"the build state could not be saved: {detail}", where=str(self.directory / STATE_FILE),
                              fix=f"{fix or 'free space or fix permissions there'}; the next build is a whole one") \
                from None


def load_state(directory: Path | None, fingerprint: str, snapshot: Path,
               snapshot_digest: str | None = None, kept: BuildState | None = None) -> tuple[BuildState | None, str]:
    """The state in ``directory`` if it fits this code and the snapshot on disk (``snapshot_digest``:
    its :func:`file_digest`, when the caller has it), else None; with a word on why (for the report).
    ``kept``, a state this process holds from its last build, is taken instead of reading the file
    when it fits the same way (it is then the state the file holds)."""
    if kept is not None and kept.fingerprint == fingerprint and kept.snapshot is not None \
            and kept.snapshot == (snapshot_digest or file_digest(snapshot)):
        return kept, "incremental"
    if directory is None:
        return None, "no cache folder: whole build"
    path = Path(directory) / STATE_FILE
    if not path.is_file():
        return None, "no build state yet: whole build"
    try:
        with paused_gc():
            state = pickle.loads(path.read_bytes())
            # The millions of objects just read live as long as the build. Frozen, no collection
            # walks them: not here, and not in forked extraction workers, where walking them
            # would copy every page of the parent's heap.
            gc.freeze()
    except Exception as error:  # noqa: BLE001 - any unreadable state only means a whole build
        return None, f"build state unreadable ({type(error).__name__}): whole build"
    if not isinstance(state, BuildState) or state.fingerprint != fingerprint:
        return None, "code, schema or data changed since the last build: whole build"
    if state.snapshot is None or state.snapshot != (snapshot_digest or file_digest(snapshot)):
        return None, f"{snapshot} is not the one the last build wrote: whole build"
    return state, "incremental"


def forget_state(directory: Path | None) -> None:
    """Remove the state (a build that cannot keep it must not leave an older one to be trusted)."""
    if directory is not None:
        (Path(directory) / STATE_FILE).unlink(missing_ok=True)
