"""Rewrite a snapshot after a patch by copying what did not change.

The snapshot lists nodes and edges in sorted order, one element each, and an element's text
depends on that node or edge alone (see :mod:`kg.graph.snapshot`). So the new file is the old
one's elements, in the new order, with only the changed ones encoded again: the same bytes
:func:`kg.graph.snapshot.write_snapshot` writes, for a cost in proportion to the change (plus
copying the file).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import networkx as nx

from kg.atomic import atomic_open
from kg.gcpause import paused_gc
from kg.graph.snapshot import SNAPSHOT_NAME, _elements, iter_dumps

_END = b"\n  }"        # the end of an element (depth 2); no element holds it inside
_SEPARATOR = b",\n  "


def edge_order(edge: tuple) -> tuple:
    """The snapshot's order of ``(source, target, key)``."""
    return edge[0], edge[1], str(edge[2])


def _spans(data: bytes, opening: bytes, count: int) -> list[tuple[int, int]] | None:
    """(start, end) of the ``count`` elements of the array after ``opening``; None if the text
    is not laid out that way (then the caller writes the whole file)."""
    begin = data.find(opening)
    if begin < 0:
        return None
    position = begin + len(opening)
    if count == 0:
        return [] if data.startswith(b"[]", position) else None
    if not data.startswith(b"[\n  ", position):
        return None
    position += 4
    spans = []
    for _ in range(count):
        end = data.find(_END, position)
        if end < 0:
            return None
        end += len(_END)
        spans.append((position, end))
        position = end + len(_SEPARATOR)
    if not data.startswith(b"\n ]", spans[-1][1]):
        return None
    return spans


def _array(data: bytes, spans: dict, keys: list, changed: set, encode) -> Iterable[bytes]:
    """The elements of one array: copied from ``data`` where ``spans`` has an unchanged key, else
    encoded; contiguous copies leave as one slice."""
    if not keys:
        yield b"[]"
        return
    yield b"[\n  "
    first = True
    run_start = run_end = None
    pending: list = []

    def flush_encoded():
        if pending:
            text = _elements(pending).encode("utf-8")
            pending.clear()
            return text
        return None

    for key in keys:
        span = None if key in changed else spans.get(key)
        if span is not None:
            text = flush_encoded()
            if text is not None:
                yield (b"" if first else _SEPARATOR) + text
                first = False
            if run_end is not None and span[0] == run_end + len(_SEPARATOR):
                run_end = span[1]
                continue
            if run_start is not None:
                yield (b"" if first else _SEPARATOR) + data[run_start:run_end]
                first = False
            run_start, run_end = span
        else:
            if run_start is not None:
                yield (b"" if first else _SEPARATOR) + data[run_start:run_end]
                first = False
                run_start = run_end = None
            pending.append(encode(key))
    if run_start is not None:
        yield (b"" if first else _SEPARATOR) + data[run_start:run_end]
        first = False
    text = flush_encoded()
    if text is not None:
        yield (b"" if first else _SEPARATOR) + text
        first = False
    yield b"\n ]"


def patch_snapshot(graph: nx.MultiDiGraph, path: str | Path, old_nodes: list, old_edges: list,
                   changed_nodes: set, changed_edges: set) -> Path:
    """Write the snapshot of ``graph`` over the one at ``path``, which holds the graph before the
    patch (its sorted ``old_nodes`` and ``old_edges``), re-encoding only ``changed_nodes`` and
    ``changed_edges`` (and what is new). Falls back to a whole write when the old file is not
    laid out as expected."""
    target = Path(path)
    if target.suffix != ".json":
        target = target / SNAPSHOT_NAME
    data = target.read_bytes()
    edge_spans = _spans(data, b'"edges": ', len(old_edges))
    node_spans = _spans(data, b'"nodes": ', len(old_nodes))
    with atomic_open(target, "wb", encoding=None) as handle, paused_gc():
        if edge_spans is None or node_spans is None or graph.graph != {} or not data.startswith(
                b'{\n "directed": true,\n "edges": '):
            for piece in iter_dumps(graph):
                handle.write(piece.encode("utf-8"))
            return target
        nodes = graph.nodes

        def node(key):
            return {**nodes[key], "id": key}

        def edge(key):
            return {**graph.edges[key], "source": key[0], "target": key[1], "key": key[2]}

        edges = sorted(graph.edges(keys=True), key=edge_order)
        handle.write(b'{\n "directed": true,\n "edges": ')
        for piece in _array(data, dict(zip(old_edges, edge_spans)), edges, changed_edges, edge):
            handle.write(piece)
        handle.write(b',\n "graph": {},\n "multigraph": true,\n "nodes": ')
        for piece in _array(data, dict(zip(old_nodes, node_spans)), sorted(graph.nodes), changed_nodes, node):
            handle.write(piece)
        handle.write(b"\n}\n")
    return target
