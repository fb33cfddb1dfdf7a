"""The streamed N-Triples (N-Quads) export, written so that the next build can copy what did not change.

:func:`kg.rdf.lines.iter_lines` writes one block of lines per node (sorted by id), then one
block per node's out-edges, in the same order. A block's lines depend on that node or those
edges alone, with one exception: the two lines that describe an agent (a rule) come right
before its first use in the file. :func:`write_blocks` writes the same bytes and returns a
:class:`LinesIndex` (each block's size, and which block introduced each agent); given the
last file and its index it copies every unchanged block whose agent lines still hold, and
encodes the rest. The blocks between the touched nodes (and those that introduced an agent)
are found by bisection and copied as one run, a single copy from the last file by the
kernel (:func:`kg.splice.kernel_copier`): an incremental build's Python work follows the
change, and only the copying grows with the file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import BinaryIO

import networkx as nx

from kg.atomic import atomic_open
from kg.gcpause import paused_gc
from kg.graph.snapshot_patch import nodes_of, plan_nodes, plan_size
from kg.rdf.export import check_format, graph_name, unicode_error
from kg.rdf.lines import LineWriter
from kg.rdf.ntriples import nt_term
from kg.rdf.terms import check_base_iri
from kg.rdf.vocab import Vocabulary, vocabulary
from kg.splice import LastFile, Splicer, kernel_copier, mapped

NODES, EDGES = 0, 1


@dataclass
class LinesIndex:
    """Where the blocks of one written export are: sizes in bytes and in lines, in file order."""

    graph_term: str | None                       # the N-Quads graph name (None: N-Triples)
    nodes: list = field(default_factory=list)    # node ids, sorted: the order of both kinds of block
    node_sizes: list = field(default_factory=list)
    edge_sizes: list = field(default_factory=list)   # 0 for a node without out-edges
    node_lines: list = field(default_factory=list)
    edge_lines: list = field(default_factory=list)
    first: dict = field(default_factory=dict)    # agent -> (kind, node id) of the block that introduced it
    size: int = 0
    lines: int = 0


def write_blocks(graph: nx.MultiDiGraph, handle: BinaryIO, base_iri: str, vocab: Vocabulary, graph_term=None,
                 old: bytes | None = None, old_index: LinesIndex | None = None, changed_nodes=frozenset(),
                 changed_sources=frozenset(), old_file: LastFile | None = None) -> LinesIndex:
    """Write the export of ``graph`` to ``handle``; with ``old`` (the last file's bytes, or a
    buffer mapping them) and its ``old_index``, copy the blocks of nodes not in ``changed_nodes``
    and of sources not in ``changed_sources`` from it (by the kernel when ``old_file`` is the
    open last file ``old`` maps). Returns the index of what was written."""
    writer = LineWriter(graph, base_iri, vocab, graph_term)
    index = LinesIndex(graph_term=None if graph_term is None else nt_term(graph_term))
    usable = old is not None and old_index is not None and old_index.graph_term == index.graph_term \
        and old_index.size == len(old)
    # Agents the old file had introduced before a block: its intro events in file order.
    events = sorted((block, agent) for agent, block in old_index.first.items()) if usable else []
    event_keys = [block for block, _ in events]
    introduced = writer._agents             # agents introduced so far in the new file (the writer's own set)
    differ: set = set()                     # introduced now XOR introduced before this block in the old file
    passed = 0                              # events of the old file before the current block
    agent_bytes: dict = {}

    def agent_iri(agent) -> bytes:
        found = agent_bytes.get(agent)
        if found is None:
            found = agent_bytes[agent] = nt_term(writer.mint.agent(str(agent))).encode("utf-8")
        return found

    plan = _plan(graph, old_index if usable else None, {node for _, node in event_keys}, changed_nodes,
                 changed_sources)
    node_attrs = graph.nodes
    old_sizes = (old_index.node_sizes, old_index.edge_sizes) if usable else None
    old_lines = (old_index.node_lines, old_index.edge_lines) if usable else None
    starts = None
    if usable:   # where each old block starts: node blocks, then edge blocks
        starts = (list(accumulate(old_index.node_sizes, initial=0)),
                  list(accumulate(old_index.edge_sizes, initial=sum(old_index.node_sizes))))
    view = memoryview(old) if usable else None
    spliced = Splicer(handle.write, view,
                      copy_range=kernel_copier(handle, old_file, view) if usable and old_file is not None else None)

    def advance(key: tuple) -> None:
        """Pass the old file's agent introductions before block ``key``."""
        nonlocal passed
        while passed < len(events) and event_keys[passed] < key:
            agent = events[passed][1]
            differ.symmetric_difference_update((agent,))
            passed += 1

    def block(kind: int, node, place: int | None) -> tuple[int, int]:
        key = (kind, node)
        advance(key)
        size = old_sizes[kind][place] if place is not None else 0
        if size and node not in (changed_nodes if kind == NODES else changed_sources):
            start = starts[kind][place]
            end, lines = start + size, old_lines[kind][place]
            if not any(old.find(agent_iri(agent), start, end) >= 0 for agent in differ):
                for at in range(passed, len(events)):   # the agents this block introduced in the old file
                    if event_keys[at] != key:
                        break
                    agent = events[at][1]
                    introduced.add(agent)
                    writer.introduced.append(agent)
                    differ.symmetric_difference_update((agent,))
                    index.first[agent] = key
                spliced.copy(start, end)
                return end - start, lines
        before = len(writer.introduced)
        out: list[str] = []
        if kind == NODES:
            writer.node_lines(node, node_attrs[node], out)
        else:
            last = None
            for _, target, edge_key, attrs in sorted(graph.out_edges(node, keys=True, data=True),
                                                     key=lambda e: (e[1], str(e[2]))):
                direct = (target, attrs.get("type"))
                writer.edge_lines(node, target, str(edge_key), attrs, direct != last, out)
                last = direct
        for agent in writer.introduced[before:]:
            differ.symmetric_difference_update((agent,))
            index.first[agent] = key
        data = "".join(out).encode("utf-8")
        spliced.add(data)
        return len(data), len(out)

    def run(kind: int, first: int, end: int, sizes: list, lines: list) -> None:
        """The old blocks ``first`` to ``end`` (no node in them touched, no agent introduced in
        them): one copy, unless an agent whose introduction moved is named in them."""
        start, stop = starts[kind][first], starts[kind][end]
        advance((kind, old_index.nodes[first]))
        if start == stop or not any(old.find(agent_iri(agent), start, stop) >= 0 for agent in differ):
            if stop > start:
                spliced.copy(start, stop)
            sizes += old_sizes[kind][first:end]
            lines += old_lines[kind][first:end]
            return
        for place in range(first, end):
            node = old_index.nodes[place]
            size, count = block(kind, node, place) if old_sizes[kind][place] else (0, 0)
            sizes.append(size)
            lines.append(count)

    try:
        for kind in (NODES, EDGES):
            sizes, lines = (index.node_sizes, index.node_lines) if kind == NODES else (index.edge_sizes, index.edge_lines)
            for step in plan:
                if type(step[0]) is int:
                    run(kind, step[0], step[1], sizes, lines)
                    continue
                node, place = step
                size, count = block(kind, node, place) if kind == NODES or graph.out_degree(node) else (0, 0)
                sizes.append(size)
                lines.append(count)
        spliced.flush()
    finally:
        if view is not None:
            view.release()
    index.nodes = nodes_of(plan, old_index.nodes if usable else [])
    index.size = sum(index.node_sizes) + sum(index.edge_sizes)
    index.lines = sum(index.node_lines) + sum(index.edge_lines)
    return index


