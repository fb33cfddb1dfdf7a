"""The main job as one function: papers -> extraction -> resolution -> typed graph -> validation.

``kg build`` is a thin wrapper over :func:`build_graph`; tests and other tools call it directly.
Every stage is timed and summarised in a :class:`PipelineReport`.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import networkx as nx

from kg.errors import ExtractionError
from kg.extract.cache import CacheReport
from kg.extract.records import ENTITY_TYPES, Extraction
from kg.gcpause import paused_gc
from kg.graph.build import BuildReport, build_graph as _build_typed_graph
from kg.graph.validate import validate
from kg.paper import Paper
from kg.resolve import ResolutionReport, resolve
from kg.resolve.resolver import Resolution
from kg.schema import Schema, load_schema


def count_graph(graph: nx.MultiDiGraph, schema: Schema | None = None) -> dict[str, dict[str, int]]:
    """Nodes per label (entities also counted under ``Entity``, as in Neo4j) and edges per type:
    the counts Neo4j holds once the graph is written (:func:`kg.store.counts.graph_counts`)."""
    from kg.store.counts import graph_counts

    return graph_counts(graph, schema or load_schema())


@dataclass
class PipelineReport:
    """What one build did: sizes per stage, what was dropped, and how long each stage took."""

    papers: int = 0
    extracted: int = 0
    resolution: ResolutionReport = field(default_factory=ResolutionReport)
    build: BuildReport = field(default_factory=BuildReport)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    cache: CacheReport | None = None

    def entities_by_type(self) -> dict[str, int]:
        return dict(self.resolution.entities_after)

    def summary(self) -> str:
        nodes, rels = self.counts.get("nodes", {}), self.counts.get("relationships", {})
        entities = self.entities_by_type()
        lines = [
            f"papers: {self.papers} ({self.extracted} extracted)",
            f"entities: {sum(entities.values())} ("
            + ", ".join(f"{t} {entities.get(t, 0)}" for t in ENTITY_TYPES) + ")",
            f"results: {nodes.get('Result', 0)}",
            f"relationships: {sum(rels.values())} (" + ", ".join(f"{k} {v}" for k, v in rels.items()) + ")",
        ]
        if self.resolution.unknown_types:
            lines.append("mentions of unknown types left out: " + ", ".join(
                f"{t!r} x{n}" for t, n in sorted(self.resolution.unknown_types.items())))
        if self.build.dropped:
            lines.append("left out: " + "; ".join(f"{k} x{v}" for k, v in sorted(self.build.dropped.items())))
        if self.cache is not None:
            lines.append(self.cache.describe())
        lines.extend(self.notes)
        lines.append("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items()))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"papers": self.papers, "extracted": self.extracted, "resolution": self.resolution.as_dict(),
                "dropped": dict(self.build.dropped), "counts": self.counts, "seconds": self.seconds,
                "notes": self.notes, "cache": self.cache.as_dict() if self.cache is not None else None}


def extract_all(papers: Sequence[Paper], *, n_process: int = 1, batch_size: int = 64, use_model: bool = True,
                progress: bool = False, cache_dir: str | Path | None = None, scheduler=None,
                cache_report: CacheReport | None = None, partition_size: int | None = None) -> list[Extraction]:
    """Extractions of ``papers`` (in input order), reusing the cache and extracting only what it lacks.

    ``cache_dir`` holds ``extractions.sqlite`` (none: no cache); ``scheduler`` is a Dask
    scheduler address (or cluster) to extract on instead of local processes. What came from the
    cache and what was extracted is counted in ``cache_report``.
    """
    from kg.distributed import DEFAULT_PARTITION, extract_dask, extract_local

    size = partition_size or DEFAULT_PARTITION
    cache_report = cache_report if cache_report is not None else CacheReport()
    cache = None
    if cache_dir is not None:
        from kg.extract.cache import ExtractionCache, pipeline_version

        cache = ExtractionCache(cache_dir, pipeline_version(use_model))
    try:
        found = cache.get_many(papers) if cache is not None else {}
        todo = [p for p in papers if p.id not in found]
        cache_report.hits, cache_report.misses = len(papers) - len(todo), len(todo)
        bar = None
        if progress and todo:
            from tqdm import tqdm

            bar = tqdm(total=len(todo), desc="extract", unit="paper", leave=False)
        if scheduler is not None:
            runs = extract_dask(todo, scheduler, use_model=use_model, batch_size=batch_size, partition_size=size)
        else:
            runs = extract_local(todo, n_process=n_process, use_model=use_model, batch_size=batch_size,
                                 partition_size=size)
        for part, extractions in runs:
            if len(extractions) != len(part):
                raise ExtractionError(f"{len(part)} papers gave {len(extractions)} extractions",
                                      where=part[0].source if part else None,
                                      fix="report this as a bug in kg.extract")
            found.update((e.paper_id, e) for e in extractions)
            if cache is not None:
                cache_report.stored += cache.put_many(zip(part, extractions))
            if bar is not None:
                bar.update(len(part))
        if bar is not None:
            bar.close()
    finally:
        if cache is not None:
            cache.close()
    return [found[p.id] for p in papers]


def _extraction_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("kg.extract.pipeline") is not None


def build_graph(papers: Iterable[Paper], *, extractions: Iterable[Extraction] | None = None, n_process: int = 1,
                batch_size: int = 64, use_model: bool = True, progress: bool = False,
                schema: Schema | None = None, cache_dir: str | Path | None = None, scheduler=None,
                partition_size: int | None = None, resolve_with: Callable[[list[Extraction]], Resolution] = resolve,
                dropped_by_paper: dict[str, Counter] | None = None) -> tuple[nx.MultiDiGraph, PipelineReport]:
    """Build and validate the typed graph of ``papers``; extraction runs unless ``extractions`` is given.

    ``n_process`` local worker processes, or the Dask ``scheduler`` (an address), extract
    partitions of ``partition_size`` papers; with ``cache_dir`` only papers not extracted
    before (same text, same pipeline version) are. ``resolve_with`` resolves the extractions
    (an incremental build keeps its state this way); ``dropped_by_paper`` receives what each
    paper's fragment left out.
    """
    schema = schema or load_schema()
    papers = sorted(papers, key=lambda p: p.id)
    report = PipelineReport(papers=len(papers))
    clock = time.perf_counter()
    if extractions is None and not _extraction_available():
        report.notes.append("extraction is not installed: the graph has papers only")
        extractions = []
    if extractions is None:
        counted = CacheReport()
        report.cache = counted if cache_dir is not None else None
        extractions = extract_all(papers, n_process=n_process, batch_size=batch_size, use_model=use_model,
                                  progress=progress, cache_dir=cache_dir, scheduler=scheduler,
                                  cache_report=counted, partition_size=partition_size)
    extractions = sorted(extractions, key=lambda e: e.paper_id)
    report.extracted = len(extractions)
    report.seconds["extract"] = time.perf_counter() - clock

    clock = time.perf_counter()
    resolution = resolve_with(extractions)
    report.resolution = resolution.report
    report.seconds["resolve"] = time.perf_counter() - clock

    clock = time.perf_counter()
    graph = _build_typed_graph(papers, extractions, resolution, schema=schema, report=report.build,
                               dropped_by_paper=dropped_by_paper)
    validate(graph, schema)
    report.counts = count_graph(graph, schema)
    report.seconds["graph"] = time.perf_counter() - clock
    return graph, report


def _plain(attrs: dict) -> dict:
    """Attributes as a snapshot holds them: lists for tuples, no ``id`` (it is the node's key there)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in attrs.items() if k != "id"}


def _owner(graph: nx.MultiDiGraph, source: str, target: str, attrs: dict) -> str | None:
    """The paper an edge belongs to (as the store sees it): its source when that is a paper, else
    the paper its provenance names, else the paper owning one of its ends (a Result's edges)."""
    if graph.nodes[source].get("label") == "Paper":
        return source
    return attrs.get("paper_id") or graph.nodes[source].get("paper_id") or graph.nodes[target].get("paper_id")


def graph_delta(old: nx.MultiDiGraph, new: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, dict]:
    """What ``new`` adds to or changes in ``old``, as a graph to write: every paper that is new or
    whose content changed *with all it owns* (the store replaces a changed paper whole), new or
    changed shared nodes and edges, and the ends of every edge. Also says what ``old`` has and
    ``new`` lacks: counts of nodes and relationships, and the links no paper owns as
    ``(type, source, target)`` (the store deletes those).

    Writing the delta gives Neo4j the same nodes and relationships as writing all of ``new``,
    at a cost in proportion to the change, not to the graph.
    """
    with paused_gc():
        return _graph_delta(old, new)


def _graph_delta(old: nx.MultiDiGraph, new: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, dict]:
    touched: set[str] = set()
    delta = nx.MultiDiGraph()
    for node, attrs in new.nodes(data=True):
        if node not in old or _plain(old.nodes[node]) != _plain(attrs):
            owner = node if attrs.get("label") == "Paper" else attrs.get("paper_id")
            if owner is not None and owner in new:
                touched.add(owner)
            else:
                delta.add_node(node, **attrs)
    owned_edges: dict[str, list] = {}
    for source, target, key, attrs in new.edges(keys=True, data=True):
        owner = _owner(new, source, target, attrs)
        if owner is not None and owner in new:
            owned_edges.setdefault(owner, []).append((source, target, key, attrs))
        if not old.has_edge(source, target, key) or _plain(old.edges[source, target, key]) != _plain(attrs):
            if owner is not None and owner in new:
                touched.add(owner)
            else:
                delta.add_edge(source, target, key=key, **attrs)
    edges_gone = 0
    links_gone = []
    for source, target, key, attrs in old.edges(keys=True, data=True):
        if not new.has_edge(source, target, key):
            edges_gone += 1
            owner = _owner(old, source, target, attrs)
            if owner is None:
                links_gone.append((attrs.get("type"), source, target))
            elif owner in new:
                touched.add(owner)  # it says less now: write it again, whole
    for paper in touched:
        delta.add_node(paper, **new.nodes[paper])
        for source, target, key, attrs in owned_edges.get(paper, ()):
            delta.add_edge(source, target, key=key, **attrs)
    for node in list(delta):
        delta.add_node(node, **new.nodes[node])  # the ends of added edges get their attributes
    gone = {"nodes": sum(1 for n in old if n not in new), "relationships": edges_gone, "links": links_gone}
    return delta, gone


NEO4J_STATE = "neo4j-state.json"


def neo4j_holds(state_dir: Path | None, snapshot: Path, settings, snapshot_digest: str | None = None) -> bool:
    """Whether the Neo4j of ``settings`` was last written, by a build, with the graph in ``snapshot``
    (``snapshot_digest``: its :func:`kg.buildstate.file_digest`, when the caller has it)."""
    import json

    from kg.buildstate import file_digest

    if state_dir is None or not (state_dir / NEO4J_STATE).is_file() or not snapshot.is_file():
        return False
    try:
        state = json.loads((state_dir / NEO4J_STATE).read_text(encoding="utf-8"))
    except ValueError:
        return False
    return (state.get("uri"), state.get("database")) == (settings.uri, settings.database) \
        and state.get("snapshot") == (snapshot_digest or file_digest(snapshot))


def forget_neo4j_holds(state_dir: str | Path | None) -> None:
    """Say nothing of what Neo4j holds until :func:`record_neo4j_holds` says it again: from the
    moment a write starts until the build's files are written too, Neo4j may hold neither the last
    snapshot nor the next (the next build then writes the whole graph)."""
    if state_dir is not None:
        (Path(state_dir) / NEO4J_STATE).unlink(missing_ok=True)


def record_neo4j_holds(state_dir: str | Path | None, settings, snapshot_digest: str | None) -> None:
    """Record that the Neo4j of ``settings`` holds the graph of the snapshot with this digest
    (:func:`kg.buildstate.file_digest`): once both that write and the snapshot are done."""
    import json

    from kg.atomic import atomic_write_text

    if state_dir is not None and snapshot_digest is not None:
        atomic_write_text(Path(state_dir) / NEO4J_STATE, json.dumps(
            {"uri": settings.uri, "database": settings.database, "snapshot": snapshot_digest}) + "\n")


def write_neo4j(graph: nx.MultiDiGraph, settings, *, previous: nx.MultiDiGraph | None = None,
                change=None, progress=None):
    """Write ``graph`` into Neo4j; only the change when Neo4j still holds the last build.

    The change is ``change`` (a :class:`kg.increment.Change`, from an incremental build) or
    the delta of ``graph`` to ``previous`` (the graph the last build wrote, read from its
    snapshot). Neo4j is taken to hold the last build only when its label and type counts equal
    that build's (instant, from the count store); otherwise the whole graph is written.
    The caller records what Neo4j holds afterwards (:func:`record_neo4j_holds`).
    Returns ``(WriteReport, note)``.
    """
    from kg.store import graph_counts, read_counts, write_graph

    note = "neo4j: full write"
    held = None
    if change is not None and change.previous_counts is not None:
        held = change.previous_counts
    elif previous is not None:
        held = graph_counts(previous)
    if held is not None and read_counts(settings) == held:
        if change is not None:
            target, stale, removed = change.delta, change.stale_links(), change.removed
        else:
            target, gone = graph_delta(previous, graph)
            stale = gone["links"]
            removed = sorted(n for n, label in previous.nodes(data="label") if label == "Paper" and n not in graph)
        note = (f"neo4j: incremental, {target.number_of_nodes()} nodes and {target.number_of_edges()} "
                f"relationships of new or changed papers")
        if removed:
            note += f"; {len(removed)} papers no longer in the input deleted"
        report = write_graph(target, settings, progress=progress, whole=False, stale_links=stale,
                             removed_papers=removed)
    else:
        report = write_graph(graph, settings, progress=progress)
    return report, note
