"""Rewrite a snapshot after a patch by copying what did not change, in time that follows the change.

The snapshot lists the edges, sorted by source, then the nodes, sorted, one element each, and
an element's text depends on that node or edge alone (see :mod:`kg.graph.snapshot`). So a
node's element and its out-edges' elements are two blocks of bytes, in node order in both
arrays. :func:`write_indexed_snapshot` writes the same bytes as
:func:`kg.graph.snapshot.write_snapshot` and returns a :class:`SnapshotIndex`: the sorted node
ids and each block's size. Given the last file and its index, :func:`patch_snapshot` finds the
nodes the patch touched by bisection and copies the runs of blocks between them from the last
file as single byte ranges; only the touched blocks are encoded. The Python work is in
proportion to the change; only the copying (by the kernel) and the digest grow with the graph.
"""
from __future__ import annotations

from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

import networkx as nx

from kg.atomic import atomic_open
from kg.gcpause import paused_gc
from kg.graph.snapshot import CHUNK, SNAPSHOT_NAME, _elements, digesting, iter_dumps
from kg.splice import Splicer, kernel_copier, mapped

SEPARATOR = b",\n  "                      # between two elements of an array
_BOUNDARY = b"\n  },\n  {"               # an element's end, the separator, the next one's start
_HEAD = b'{\n "directed": true,\n "edges": '
_MIDDLE = b',\n "graph": {},\n "multigraph": true,\n "nodes": '
_OPEN, _CLOSE, _EMPTY, _TAIL = b"[\n  ", b"\n ]", b"[]", b"\n}\n"


@dataclass
class SnapshotIndex:
    """Where each block of a written snapshot is. Sizes count the separator after the block
    (the last block of an array has none in the file); a node without out-edges has an edge
    block of size 0."""

    nodes: list = field(default_factory=list)          # node ids, sorted: the order of both arrays
    node_sizes: array = field(default_factory=lambda: array("q"))
    edge_sizes: array = field(default_factory=lambda: array("q"))
    size: int = 0                                      # of the whole file

    def starts(self) -> tuple[int, int]:
        """Offsets of the first edge and of the first node element in the file."""
        edges = sum(self.edge_sizes)
        edge_array = len(_OPEN) + edges - len(SEPARATOR) + len(_CLOSE) if edges else len(_EMPTY)
        return len(_HEAD) + len(_OPEN), len(_HEAD) + edge_array + len(_MIDDLE) + len(_OPEN)

    def fits(self, data) -> bool:
        """Whether ``data`` (the last file's bytes) is laid out as this index says."""
        if not self.nodes or len(data) != self.size or not sum(self.edge_sizes):
            return False
        edge_start, node_start = self.starts()
        middle = node_start - len(_OPEN) - len(_MIDDLE)
        return data[:edge_start] == _HEAD + _OPEN \
            and data[middle - len(_CLOSE):node_start] == _CLOSE + _MIDDLE + _OPEN \
            and data[len(data) - len(_CLOSE) - len(_TAIL):] == _CLOSE + _TAIL


def _sizes(items: list[dict]) -> tuple[bytes, list[int]]:
    """The items' elements, joined as in the document, and each element's size in bytes (no
    element holds the boundary text inside: strings escape newlines, and nested values are
    indented deeper)."""
    data = _elements(items).encode("utf-8")
    parts = data.split(_BOUNDARY)
    if len(parts) != len(items):
        raise ValueError(f"{len(items)} snapshot elements split into {len(parts)} parts")
    sizes = [len(part) + 5 for part in parts]   # the "\n  }" and "{" the split took
    sizes[0] -= 1
    sizes[-1] -= 4
    return data, sizes


def _out_edges(graph: nx.MultiDiGraph, node) -> list[dict]:
    """The node's out-edges as snapshot items, in snapshot order."""
    return [{**attrs, "source": node, "target": target, "key": key}
            for _, target, key, attrs in sorted(graph.out_edges(node, keys=True, data=True),
                                                key=lambda e: (e[1], str(e[2])))]


def write_indexed_snapshot(graph: nx.MultiDiGraph, path: str | Path, digest=None) -> SnapshotIndex:
    """Write the snapshot of ``graph`` (the bytes of :func:`~kg.graph.snapshot.write_snapshot`) and
    return its index; ``digest`` (a :mod:`hashlib` object) is fed the bytes written."""
    target = Path(path)
    if target.suffix != ".json":
        target = target / SNAPSHOT_NAME
    index = SnapshotIndex(nodes=sorted(graph.nodes))
    with atomic_open(target, "wb") as handle, paused_gc():
        write = _counting(digesting(handle, digest), index)
        if not _usual(graph):   # written, not indexed
            for piece in iter_dumps(graph):
                write(piece.encode("utf-8"))
            index.nodes = []
            return index
        write(_HEAD + _OPEN)
        _write_blocks(index.nodes, lambda node: _out_edges(graph, node), index.edge_sizes, write)
        write(_CLOSE + _MIDDLE + _OPEN)
        nodes = graph.nodes
        _write_blocks(index.nodes, lambda node: [{**nodes[node], "id": node}], index.node_sizes, write)
        write(_CLOSE + _TAIL)
    return index


def _usual(graph: nx.MultiDiGraph) -> bool:
    """A kg graph with edges and no graph attributes: the layout the index describes."""
    # the first edge, not number_of_edges(): that sums every node's degree (0.2 s at 41k papers)
    return graph.is_directed() and graph.is_multigraph() and graph.graph == {} \
        and next(iter(graph.edges), None) is not None


