"""Which part of the typed graph a page shows: filters first, then the node cap.

Pure graph functions (no drawing), so filters and caps are testable without a browser
and the same selection can feed any renderer.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("m1", label="Method", name="BERT", aliases=["BERT"], paper_count=3)
>>> g.add_node("m2", label="Method", name="ELMo", aliases=["ELMo"], paper_count=1)
>>> select(g, max_nodes=1).left_out
{'Method': 1}
"""
from __future__ import annotations

import difflib
import heapq
from collections import Counter
from dataclasses import dataclass, field

import networkx as nx

from kg.errors import InputError, UsageError
from kg.resolve.keys import surface_key
from kg.schema import load_schema


ENTITY_SHARE = 2 / 3   # of a capped page, at most this much goes to entities while papers remain


@dataclass(frozen=True)
class Selection:
    """The subgraph to draw and what was left out of it, per label."""

    graph: nx.MultiDiGraph
    centers: tuple[str, ...] = ()
    total_nodes: int = 0
    total_edges: int = 0
    filtered: dict[str, int] = field(default_factory=dict)   # removed by --type/--around/--min-papers
    left_out: dict[str, int] = field(default_factory=dict)   # removed by the --max-nodes cap
    max_nodes: int | None = None


def drawable_labels() -> tuple[str, ...]:
    """Concrete node labels in schema order (Paper, Method, ..., Result)."""
    return tuple(name for name, node in load_schema().nodes.items() if not node.abstract)


def parse_types(types) -> set[str] | None:
    """``["method", "Dataset", "papers"]`` -> ``{"Method", "Dataset", "Paper"}``; None keeps all."""
    if not types:
        return None
    if isinstance(types, str):
        types = [types]
    labels = {label.lower(): label for label in drawable_labels()}
    chosen = set()
    for raw in types:
        for part in str(raw).split(","):
            key = part.strip().lower()
            if not key:
                continue
            label = labels.get(key) or labels.get(key[:-1] if key.endswith("s") else key)
            if label is None:
                raise UsageError(f"unknown node type {part.strip()!r}",
                                 fix=f"use one of {', '.join(sorted(labels))}")
            chosen.add(label)
    return chosen or None


def node_names(attrs: dict) -> list[str]:
    """Every name a person might search a node by: canonical name, aliases, title, value."""
    names = [attrs.get("name"), attrs.get("title"), attrs.get("value")]
    names += list(attrs.get("aliases") or [])
    return [str(n) for n in names if n]


def find_nodes(graph: nx.MultiDiGraph, name: str) -> list[str]:
    """Nodes whose id, name, alias or title matches ``name`` (case, hyphen, plural-insensitive).

    Several nodes can match (a name used by a method and a dataset); all are returned, sorted.
    """
    if name in graph:
        return [name]
    key = surface_key(name)
    hits = sorted(node for node, attrs in graph.nodes(data=True)
                  if any(surface_key(n) == key for n in node_names(attrs)))
    if hits:
        return hits
    known = {n.casefold(): n for _, attrs in graph.nodes(data=True) for n in node_names(attrs)}
    close = [known[k] for k in difflib.get_close_matches(name.casefold(), sorted(known), n=5, cutoff=0.6)]
    fix = f"did you mean: {', '.join(close)}?" if close else "list names with `kg entities DIR`"
    raise InputError(f"no node named {name!r} in the graph", where="--around", fix=fix)


def _undirected_neighbours(graph: nx.MultiDiGraph, node: str) -> set[str]:
    # networkx keeps each node's neighbours in plain dicts (``_succ``, ``_pred``): set
    # operations on their keys run in C, where going through the views costs a call per
    # neighbour (a capped page of the 41k graph took 1.2 s, most of it here).
    found = graph._succ[node].keys() | graph._pred[node].keys()
    found.discard(node)
    return found


def _distinct_degree(graph: nx.MultiDiGraph, node: str) -> int:
    """``len(_undirected_neighbours(graph, node))``, without building the set when the node has
    edges one way only (most entities are only ends; a self-loop is both ways)."""
    out, into = graph._succ[node], graph._pred[node]
    if not out:
        return len(into)
    if not into:
        return len(out)
    return len(_undirected_neighbours(graph, node))


def edge_count(graph: nx.MultiDiGraph) -> int:
    """``graph.number_of_edges()`` without summing every node's degree (0.4 s at 41k)."""
    return sum(len(keys) for neighbours in graph._succ.values() for keys in neighbours.values())


