"""Colours, shapes and line styles of the page, read from ``style.toml`` beside this file.

Styling is data so it can be tuned without touching code; a label or relationship type
the file does not know is drawn with the defaults, so a schema addition never breaks a page.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class NodeStyle:
    color: str
    shape: str
    label_chars: int = 0     # 0: the whole name is the label
    font_size: int = 14
    size: int = 10          # nodes without a paper count (papers, results)


@dataclass(frozen=True)
class EdgeStyle:
    color: str
    width: float
    dashes: bool | list[int]
    arrow: bool
    rank: int


@dataclass(frozen=True)
class Style:
    nodes: dict[str, NodeStyle]
    edges: dict[str, EdgeStyle]
    default_node: NodeStyle
    default_edge: EdgeStyle

    def node(self, label: str) -> NodeStyle:
        return self.nodes.get(label, self.default_node)

    def edge(self, rel_type: str) -> EdgeStyle:
        return self.edges.get(rel_type, self.default_edge)


def _edge(spec: dict, default: dict) -> EdgeStyle:
    merged = {**default, **spec}
    return EdgeStyle(color=merged["color"], width=float(merged["width"]), dashes=merged.get("dashes", False),
                     arrow=bool(merged.get("arrow", True)), rank=int(merged.get("rank", 1)))


@lru_cache(maxsize=1)
def load_style() -> Style:
    """The page style (cached: the file is package data and does not change while running)."""
    data = tomllib.loads(resources.files("kg.viz").joinpath("style.toml").read_text(encoding="utf-8"))
    default_node = NodeStyle(**data["default_node"])
    default_edge = data["default_edge"]
    return Style(
        nodes={label: NodeStyle(**{**data["default_node"], **spec}) for label, spec in data.get("nodes", {}).items()},
        edges={rel: _edge(spec, default_edge) for rel, spec in data.get("edges", {}).items()},
        default_node=default_node,
        default_edge=_edge({}, default_edge),
    )
