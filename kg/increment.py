"""The build that starts from the last one: only new, changed and removed papers, and the earlier
papers their change reaches, are extracted, resolved and rebuilt.

:func:`build_with_state` is what ``kg build`` calls: with a usable :class:`kg.buildstate.BuildState`
it patches the last graph, else it builds the whole corpus and makes the state. Either way the
graph is the one a whole build of the same papers gives (the tests compare snapshot bytes).
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import networkx as nx

from kg.buildstate import BuildState, code_fingerprint, paper_digest
from kg.extract.cache import CacheReport
from kg.gcpause import paused_gc
from kg.graph.build import BuildReport, _Schema, entity_node, paper_fragment, variant_edges
from kg.graph.patch import Patch, apply_patch, delta_graph, reach_of
from kg.graph.validate import validate
from kg.paper import Paper
from kg.pipeline import PipelineReport, build_graph, count_graph, extract_all
from kg.schema import Schema, load_schema
from kg.store.counts import part_counts, shifted_counts


@dataclass
class Change:
    """What an incremental build changed: the patch applied to the graph, what the store must
    write (``delta``), what the snapshot and RDF writers may copy, and counts for the report."""

    patch: Patch = field(default_factory=Patch)
    delta: nx.MultiDiGraph | None = None   # the new and rebuilt papers with all they own, changed entities, links
    added: int = 0
    changed: int = 0
    removed: list[str] = field(default_factory=list)
    reached: int = 0
    previous_counts: dict | None = None    # label and type counts of the last build's graph (what Neo4j holds)
    removed_nodes: set = field(default_factory=set)     # nodes the patch took out (some are set again)
    changed_sources: set = field(default_factory=set)   # nodes whose out-edges were removed or added

    @property
    def unchanged(self) -> bool:
        """Nothing new, changed, removed or reached: the graph is the last build's, node for node."""
        return self.patch.is_empty()

    @property
    def changed_nodes(self) -> set[str]:
        return self.patch.changed_nodes()

    @property
    def touched_nodes(self) -> set[str]:
        """Nodes set, added or taken out: the ones whose output blocks may differ from the last build's."""
        return self.patch.changed_nodes() | self.removed_nodes

    def stale_links(self) -> list[tuple[str, str, str]]:
        """Removed links as the store names them: ``(type, source, target)``."""
        return [(key.split("|", 1)[0], source, target) for source, target, key in self.patch.links_removed]

    def write_snapshot(self, graph: nx.MultiDiGraph, path: Path, last, digest=None):
        """The updated graph's snapshot over the last one at ``path`` (``last``: its
        :class:`~kg.graph.snapshot_patch.SnapshotIndex`), encoding only what changed; returns the
        new file's index (``digest``, a :mod:`hashlib` object, is fed the bytes written)."""
        from kg.graph.snapshot_patch import patch_snapshot

        return patch_snapshot(graph, path, last, self.touched_nodes, self.changed_sources, digest)

    def describe(self) -> str:
        return (f"incremental: {self.added} new, {self.changed} changed, {len(self.removed)} removed papers; "
                f"{self.reached} earlier papers rebuilt because their entities changed; "
                f"{len(self.patch.entities)} entities written")


def fingerprint(use_model: bool) -> str:
    from kg.extract.cache import pipeline_version

    return code_fingerprint(pipeline_version(use_model))


def whole_build(papers: Sequence[Paper], *, schema: Schema | None = None, fingerprint_value: str = "",
                digests: dict[str, str] | None = None,
                **extract_options) -> tuple[nx.MultiDiGraph, PipelineReport, BuildState]:
    """Build every paper (:func:`kg.pipeline.build_graph`), resolving with a
    :class:`~kg.resolve.incremental.ResolutionState` that is kept, with the graph, for the next build
    (``digests``: the papers' :func:`~kg.buildstate.paper_digest` by id, when the caller has them)."""
    from kg.resolve.incremental import ResolutionState

    kept: dict = {}

    def resolve_keeping_state(extractions):
        kept["resolution"] = ResolutionState.build(extractions)
        return kept["resolution"].resolution(extractions)

    dropped: dict[str, Counter] = {}
    graph, report = build_graph(papers, schema=schema, resolve_with=resolve_keeping_state,
                                dropped_by_paper=dropped, **extract_options)
    state = BuildState(fingerprint=fingerprint_value, papers=digests or {p.id: paper_digest(p) for p in papers},
                       resolution=kept["resolution"], graph=graph, dropped=dropped, counts=report.counts)
    return graph, report, state


def update(papers: Sequence[Paper], state: BuildState, *, schema: Schema | None = None, count_previous: bool = False,
           digests: dict[str, str] | None = None, **extract_options) -> tuple[nx.MultiDiGraph, PipelineReport, Change]:
    """Bring ``state`` (its graph and resolution, changed in place) to ``papers`` (``digests``:
    their :func:`~kg.buildstate.paper_digest` by id, when the caller has them). With
    ``count_previous`` the change keeps the last graph's counts (to check what Neo4j holds)."""
    with paused_gc():
        return _update(papers, state, schema or load_schema(), count_previous, extract_options,
                       digests or {p.id: paper_digest(p) for p in papers})


