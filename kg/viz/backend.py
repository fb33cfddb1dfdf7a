"""The one place that touches pyvis: page elements in, vis-network data and assets out.

pyvis's last release is from 2023; everything else in ``kg.viz`` speaks plain dicts, so
replacing pyvis means rewriting :func:`vis_network` only (vis-network itself is the
browser library; pyvis ships version 9.1.2 of it, which the page inlines).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

VIS_VERSION = "vis-9.1.2"
# Fields of a page element that are kg's own, not vis-network options.
_KG_NODE_FIELDS = ("id", "label", "shape", "color")


@dataclass(frozen=True)
class VisNetwork:
    nodes: list[dict]
    edges: list[dict]
    script: str      # vis-network's JavaScript, to inline
    style: str       # vis-network's CSS, to inline (images in it are data: URLs)


def vis_network(nodes: list[dict], edges: list[dict]) -> VisNetwork:
    """Turn page nodes and edges into vis-network's node and edge lists, plus its JS and CSS.

    Node dicts need ``id``, ``label``, ``shape``, ``color``; edge dicts ``from`` and ``to``;
    other fields pass through (the page script reads ``info`` for tooltips).
    """
    import pyvis
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    for node in nodes:
        rest = {k: v for k, v in node.items() if k not in _KG_NODE_FIELDS}
        net.add_node(node["id"], label=node["label"], shape=node["shape"], color=node["color"], **rest)
        net.node_map[node["id"]]["label"] = node["label"]   # pyvis swaps an empty label for the id
    net.node_ids = set(net.node_ids)   # pyvis checks edge ends against a list: O(n) per edge otherwise
    for edge in edges:
        rest = {k: v for k, v in edge.items() if k not in ("from", "to")}
        net.add_edge(edge["from"], edge["to"], **rest)
    lib = Path(pyvis.__file__).parent / "templates" / "lib" / VIS_VERSION
    return VisNetwork(nodes=net.nodes, edges=net.edges,
                      script=(lib / "vis-network.min.js").read_text(encoding="utf-8"),
                      style=(lib / "vis-network.css").read_text(encoding="utf-8"))
