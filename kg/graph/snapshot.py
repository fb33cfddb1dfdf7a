"""The graph snapshot: node-link JSON, the single file every sink can start from.

Written with sorted nodes, edges and keys, so the same graph gives the same bytes.

Conventions of the typed graph (a ``networkx.MultiDiGraph``):
- node id = the node's key property ``id``; attribute ``label`` is its schema label
  (``Paper``, ``Method``, ..., ``Result``); other attributes are schema properties.
- edge key = the relationship type, or ``TYPE|paper_id`` for types whose schema key is
  ``paper_id`` (one relationship per stating paper); attribute ``type`` is the
  relationship type; other attributes are schema properties.
"""
from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from kg.atomic import atomic_write_text
from kg.errors import InputError

SNAPSHOT_NAME = "graph.json"


def to_node_link(graph: nx.MultiDiGraph) -> dict:
    data = nx.node_link_data(graph, edges="edges")
    data["nodes"] = sorted(data["nodes"], key=lambda n: n["id"])
    data["edges"] = sorted(data["edges"], key=lambda e: (e["source"], e["target"], str(e["key"])))
    return data


def dumps(graph: nx.MultiDiGraph) -> str:
    return json.dumps(to_node_link(graph), sort_keys=True, ensure_ascii=False, indent=1) + "\n"


def write_snapshot(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``graph`` as node-link JSON at ``path`` (a file, or a folder that gets graph.json)."""
    target = Path(path)
    if target.suffix != ".json":
        target = target / SNAPSHOT_NAME
    atomic_write_text(target, dumps(graph))
    return target


def read_snapshot(path: str | Path) -> nx.MultiDiGraph:
    """Read a snapshot written by :func:`write_snapshot` (a file, or a folder holding graph.json)."""
    source = Path(path)
    if source.is_dir():
        source = source / SNAPSHOT_NAME
    if not source.exists():
        raise InputError("no graph snapshot here", where=str(source),
                         fix="run `kg build INPUT --out DIR` first, then pass DIR")
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
        return nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(f"not a kg graph snapshot ({error})", where=str(source),
                         fix="rebuild it with `kg build INPUT --out DIR`") from None