def _plan(graph: nx.MultiDiGraph, old_index: LinesIndex | None, agent_nodes: set, changed_nodes,
          changed_sources) -> list[tuple]:
    """The new file's node order as :func:`kg.graph.snapshot_patch.plan_nodes` steps: the nodes
    touched and those whose blocks introduced an agent, each alone, and runs of old blocks
    between them. Without an old file, or when the changed nodes do not account for every node
    that came or went, every node is a step of its own (found in the old file by id)."""
    if old_index is not None:
        plan = plan_nodes(old_index.nodes, sorted(set(changed_nodes) | set(changed_sources) | agent_nodes), graph)
        if plan_size(plan) == graph.number_of_nodes():
            return plan
    places = {node: place for place, node in enumerate(old_index.nodes)} if old_index is not None else {}
    return [(node, places.get(node)) for node in sorted(graph.nodes)]


@dataclass
class WrittenExport:
    """An export written by :func:`write_streamed_export`: its index and the file it describes."""

    path: str
    format: str
    index: LinesIndex
    size: int
    mtime_ns: int

    def describes(self, path: Path, format: str) -> bool:
        """Whether the file at ``path`` is still the one this index was made for."""
        try:
            stat = path.stat()
        except OSError:
            return False
        return (str(path), format, self.size, self.mtime_ns) == (self.path, self.format, stat.st_size,
                                                                  stat.st_mtime_ns)


def write_streamed_export(graph: nx.MultiDiGraph, path, format: str = "nt", last: WrittenExport | None = None,
                          changed_nodes=frozenset(), changed_sources=frozenset()) -> WrittenExport:
    """Write the N-Triples (``nt``) or N-Quads (``nquads``) export of ``graph`` at ``path``
    (atomically), copying unchanged blocks from ``last`` when it still describes that file."""
    check_format(format)
    if format not in ("nt", "nquads"):
        raise ValueError(f"{format!r} is not a streamed RDF format")
    path = Path(path)
    vocab = vocabulary()
    base_iri = check_base_iri(vocab.default_base_iri)
    name = graph_name(base_iri, vocab) if format == "nquads" else None
    with mapped(path if last is not None and last.describes(path, format) else None) as old:
        try:
            with atomic_open(path, "wb") as handle, paused_gc():
                index = write_blocks(graph, handle, base_iri, vocab, name, old=old.data if old is not None else None,
                                     old_index=last.index if old is not None else None,
                                     changed_nodes=changed_nodes, changed_sources=changed_sources,
                                     old_file=old)
        except UnicodeEncodeError as error:
            raise unicode_error(error, str(path)) from None
    stat = path.stat()
    return WrittenExport(str(path), format, index, stat.st_size, stat.st_mtime_ns)