def importance_key(graph: nx.MultiDiGraph, node: str, label_rank: dict[str, int], degree: int | None = None):
    """Sort key: most important first, ties broken by label order, name and id (deterministic).

    ``degree`` is the node's number of distinct neighbours, when the caller has it already."""
    attrs = graph._node[node]
    if degree is None:
        degree = _distinct_degree(graph, node)
    name = str(attrs.get("name") or attrs.get("title") or "").casefold()
    return (-_score(attrs, degree), -degree, label_rank.get(attrs.get("label"), len(label_rank)), name, str(node))


def _score(attrs: dict, degree: int) -> int:
    """A node's importance: its paper count or its distinct degree, whichever is larger (the
    first item of :func:`importance_key`, negated there)."""
    return max(int(attrs.get("paper_count") or 0), degree)


def _by_count(tally: Counter) -> dict[str, int]:
    return dict(sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])))


def cap_nodes(graph: nx.MultiDiGraph, cap: int, keep: set[str]) -> set[str]:
    """The ``cap`` most important nodes: entities first, then the papers that join them.

    Entities are the page's subject, papers and results its connectors: up to
    ``ENTITY_SHARE`` of the cap goes to entities by importance (paper count or degree),
    the rest to the other nodes with the most links to the chosen entities; a share one
    side cannot use goes to the other. ``keep`` nodes always stay. Deterministic.
    """
    rank = {label: i for i, label in enumerate(drawable_labels())}
    entity_labels = set(load_schema().entity_labels)
    entities, others = [], []
    for node, label in graph.nodes(data="label"):
        if node not in keep:
            (entities if label in entity_labels else others).append(node)
    chosen = set(keep)
    room = max(0, cap - len(chosen))
    entity_room = max(room - len(others), min(len(entities), round(room * ENTITY_SHARE)))

    def importance(node):
        return importance_key(graph, node, rank)

    def score(node):   # importance_key's first item, without the rest of it
        return -_score(graph._node[node], _distinct_degree(graph, node))

    chosen.update(_first(entities, entity_room, score, importance))

    # How many chosen nodes each node is linked to, counted from the chosen side: only nodes
    # linked to one can sort before the unlinked ones (the key starts with minus the links).
    links: Counter = Counter()
    for node in chosen:
        links.update(_undirected_neighbours(graph, node))

    def joins(node):
        return (-links[node], importance_key(graph, node, rank))

    others_room = max(0, cap - len(chosen))
    ranked = _first([n for n in others if n in links], others_room, lambda n: -links[n], joins)
    if len(ranked) < others_room:
        ranked += _first([n for n in others if n not in links], others_room - len(ranked), lambda n: 0, joins)
    chosen.update(ranked)
    unused = cap - len(chosen)   # papers left room unused: the next entities take it
    if unused > 0:
        chosen.update(_first(entities, entity_room + unused, score, importance)[entity_room:])
    return chosen


def _first(items: list, count: int, primary, key) -> list:
    """``sorted(items, key=key)[:count]``, where ``key(item)[0] == primary(item)``: the full key
    is computed only for the items whose ``primary`` is at most the ``count``-th smallest, since
    at least ``count`` items sort before any other (the 41k graph's page ranked 45,000 entities
    and 20,000 linked papers in full for 300 nodes)."""
    if count <= 0 or not items:
        return []
    if len(items) <= count:
        return sorted(items, key=key)
    firsts = [primary(item) for item in items]
    cutoff = heapq.nsmallest(count, firsts)[-1]
    return sorted((item for item, first in zip(items, firsts) if first <= cutoff), key=key)[:count]


def _drop(graph: nx.MultiDiGraph, nodes, tally: Counter) -> None:
    for node in nodes:
        tally[graph.nodes[node].get("label", "?")] += 1
    graph.remove_nodes_from(list(nodes))


def _drop_orphans(graph: nx.MultiDiGraph, had_edges: set[str], keep: set[str], tally: Counter,
                  any_label: bool = False) -> None:
    """Nodes whose every neighbour went say nothing alone (and scatter the layout).

    After filters only context nodes (papers, results) go: an entity the user filtered for
    stays even alone. After the cap (``any_label``) every node the cap isolated goes.
    """
    entity_labels = set(load_schema().entity_labels)
    orphans = [n for n, attrs in graph.nodes(data=True)
               if n in had_edges and n not in keep and (any_label or attrs.get("label") not in entity_labels)
               and graph.degree(n) == 0]
    _drop(graph, orphans, tally)


