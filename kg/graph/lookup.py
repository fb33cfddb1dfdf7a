"""Reading entities back out of a typed graph: lists, name lookup, and one entity in full.

These work on the snapshot (a MultiDiGraph); ``kg entities`` and ``kg show`` print them.
Name lookup is case-, hyphen- and plural-insensitive and searches every alias.
"""
from __future__ import annotations

import networkx as nx

from kg.resolve.keys import surface_key
from kg.schema import Schema, load_schema


def _entity_row(node: str, attrs: dict) -> dict:
    return {"id": node, "name": attrs["name"], "type": attrs["type"], "label": attrs["label"],
            "aliases": list(attrs.get("aliases", [])), "alias_counts": list(attrs.get("alias_counts", [])),
            "paper_count": attrs.get("paper_count", 0), "mention_count": attrs.get("mention_count", 0)}


def entity_nodes(graph: nx.MultiDiGraph, schema: Schema | None = None):
    labels = set((schema or load_schema()).entity_labels)
    return ((n, a) for n, a in graph.nodes(data=True) if a.get("label") in labels)


def list_entities(graph: nx.MultiDiGraph, entity_type: str | None = None, top: int | None = None) -> list[dict]:
    """Canonical entities, most-mentioned papers first (then mentions, then id)."""
    rows = [_entity_row(n, a) for n, a in entity_nodes(graph) if entity_type in (None, a.get("type"))]
    rows.sort(key=lambda r: (-r["paper_count"], -r["mention_count"], r["id"]))
    return rows[:top] if top else rows


def find_entities(graph: nx.MultiDiGraph, name: str) -> list[dict]:
    """Entities whose id, name or any alias matches ``name``; exact spelling first."""
    key = surface_key(name)
    wanted = name.strip().lower()
    hits = []
    for node, attrs in entity_nodes(graph):
        forms = [attrs.get("name", "")] + list(attrs.get("aliases", []))
        exact = node.lower() == wanted or any(f.lower() == wanted for f in forms)
        if exact or any(surface_key(f) == key for f in forms):
            hits.append((not exact, -attrs.get("paper_count", 0), node, _entity_row(node, attrs)))
    hits.sort(key=lambda h: h[:3])
    exact_hits = [h for h in hits if not h[0]]
    return [h[3] for h in (exact_hits or hits)]


def _relation(graph: nx.MultiDiGraph, other: str, attrs: dict, direction: str) -> dict:
    other_attrs = graph.nodes[other]
    row = {"type": attrs["type"], "direction": direction, "other": other, "other_label": other_attrs.get("label"),
           "other_name": other_attrs.get("name") or other_attrs.get("title") or other_attrs.get("value")}
    for name in ("paper_id", "sentence", "evidence", "rule", "confidence", "count", "dataset"):
        if name in attrs:
            row[name] = attrs[name]
    return row


def entity_detail(graph: nx.MultiDiGraph, node: str) -> dict:
    """One entity: its properties, the papers that mention it, and every relation with evidence."""
    detail = _entity_row(node, graph.nodes[node])
    papers, relations = [], []
    for source, _, attrs in graph.in_edges(node, data=True):
        if attrs["type"] == "MENTIONS":
            papers.append({"id": source, "title": graph.nodes[source].get("title"), "count": attrs.get("count"),
                           "evidence": attrs.get("evidence")})
        else:
            relations.append(_relation(graph, source, attrs, "in"))
    for _, target, attrs in graph.out_edges(node, data=True):
        relations.append(_relation(graph, target, attrs, "out"))
    detail["papers"] = sorted(papers, key=lambda p: p["id"])
    detail["relations"] = sorted(relations, key=lambda r: (r["type"], r["direction"], r["other"], r.get("paper_id") or ""))
    return detail
