"""The three named questions answered straight from the networkx graph (loaded by path from tests).

The SPARQL files in kg/rdf/sparql/ and the Cypher files in queries/ must give these
same answers; rows are normalised to hashable tuples so the comparison ignores order.
"""
from __future__ import annotations

from collections import Counter

import networkx as nx

ENTITY_RELATIONS = ("PROPOSES", "EVALUATES_ON", "ADDRESSES", "USES_METRIC")


def _matches(attrs: dict, text: str) -> bool:
    wanted = text.lower()
    return attrs.get("name", "").lower() == wanted or any(a.lower() == wanted for a in attrs.get("aliases", []))


def _out(g: nx.MultiDiGraph, node: str, rel: str):
    return [(v, d) for _, v, d in g.out_edges(node, data=True) if d["type"] == rel]


def methods_on_dataset(g: nx.MultiDiGraph, dataset: str) -> set[tuple]:
    """(method, dataset, papers, paper ids) per method stated to be evaluated on the dataset."""
    found: dict[tuple[str, str], set[str]] = {}
    for d, attrs in g.nodes(data=True):
        if attrs["label"] not in ("Dataset", "Benchmark") or not _matches(attrs, dataset):
            continue
        for m, _, data in g.in_edges(d, data=True):
            if data["type"] == "EVALUATED_ON" and g.nodes[m]["label"] == "Method":
                found.setdefault((m, d), set()).add(data["paper_id"])
            if data["type"] == "ON_DATASET":
                for method, _ in _out(g, m, "OF_METHOD"):
                    if g.nodes[method]["label"] == "Method":
                        found.setdefault((method, d), set()).add(g.nodes[m]["paper_id"])
    return {(g.nodes[m]["name"], g.nodes[d]["name"], len(p), frozenset(p)) for (m, d), p in found.items()}


def datasets_for_task(g: nx.MultiDiGraph, task: str) -> set[tuple]:
    """(name, type, papers evaluating on it, papers naming it, paper ids) for papers addressing the task."""
    tasks = {t for t, a in g.nodes(data=True) if a["label"] == "Task" and _matches(a, task)}
    papers: dict[str, set[str]] = {}
    evaluated: dict[str, set[str]] = {}
    for t in tasks:
        for p, _, data in g.in_edges(t, data=True):
            if data["type"] != "ADDRESSES":
                continue
            for _, d, rel in g.out_edges(p, data=True):
                if rel["type"] in ("EVALUATES_ON", "MENTIONS") and g.nodes[d]["label"] in ("Dataset", "Benchmark"):
                    papers.setdefault(d, set()).add(p)
                    if rel["type"] == "EVALUATES_ON":
                        evaluated.setdefault(d, set()).add(p)
    return {(g.nodes[d]["name"], g.nodes[d]["type"], len(evaluated.get(d, ())), len(p), frozenset(p))
            for d, p in papers.items()}


def paper_overview(g: nx.MultiDiGraph, paper: str) -> Counter:
    """(paper, relation, entity, type, detail, evidence) per fact of the paper."""
    rows: Counter = Counter()
    for p, a in g.nodes(data=True):
        if a["label"] != "Paper" or not (p == paper or a.get("arxiv_id") == paper
                                         or a["title"].lower() == paper.lower()):
            continue
        for _, o, data in g.out_edges(p, data=True):
            target = g.nodes[o]
            if data["type"] in ENTITY_RELATIONS:
                rows[(p, data["type"], target["name"], target["type"], None, data["evidence"])] += 1
            elif data["type"] == "REPORTS":
                methods = [g.nodes[m]["name"] for m, _ in _out(g, o, "OF_METHOD")] or [None]
                metric = next((g.nodes[m]["name"] for m, _ in _out(g, o, "MEASURED_BY")), None)
                dataset = next((g.nodes[d]["name"] for d, _ in _out(g, o, "ON_DATASET")), None)
                detail = target["value"] + (f" {metric}" if metric else "") + (f" on {dataset}" if dataset else "")
                for method in methods:
                    rows[(p, "REPORTS", method, "result", detail, data["evidence"])] += 1
    return rows


def ids(text_or_list) -> frozenset:
    """Paper ids from SPARQL's GROUP_CONCAT text or from Cypher's list."""
    if isinstance(text_or_list, str):
        return frozenset(text_or_list.split(", ")) if text_or_list else frozenset()
    return frozenset(text_or_list)


def as_set(rows: list[list], id_column: int) -> set[tuple]:
    return {tuple(row[:id_column]) + (ids(row[id_column]),) for row in rows}