def induced_copy(graph: nx.MultiDiGraph, nodes: set) -> nx.MultiDiGraph:
    """``graph.copy()`` less every node outside ``nodes``, without copying those first.

    Built the way ``copy`` builds (nodes, then edges, in the graph's own order), so nodes,
    neighbours and edges come out in the order copy-then-remove gives.
    """
    sub = graph.__class__()
    sub.graph.update(graph.graph)
    sub.add_nodes_from((n, d.copy()) for n, d in graph.nodes(data=True) if n in nodes)
    sub.add_edges_from((u, v, key, data.copy())
                       for u, neighbours in graph.adjacency() if u in nodes
                       for v, keyed in neighbours.items() if v in nodes
                       for key, data in keyed.items())
    return sub


def _capped(graph: nx.MultiDiGraph, cap: int) -> Selection:
    """:func:`select` with no filter, only the cap (what ``kg build`` draws): the same selection,
    computed on ``graph`` itself and copying only the nodes kept (the 41k graph: 7 s -> 2 s)."""
    had_edges = {n for n, out in graph._succ.items() if out} | {n for n, into in graph._pred.items() if into}
    chosen = cap_nodes(graph, cap, set())
    left_out: Counter = Counter(label for n, label in graph.nodes(data="label", default="?") if n not in chosen)
    sub = induced_copy(graph, chosen)
    _drop_orphans(sub, had_edges, set(), left_out, any_label=True)
    return Selection(graph=sub, centers=(), total_nodes=graph.number_of_nodes(), total_edges=edge_count(graph),
                     filtered={}, left_out=_by_count(left_out), max_nodes=cap)


def select(graph: nx.MultiDiGraph, *, types=None, around=None, depth: int = 1, min_papers: int = 0,
           max_nodes: int | None = 300) -> Selection:
    """Apply the page filters and the node cap to ``graph`` (which is not modified).

    Order: ``around`` (neighbourhood within ``depth`` hops, either direction) -> ``types``
    -> ``min_papers`` (entities seen in fewer papers go) -> papers/results left with no
    edge go -> cap: above ``max_nodes`` keep the most important nodes (paper count or
    degree, whichever is larger). The ``around`` nodes are always kept.
    """
    if depth < 0:
        raise UsageError(f"--depth must be 0 or more, not {depth}", fix="use e.g. --depth 1")
    if min_papers < 0:
        raise UsageError(f"--min-papers must be 0 or more, not {min_papers}", fix="use e.g. --min-papers 2")
    if max_nodes is not None and max_nodes < 0:
        raise UsageError(f"--max-nodes must be 0 (no cap) or more, not {max_nodes}", fix="use e.g. --max-nodes 300")
    labels = parse_types(types)
    cap = max_nodes or None
    if not around and labels is None and not min_papers and cap is not None and graph.number_of_nodes() > cap:
        return _capped(graph, cap)
    sub = graph.copy()
    had_edges = {n for n in sub if sub.degree(n) > 0}
    filtered: Counter = Counter()
    centers: list[str] = []
    if around:
        for name in [around] if isinstance(around, str) else around:
            centers += [c for c in find_nodes(sub, name) if c not in centers]
        near: set[str] = set()
        for center in centers:
            near |= set(nx.single_source_shortest_path_length(sub.to_undirected(as_view=True), center, cutoff=depth))
        _drop(sub, [n for n in sub if n not in near], filtered)
    keep = set(centers)
    if labels is not None:
        _drop(sub, [n for n, a in sub.nodes(data=True) if a.get("label") not in labels and n not in keep], filtered)
    if min_papers:
        _drop(sub, [n for n, a in sub.nodes(data=True)
                    if "paper_count" in a and int(a["paper_count"] or 0) < min_papers and n not in keep], filtered)
    _drop_orphans(sub, had_edges, keep, filtered)

    left_out: Counter = Counter()
    if cap is not None and sub.number_of_nodes() > cap:
        chosen = cap_nodes(sub, cap, keep)
        kept_edges = {n for n in sub if sub.degree(n) > 0}
        _drop(sub, [n for n in sub if n not in chosen], left_out)
        _drop_orphans(sub, kept_edges, keep, left_out, any_label=True)
    return Selection(graph=sub, centers=tuple(centers), total_nodes=graph.number_of_nodes(),
                     total_edges=edge_count(graph), filtered=_by_count(filtered), left_out=_by_count(left_out), max_nodes=cap)
