"""The graph snapshot: node-link JSON, the single file every sink can start from.

Written with sorted nodes, edges and keys, so the same graph gives the same bytes.

Conventions of the typed graph (a ``networkx.MultiDiGraph``):
- node id = the node's key property ``id``; attribute ``label`` is its schema label
  (``Paper``, ``Method``, ..., ``Result``); other attributes are schema properties.
- edge key = the relationship type, or ``TYPE|paper_id`` for types whose schema key is
  ``paper_id`` (one relationship per stating paper); attribute ``type`` is the
  relationship type; other attributes are schema properties.

The file is the bytes of ``json.dumps(to_node_link(graph), sort_keys=True,
ensure_ascii=False, indent=1)``, but written a few thousand nodes or edges at a time:
json's indenting encoder is pure Python and the whole text of the 41k-abstract graph is
190 MB, so :func:`iter_dumps` encodes each node and edge with json's C encoder (its item
separator carries the indentation) and never holds more than a chunk of the text.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import networkx as nx

from kg.atomic import atomic_open
from kg.errors import InputError
from kg.gcpause import paused_gc

SNAPSHOT_NAME = "graph.json"
CHUNK = 2000   # nodes or edges per write

# A node or edge sits at depth 2 of the document: its items are indented 3 spaces, list items 4.
_ITEM = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",\n   ", ": "))
_LIST = json.JSONEncoder(ensure_ascii=False, separators=(",\n    ", ": "))
_SCALARS = frozenset({str, int, float, bool, type(None)})


def to_node_link(graph: nx.MultiDiGraph) -> dict:
    data = nx.node_link_data(graph, edges="edges")
    data["nodes"] = sorted(data["nodes"], key=lambda n: n["id"])
    data["edges"] = sorted(data["edges"], key=lambda e: (e["source"], e["target"], str(e["key"])))
    return data


def _indented(value, depth: int) -> str:
    """``value`` as json's ``indent=1`` writes it ``depth`` levels down (any JSON value)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1).replace("\n", "\n" + " " * depth)


def _element(item: dict) -> str:
    """One node or edge as it appears in the document (depth 2)."""
    if not item:
        return "{}"
    kinds = set(map(type, item.values()))
    if kinds <= _SCALARS and set(map(type, item)) == {str}:
        return "{\n   " + _ITEM.encode(item)[1:-1] + "\n  }"
    if kinds <= _SCALARS | {list, tuple} and set(map(type, item)) == {str}:   # entities: aliases, counts
        parts = []
        for name in sorted(item):
            value = item[name]
            if type(value) in (list, tuple):
                if not value:
                    parts.append(f"{_ITEM.encode(name)}: []")
                    continue
                if not set(map(type, value)) <= _SCALARS:
                    return _indented(item, 2)
                text = _LIST.encode(value)
                parts.append(f"{_ITEM.encode(name)}: [\n    {text[1:-1]}\n   ]")
            else:
                parts.append(f"{_ITEM.encode(name)}: {_ITEM.encode(value)}")
        return "{\n   " + ",\n   ".join(parts) + "\n  }"
    return _indented(item, 2)


def _flat(item: dict) -> bool:
    """A non-empty node or edge with text keys and scalar values (every edge, most nodes)."""
    return bool(item) and set(map(type, item.values())) <= _SCALARS and set(map(type, item)) == {str}


def _elements(items: list[dict]) -> str:
    """Consecutive nodes or edges as they appear in the document, joined.

    A run of flat items is encoded in one call as a list: the C encoder puts its item separator
    between them too, so ``},<newline>   {`` (which no flat item holds inside: strings escape
    newlines) marks each boundary and is replaced by the document's own.
    """
    out: list[str] = []
    run: list[dict] = []

    def flush() -> None:
        if run:
            text = _ITEM.encode(run)
            out.append("{\n   " + text[2:-2].replace("},\n   {", "\n  },\n  {\n   ") + "\n  }")
            run.clear()

    for item in items:
        if _flat(item):
            run.append(item)
        else:
            flush()
            out.append(_element(item))
    flush()
    return ",\n  ".join(out)


def _array(items: Iterator[dict]) -> Iterator[str]:
    """A list of nodes or edges at depth 1, in chunks of text."""
    first = True
    chunk: list[dict] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield ("[\n  " if first else ",\n  ") + _elements(chunk)
            first, chunk = False, []
    if chunk:
        yield ("[\n  " if first else ",\n  ") + _elements(chunk)
        first = False
    yield "[]" if first else "\n ]"


def iter_dumps(graph: nx.MultiDiGraph) -> Iterator[str]:
    """The text of :func:`dumps` in pieces, so a big graph is written without one huge string."""
    if not graph.is_multigraph():   # not a kg graph; written (or refused) as before
        yield json.dumps(to_node_link(graph), sort_keys=True, ensure_ascii=False, indent=1) + "\n"
        return
    names = {"directed": graph.is_directed(), "multigraph": True, "graph": graph.graph}

    def nodes():
        for node in sorted(graph.nodes):
            yield {**graph.nodes[node], "id": node}

    def edges():
        for u, v, k, d in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
            yield {**d, "source": u, "target": v, "key": k}

    yield "{\n "
    for index, name in enumerate(("directed", "edges", "graph", "multigraph", "nodes")):
        if index:
            yield ",\n "
        yield f'"{name}": '
        if name == "edges":
            yield from _array(edges())
        elif name == "nodes":
            yield from _array(nodes())
        else:
            yield _indented(names[name], 1)
    yield "\n}\n"


def dumps(graph: nx.MultiDiGraph) -> str:
    """The snapshot text: node-link JSON, sorted, one item per line (see :func:`iter_dumps`)."""
    with paused_gc():
        return "".join(iter_dumps(graph))


def write_snapshot(graph: nx.MultiDiGraph, path: str | Path, digest=None) -> Path:
    """Write ``graph`` as node-link JSON at ``path`` (a file, or a folder that gets graph.json);
    ``digest`` (a :mod:`hashlib` object) is fed the bytes written, so nobody reads them again."""
    target = Path(path)
    if target.suffix != ".json":
        target = target / SNAPSHOT_NAME
    with atomic_open(target, "wb") as handle, paused_gc():   # short-lived dicts only: no cycles to find
        write = digesting(handle, digest)
        for piece in iter_dumps(graph):
            write(piece.encode("utf-8"))
    return target


def digesting(handle, digest=None):
    """``handle.write``, feeding ``digest`` too when there is one."""
    if digest is None:
        return handle.write

    def write(data) -> None:
        digest.update(data)
        handle.write(data)

    return write


def read_snapshot(path: str | Path) -> nx.MultiDiGraph:
    """Read a snapshot written by :func:`write_snapshot` (a file, or a folder holding graph.json)."""
    source = Path(path)
    if source.is_dir():
        source = source / SNAPSHOT_NAME
    if not source.exists():
        raise InputError("no graph snapshot here", where=str(source),
                         fix="run `kg build INPUT --out DIR` first, then pass DIR")
    try:
        with paused_gc():  # millions of long-lived dicts and no cycles: collecting them is wasted work
            data = json.loads(source.read_text(encoding="utf-8"))
            return nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(f"not a kg graph snapshot ({error})", where=str(source),
                         fix="rebuild it with `kg build INPUT --out DIR`") from None