def _ignore(data) -> None:
    pass


def _counting(write, index: SnapshotIndex):
    def counted(data) -> None:
        index.size += len(data)
        write(data)

    return counted


def _write_blocks(nodes: list, items_of, sizes: array, write) -> None:
    """Each node's block (its items, encoded a few thousand at a time), and each block's size."""
    pending: list[dict] = []
    counts: list[int] = []
    out = Splicer(write, separator=SEPARATOR)

    def flush() -> None:
        if not pending:
            return
        data, element_sizes = _sizes(pending)
        out.add(data)
        at = 0
        for count in counts:
            if count:
                sizes.append(sum(element_sizes[at:at + count]) + count * len(SEPARATOR))
                at += count
            else:
                sizes.append(0)
        pending.clear()
        counts.clear()

    for node in nodes:
        items = items_of(node)
        pending += items
        counts.append(len(items))
        if len(pending) >= CHUNK:
            flush()
    flush()
    out.flush()
    if counts:   # trailing nodes without items
        sizes.extend([0] * len(counts))


def patch_snapshot(graph: nx.MultiDiGraph, path: str | Path, last: SnapshotIndex | None, touched_nodes,
                   touched_sources, digest=None) -> SnapshotIndex:
    """Write the snapshot of ``graph`` over the one at ``path``, which ``last`` indexes, encoding
    again only the nodes in ``touched_nodes`` (set, added or removed by the patch) and the
    out-edges of ``touched_sources``; everything else is copied. Writes the whole file when the
    last one is not laid out as ``last`` says. ``digest`` is fed the bytes written."""
    target = Path(path)
    if target.suffix != ".json":
        target = target / SNAPSHOT_NAME
    with mapped(target if last is not None and last.nodes and target.is_file() else None) as old:
        if old is None or not last.fits(old.data) or not _usual(graph):
            return write_indexed_snapshot(graph, target, digest)
        plan = plan_nodes(last.nodes, sorted(set(touched_nodes) | set(touched_sources)), graph)
        if plan_size(plan) != graph.number_of_nodes():
            # a node came or went without being named: the plan cannot be trusted, so write it all
            return write_indexed_snapshot(graph, target, digest)
        index = SnapshotIndex()
        edge_start, node_start = last.starts()
        view = memoryview(old.data)
        try:
            with atomic_open(target, "wb") as handle, paused_gc():
                write = _counting(digesting(handle, digest), index)
                # copied ranges are counted and digested from the mapping, and copied by the kernel
                copy = kernel_copier(handle, old, view, _counting(digest.update if digest else _ignore, index))
                write(_HEAD + _OPEN)
                _patch_blocks(plan, last.edge_sizes, edge_start, set(touched_sources),
                              lambda node: _out_edges(graph, node), index.edge_sizes, write, copy)
                write(_CLOSE + _MIDDLE + _OPEN)
                nodes = graph.nodes
                _patch_blocks(plan, last.node_sizes, node_start, set(touched_nodes),
                              lambda node: [{**nodes[node], "id": node}], index.node_sizes, write, copy)
                write(_CLOSE + _TAIL)
        finally:
            view.release()
    index.nodes = nodes_of(plan, last.nodes)
    return index


def plan_size(plan: list[tuple]) -> int:
    """How many nodes a :func:`plan_nodes` plan lists."""
    return sum(1 if type(step[0]) is not int else step[1] - step[0] for step in plan)


def nodes_of(plan: list[tuple], old_nodes: list) -> list:
    """The node ids a :func:`plan_nodes` plan lists, in order."""
    nodes: list = []
    for step in plan:
        if type(step[0]) is int:
            nodes += old_nodes[step[0]:step[1]]
        else:
            nodes.append(step[0])
    return nodes


def plan_nodes(old_nodes: list, touched: list, graph: nx.MultiDiGraph) -> list[tuple]:
    """The new node order as steps: ``(i, j)`` for the run ``old_nodes[i:j]`` the patch left alone,
    ``(node, i)`` for a touched node in the new graph (``i``: its place in ``old_nodes``, or None)."""
    plan: list[tuple] = []
    at = 0
    for node in touched:
        place = bisect_left(old_nodes, node, at)
        was = place < len(old_nodes) and old_nodes[place] == node
        if place > at:
            plan.append((at, place))
        if node in graph:
            plan.append((node, place if was else None))
        at = place + 1 if was else place
    if at < len(old_nodes):
        plan.append((at, len(old_nodes)))
    return plan


def _patch_blocks(plan: list[tuple], old_sizes: array, start: int, touched: set, items_of, sizes: array,
                  write, copy) -> None:
    """One array of the new file: runs and untouched blocks copied from the last file by
    ``copy(start, end)``, touched blocks encoded."""
    out = Splicer(write, separator=SEPARATOR, copy_range=copy)
    offsets = list(accumulate(old_sizes, initial=0))
    for step in plan:
        if type(step[0]) is int:
            first, end = step
            if offsets[end] > offsets[first]:
                out.copy(start + offsets[first], start + offsets[end] - len(SEPARATOR))
            sizes.extend(old_sizes[first:end])
            continue
        node, place = step
        if place is not None and node not in touched:
            size = old_sizes[place]
            if size:
                out.copy(start + offsets[place], start + offsets[place] + size - len(SEPARATOR))
            sizes.append(size)
            continue
        items = items_of(node)
        if items:
            data = _elements(items).encode("utf-8")
            out.add(data)
            sizes.append(len(data) + len(SEPARATOR))
        else:
            sizes.append(0)
    out.flush()