def _update(papers: Sequence[Paper], state: BuildState, schema: Schema, count_previous: bool, extract_options: dict,
            digests: dict[str, str]):
    papers = sorted(papers, key=lambda p: p.id)
    by_id = {p.id: p for p in papers}
    report = PipelineReport(papers=len(papers), extracted=len(papers))
    change = Change()
    change.removed = sorted(i for i in state.papers if i not in by_id)
    changed = sorted(i for i, d in digests.items() if i in state.papers and state.papers[i] != d)
    added = sorted(i for i in digests if i not in state.papers)
    change.added, change.changed = len(added), len(changed)

    clock = time.perf_counter()
    report.cache = CacheReport() if extract_options.get("cache_dir") is not None else None
    fresh = sorted(added + changed)
    extractions = {e.paper_id: e for e in extract_all([by_id[i] for i in fresh], cache_report=report.cache,
                                                      **extract_options)}
    if report.cache is not None:   # unchanged papers count as reused: their extraction is in the state
        report.cache.hits += len(papers) - len(fresh)
    report.seconds["extract"] = time.perf_counter() - clock

    clock = time.perf_counter()
    resolution = state.resolution
    moved = resolution.update([extractions[i] for i in fresh], removed=change.removed + changed)
    reached = sorted(set(moved.papers) - set(fresh) - set(change.removed))
    change.reached = len(reached)
    report.resolution = resolution.report()
    report.seconds["resolve"] = time.perf_counter() - clock

    clock = time.perf_counter()
    if reached:   # earlier papers are rebuilt from their cached extractions (same text: all hits)
        options = {**extract_options, "n_process": 1}
        extractions.update((e.paper_id, e) for e in extract_all([by_id[i] for i in reached], **options))
    answers = _Schema(schema)
    patch = change.patch
    patch.drop_papers = set(change.removed) | set(changed) | set(reached)
    rebuild = sorted(fresh + reached)
    for paper_id in rebuild:
        own = BuildReport()
        extraction = extractions.get(paper_id)
        mentions = [(entity, found) for (_, entity), found in resolution.mentions_of([extraction]).items()] \
            if extraction is not None else []
        patch.fragments.append(paper_fragment(by_id[paper_id], extraction, resolution, mentions, answers, own))
        state.dropped.pop(paper_id, None)
        if own.dropped:
            state.dropped[paper_id] = own.dropped
    for paper_id in change.removed:
        state.dropped.pop(paper_id, None)
    entities = resolution.entities
    patch.entities = {e: entity_node(schema, entities[e]) for e in sorted(moved.entities_changed)}
    patch.entities_removed = set(moved.entities_removed)
    ignored = BuildReport()
    patch.links_added = variant_edges(sorted(moved.variants_added), entities, answers, ignored)
    key = answers.key_of("VARIANT_OF", None)
    patch.links_removed = [(variant, base, key) for variant, base in sorted(moved.variants_removed)]
    graph = state.graph
    # The counts follow the patch: the share of what it can reach, before and after.
    last_counts = state.counts if state.counts is not None else count_graph(graph, schema)
    if count_previous:
        change.previous_counts = last_counts
    reach = reach_of(graph, patch)
    before = part_counts(graph, reach.nodes, reach.sources, schema)
    change.changed_sources = apply_patch(graph, patch, change.removed_nodes, reach)
    report.counts = state.counts = shifted_counts(last_counts, before,
                                                  part_counts(graph, reach.nodes, reach.sources, schema))
    change.delta = delta_graph(graph, patch)
    validate(change.delta, schema)
    report.build.dropped = state.dropped_total()
    report.build.dropped.update(_variant_drops(resolution, answers))
    report.seconds["graph"] = time.perf_counter() - clock
    state.papers = digests
    report.notes.append(change.describe())
    return graph, report, change


def _variant_drops(resolution, answers: _Schema) -> Counter:
    """What the whole build would count as left out among the VARIANT_OF links (the schema allows
    every entity label today, so normally nothing)."""
    report = BuildReport()
    variant_edges(resolution.variants, resolution.entities, answers, report)
    return report.dropped


def build_with_state(papers: Sequence[Paper], *, cache_dir: Path | None, snapshot: Path, use_model: bool = True,
                     schema: Schema | None = None, count_previous: bool = False, whole: bool = False,
                     snapshot_digest: str | None = None, kept: BuildState | None = None, **extract_options):
    """``(graph, report, state, change)``: an update of the last build when its state fits (and
    ``whole`` is not asked for), else a whole build (``change`` None). The caller saves ``state``
    after writing the outputs. ``kept``: the state this process's last build returned, used
    instead of the state file when it fits (``kg build --watch``)."""
    from kg.buildstate import load_state

    from kg.pipeline import _extraction_available

    options = dict(extract_options, use_model=use_model, cache_dir=cache_dir)
    if not _extraction_available():   # papers only: nothing to keep
        graph, report = build_graph(papers, schema=schema, **options)
        return graph, report, None, None
    clock = time.perf_counter()
    value = fingerprint(use_model)
    state, why = load_state(cache_dir, value, snapshot, snapshot_digest, kept) if not whole \
        else (None, "--rebuild: whole build")
    loading = time.perf_counter() - clock
    digests = None
    if state is not None:
        digests = {p.id: paper_digest(p) for p in papers}
        same = sum(1 for paper_id, digest in digests.items() if state.papers.get(paper_id) == digest)
        if same < len(papers) / 2:   # most of the input is new or changed: building it whole is quicker
            state, why = None, f"{len(papers) - same} of {len(papers)} papers new or changed: whole build"
    if state is not None:
        graph, report, change = update(papers, state, schema=schema, count_previous=count_previous, digests=digests,
                                       **options)
        report.seconds = {"state": loading, **report.seconds}
        return graph, report, state, change
    graph, report, state = whole_build(papers, schema=schema, fingerprint_value=value, digests=digests, **options)
    report.notes.append(why)
    return graph, report, state, None
