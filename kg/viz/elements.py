"""The typed graph as page elements: plain dicts of nodes and edges with their hover data.

Nothing here knows about HTML or pyvis. Hover data travels as plain fields (``info``);
the page script turns it into DOM tooltips with ``textContent``, so no text from a paper
is ever parsed as HTML.

One page edge stands for every relationship between an ordered pair of nodes: its label
lists their types, its style is the strongest type's, and MENTIONS folds into a stronger
edge (a paper that PROPOSES a method also mentions it; one line says both).
"""
from __future__ import annotations

import math
from collections import defaultdict

import networkx as nx

from kg.viz.style import Style, load_style

ABSTRACT_CHARS = 300      # start of a paper's abstract shown on hover
EVIDENCE_PER_TYPE = 3     # evidence sentences shown per relationship type on hover


def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    if not limit or len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,.;:") + "…"


def node_info(node: str, attrs: dict) -> dict:
    """What hovering a node shows, by kind: an entity, a paper, a result, anything else."""
    label = attrs.get("label", "")
    if "name" in attrs:
        aliases = list(attrs.get("aliases") or [])
        counts = list(attrs.get("alias_counts") or [])
        counts += [None] * (len(aliases) - len(counts))
        return {"kind": "entity", "type": label, "name": str(attrs["name"]),
                "aliases": [[str(a), c] for a, c in zip(aliases, counts) if a != attrs["name"]],
                "paper_count": attrs.get("paper_count"), "mention_count": attrs.get("mention_count")}
    if label == "Paper" or "title" in attrs:
        return {"kind": "paper", "type": label, "title": str(attrs.get("title") or node),
                "date": str(attrs.get("date") or ""), "url": str(attrs.get("url") or ""),
                "abstract": _shorten(attrs.get("abstract") or "", ABSTRACT_CHARS)}
    if "value" in attrs:
        return {"kind": "result", "type": label, "value": str(attrs["value"]), "unit": str(attrs.get("unit") or ""),
                "evidence": str(attrs.get("evidence") or "")}
    return {"kind": "other", "type": label, "name": str(node)}


def display_label(node: str, attrs: dict, style: Style, paper_labels: bool = True) -> str:
    """The text drawn under a node: canonical name, shortened title, or the result value."""
    chars = style.node(attrs.get("label", "")).label_chars
    if "name" in attrs:
        return _shorten(attrs["name"], chars)
    if "title" in attrs:
        return _shorten(attrs["title"], chars) if paper_labels else ""
    if "value" in attrs:
        return _shorten(f"{attrs['value']}{(' ' + attrs['unit']) if attrs.get('unit') and attrs['unit'] not in str(attrs['value']) else ''}", 24)
    return _shorten(node, 24)


def entity_size(paper_count) -> tuple[float, float]:
    """Node size and label size grow with the log of the paper count (1 -> 10/14, 64 -> 46/38).

    Big labels for frequent entities mean the overview names the important nodes while
    the rest (below vis-network's draw threshold at that zoom) appear as you zoom in.
    """
    scale = math.log2(max(1, int(paper_count or 1)))
    return round(min(46.0, 10 + 6 * scale), 1), round(min(38.0, 14 + 4 * scale), 1)


def page_nodes(graph: nx.MultiDiGraph, *, centers=(), paper_labels: bool = True, style: Style | None = None) -> list[dict]:
    """One dict per node, sorted by id (stable pages from stable graphs)."""
    style = style or load_style()
    out = []
    for node in sorted(graph, key=str):
        attrs = graph.nodes[node]
        look = style.node(attrs.get("label", ""))
        info = node_info(node, attrs)
        item = {"id": str(node), "label": display_label(node, attrs, style, paper_labels), "node_type": attrs.get("label", ""),
                "shape": look.shape, "color": look.color, "font_size": look.font_size, "info": info,
                "search": sorted({*([info.get("name")] if info.get("name") else []), *([info.get("title")] if info.get("title") else []),
                                  *(a for a, _ in info.get("aliases", []))}),
                "center": node in centers}
        if info["kind"] == "entity":
            item["size"], item["font_size"] = entity_size(attrs.get("paper_count"))
        else:
            item["size"] = look.size
        out.append(item)
    return out


def _evidence(lookup: nx.MultiDiGraph, data: list[dict]) -> tuple[list[dict], int]:
    seen, rows = set(), []
    for d in sorted(data, key=lambda d: (str(d.get("paper_id", "")), d.get("sentence") or 0, d.get("start") or 0)):
        sentence = d.get("evidence")
        if not sentence or (d.get("paper_id"), sentence) in seen:
            continue
        seen.add((d.get("paper_id"), sentence))
        paper = d.get("paper_id")
        title = lookup.nodes[paper].get("title") if paper in lookup else None
        rows.append({"text": str(sentence), "paper": str(title or paper or ""), "rule": str(d.get("rule") or ""),
                     "confidence": d.get("confidence")})
    return rows[:EVIDENCE_PER_TYPE], max(0, len(rows) - EVIDENCE_PER_TYPE)


def page_edges(graph: nx.MultiDiGraph, *, lookup: nx.MultiDiGraph | None = None, style: Style | None = None) -> list[dict]:
    """One dict per ordered node pair, carrying every relationship type and its evidence."""
    style = style or load_style()
    lookup = graph if lookup is None else lookup
    pairs: dict[tuple[str, str], dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for source, target, key, data in graph.edges(keys=True, data=True):
        pairs[(str(source), str(target))][data.get("type") or str(key).split("|")[0]].append(data)
    out = []
    for (source, target), by_type in sorted(pairs.items()):
        types = sorted(by_type, key=lambda t: (-style.edge(t).rank, t))
        shown = [t for t in types if style.edge(t).rank > 0] or types   # MENTIONS folds into a stronger edge
        look = style.edge(types[0])
        info = []
        for rel in types:
            evidence, more = _evidence(lookup, by_type[rel])
            count = sum(int(d.get("count") or 1) for d in by_type[rel]) if rel == "MENTIONS" else len(by_type[rel])
            info.append({"type": rel, "count": count, "evidence": evidence, "more": more})
        out.append({"id": f"{source}->{target}", "from": source, "to": target, "label": " + ".join(shown),
                     "types": types, "color": look.color, "width": look.width, "dashes": look.dashes,
                     "arrows": "to" if look.arrow else "", "info": info})
    return out
