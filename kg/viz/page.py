"""The interactive page: select part of the graph, turn it into elements, write one HTML file.

The file carries everything inline (vis-network, CSS, script, data), so it opens from
disk with no network. Text from the graph reaches the page only as JSON data that cannot
close its ``<script>`` element, and the page script shows it with ``textContent``.
"""
from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import networkx as nx

from kg.atomic import atomic_write_text
from kg.gcpause import paused_gc
from kg.viz.backend import vis_network
from kg.viz.elements import page_edges, page_nodes
from kg.viz.select import Selection, drawable_labels, select
from kg.viz.style import load_style

DEFAULT_TITLE = "Knowledge graph"
PAPER_LABELS_UP_TO = 150   # above this many nodes, paper titles show on hover only
SMOOTH_EDGES_UP_TO = 200   # curved edges cost layout time; straight above this
SETTLE_MS = 8000           # physics stops after this long whatever happens


@dataclass(frozen=True)
class PageReport:
    """What a page shows and what it left out (also printed by ``kg viz``)."""

    path: Path
    nodes: int
    edges: int
    total_nodes: int
    total_edges: int
    by_label: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)
    filtered: dict[str, int] = field(default_factory=dict)
    note: str = ""
    bytes: int = 0

    def summary(self) -> str:
        shown = ", ".join(f"{n} {label}" for label, n in self.by_label.items()) or "nothing"
        lines = [f"Wrote {self.path} ({self.bytes / 1024:.0f} KiB): {self.nodes} nodes, {self.edges} edges ({shown})"]
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {label}" for label, n in counts.items())


def left_out_note(selection: Selection) -> str:
    """One sentence on what the page does not show, or "" when it shows everything."""
    parts = []
    if selection.left_out:
        shown = selection.graph.number_of_nodes()
        parts.append(f"Showing the {shown:,} most connected nodes (cap {selection.max_nodes:,}); "
                     f"left out: {_counts(selection.left_out)}. Raise --max-nodes or narrow with "
                     f"--type, --around or --min-papers to see them.")
    if selection.filtered:
        parts.append(f"Filtered out: {_counts(selection.filtered)}.")
    return " ".join(parts)


def vis_options(node_count: int) -> dict:
    """vis-network options: physics that settles in seconds, then stops, at any size."""
    big = node_count > SMOOTH_EDGES_UP_TO
    iterations = 400 if node_count <= 100 else 250 if node_count <= 500 else 120 if node_count <= 1000 else 50
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": node_count <= 100},
        "nodes": {"scaling": {"label": {"drawThreshold": 7}}},
        "edges": {"smooth": False if big else {"enabled": True, "type": "continuous", "roundness": 0.3},
                  "font": {"size": 11 if node_count <= 100 else 9, "color": "#555", "strokeWidth": 3, "strokeColor": "#ffffff", "align": "middle"},
                  "scaling": {"label": {"drawThreshold": 7}},
                  "selectionWidth": 1.5, "hoverWidth": 1},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big, "navigationButtons": False,
                        "keyboard": False, "multiselect": False},
        "physics": {
            "enabled": node_count > 1,
            # forceAtlas2: repulsion grows with degree, so hubs push apart and their labels stay clear
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -150 if node_count <= 100 else -120, "centralGravity": 0.02,
                                 "springLength": 120, "springConstant": 0.05, "damping": 0.4, "avoidOverlap": 0.8},
            "minVelocity": 1.0,
            "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 25, "fit": True},
        },
    }


def _legend(nodes: list[dict], edges: list[dict]) -> dict:
    style = load_style()
    node_counts = Counter(n["node_type"] for n in nodes)
    order = {label: i for i, label in enumerate(drawable_labels())}
    edge_counts: Counter = Counter()
    for e in edges:
        edge_counts.update(e["types"])
    return {
        "nodes": [{"label": label, "count": n, "color": style.node(label).color, "shape": style.node(label).shape}
                  for label, n in sorted(node_counts.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))],
        "edges": [{"type": rel, "count": n, "color": style.edge(rel).color, "width": style.edge(rel).width,
                   "dashes": style.edge(rel).dashes, "arrow": style.edge(rel).arrow}
                  for rel, n in sorted(edge_counts.items(), key=lambda kv: (-style.edge(kv[0]).rank, kv[0]))],
        "hint": "Size: papers that mention the entity. Hover a node or an edge for names, counts and "
                "evidence; drag to move, scroll to zoom.",
    }


# Characters that may not appear raw in page source: markup, line separators, and the
# bidirectional and zero-width controls that could disguise what the source says.
_SCRIPT_ESCAPES = {char: f"\\u{ord(char):04x}" for char in
                   "<>&\u2028\u2029\u200b\u200c\u200d\u200e\u200f\u061c\ufeff"
                   + "".join(map(chr, range(0x202A, 0x202F))) + "".join(map(chr, range(0x2066, 0x206A)))}
_SCRIPT_UNSAFE = re.compile("[" + re.escape("".join(_SCRIPT_ESCAPES)) + "]")


def script_json(value) -> str:
    """JSON that is safe inside ``<script>``: markup, line separators and bidi/zero-width controls
    are written as ``\\uXXXX`` escapes (the data the page shows is unchanged)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return _SCRIPT_UNSAFE.sub(lambda m: _SCRIPT_ESCAPES[m.group()], text)


def _inline_script(code: str) -> str:
    return code.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def render_page(selection: Selection, *, title: str | None = None, lookup: nx.MultiDiGraph | None = None) -> tuple[str, dict]:
    """The page's HTML for a selection, and the data embedded in it."""
    graph = selection.graph
    style = load_style()
    nodes = page_nodes(graph, centers=selection.centers, paper_labels=graph.number_of_nodes() <= PAPER_LABELS_UP_TO,
                       style=style)
    edges = page_edges(graph, lookup=lookup, style=style)
    vis = vis_network(nodes, edges)
    data = {
        "nodes": vis.nodes, "edges": vis.edges, "options": vis_options(len(nodes)), "legend": _legend(nodes, edges),
        "note": left_out_note(selection), "total_nodes": selection.total_nodes, "settle_ms": SETTLE_MS,
        "colors": {label: style.node(label).color for label in drawable_labels()},
    }
    assets = resources.files("kg.viz")
    template = assets.joinpath("assets/page.html").read_text(encoding="utf-8")
    parts = {
        "@@TITLE@@": html.escape(title or DEFAULT_TITLE, quote=True),
        "@@VIS_CSS@@": vis.style.replace("</style", "<\\/style"),
        "@@PAGE_CSS@@": assets.joinpath("assets/page.css").read_text(encoding="utf-8"),
        "@@DATA@@": script_json(data),
        "@@VIS_JS@@": _inline_script(vis.script),
        "@@PAGE_JS@@": _inline_script(assets.joinpath("assets/page.js").read_text(encoding="utf-8")),
    }
    # One pass, so text inserted for one marker is never searched for another.
    out, rest = [], template
    while True:
        positions = [(rest.find(marker), marker) for marker in parts if rest.find(marker) >= 0]
        if not positions:
            out.append(rest)
            break
        at, marker = min(positions)
        out.append(rest[:at])
        out.append(parts[marker])
        rest = rest[at + len(marker):]
    return "".join(out), data


def write_page(graph: nx.MultiDiGraph, path: str | Path, *, types=None, around=None, depth: int = 1,
               min_papers: int = 0, max_nodes: int | None = 300, title: str | None = None) -> PageReport:
    """Draw ``graph`` (or the part the filters select) as one self-contained HTML file.

    ``types``: node types to keep (``"method"``, ``"Dataset"``, ``"paper"`` ...);
    ``around``/``depth``: only nodes within ``depth`` hops of the named node(s);
    ``min_papers``: drop entities seen in fewer papers; ``max_nodes``: keep at most this
    many (the most connected), 0 or None for no cap. Returns what was drawn and left out.
    """
    with paused_gc():   # the selection walks the whole graph making short-lived sets: no cycles
        selection = select(graph, types=types, around=around, depth=depth, min_papers=min_papers, max_nodes=max_nodes)
        text, data = render_page(selection, title=title, lookup=graph)
    target = Path(path)
    atomic_write_text(target, text)
    return PageReport(path=target, nodes=len(data["nodes"]), edges=len(data["edges"]),
                      total_nodes=selection.total_nodes, total_edges=selection.total_edges,
                      by_label={item["label"]: item["count"] for item in data["legend"]["nodes"]},
                      left_out=selection.left_out, filtered=selection.filtered, note=data["note"],
                      bytes=len(text.encode("utf-8")))
