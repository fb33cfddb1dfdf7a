"""Change a built graph in place: replace some papers' fragments, some entity nodes and links.

An incremental build knows which papers are new or changed and which earlier papers resolve
differently now; rebuilding only their fragments (see :func:`kg.graph.build.paper_fragment`)
and the entities whose records changed gives the same graph as building the whole corpus,
at a cost in proportion to the change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import networkx as nx

from kg.errors import SchemaError
from kg.graph.build import Fragment


@dataclass
class Patch:
    """What to change: papers to take out (with everything they own), fragments to put in,
    entity nodes to set (id -> attributes) or remove, VARIANT_OF-like links to add or remove."""

    drop_papers: set[str] = field(default_factory=set)
    fragments: list[Fragment] = field(default_factory=list)
    entities: dict[str, dict] = field(default_factory=dict)
    entities_removed: set[str] = field(default_factory=set)
    links_added: list[tuple[str, str, str, dict]] = field(default_factory=list)
    links_removed: list[tuple[str, str, str]] = field(default_factory=list)

    def is_empty(self) -> bool:
        """Whether applying it changes nothing."""
        return not (self.drop_papers or self.fragments or self.entities or self.entities_removed
                    or self.links_added or self.links_removed)

    def papers(self) -> set[str]:
        """Every paper whose fragment is taken out or put in."""
        return self.drop_papers | {f.paper_id for f in self.fragments}

    def changed_nodes(self) -> set[str]:
        """Nodes the patch sets (their attributes may differ from before)."""
        return {node for f in self.fragments for node, _ in f.nodes} | set(self.entities)

    def changed_edges(self) -> set[tuple[str, str, str]]:
        """Edges the patch adds, as ``(source, target, key)``."""
        return {edge[:3] for f in self.fragments for edge in f.edges} | {edge[:3] for edge in self.links_added}


def _owned_by(graph: nx.MultiDiGraph, papers: set[str]) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Result nodes and entity-to-entity edges that ``papers`` own (their own out-edges go with them)."""
    nodes = [n for p in papers if p in graph for _, n in graph.out_edges(p) if graph.nodes[n].get("paper_id") == p]
    edges = []
    for source, target, key in graph.edges(keys=True):
        owner = key.rpartition("|")[2] if "|" in key else None
        if owner in papers:
            edges.append((source, target, key))
    return nodes, edges


def _sources(patch: Patch, papers: set[str], results: list[str], entity_edges: list) -> set[str]:
    """Nodes whose out-edges the patch removes or adds, before any entity is taken out: the
    papers and what they own, and the sources of the links and fragment edges it sets."""
    return set(papers) | set(results) | {edge[0] for edge in entity_edges} | \
        {edge[0] for edge in patch.links_removed} | {edge[0] for edge in patch.links_added} | \
        {edge[0] for f in patch.fragments for edge in f.edges}


@dataclass
class Reach:
    """What applying a patch can change, found before it is applied: the nodes it may set or take
    out, and the nodes whose out-edges it may add or remove (with what the papers own)."""

    nodes: set[str]
    sources: set[str]
    results: list[str]
    entity_edges: list[tuple[str, str, str]]


def reach_of(graph: nx.MultiDiGraph, patch: Patch) -> Reach:
    """The :class:`Reach` of ``patch`` on ``graph`` (before it is applied)."""
    papers = patch.papers()
    results, entity_edges = _owned_by(graph, papers)
    sources = _sources(patch, papers, results, entity_edges)
    nodes = set(papers) | set(results) | patch.changed_nodes()
    for entity in patch.entities_removed:
        if entity in graph:
            nodes.add(entity)
            sources.add(entity)
            sources.update(graph.predecessors(entity))
    return Reach(nodes, sources, results, entity_edges)


def apply_patch(graph: nx.MultiDiGraph, patch: Patch, removed: set | None = None,
                reach: Reach | None = None) -> set[str]:
    """Apply ``patch`` to ``graph`` (in place); returns the nodes whose out-edges were removed or
    added, and adds to ``removed`` the nodes taken out (some come back, set again). ``reach``:
    :func:`reach_of` this patch, when the caller has it. Raises SchemaError when an entity to
    remove is still the end of an edge the patch keeps: the change set missed a paper."""
    papers = patch.papers()
    reach = reach or reach_of(graph, patch)
    results, entity_edges = reach.results, reach.entity_edges
    sources = _sources(patch, papers, results, entity_edges)
    graph.remove_edges_from(entity_edges)
    graph.remove_nodes_from(results)
    for paper in papers:
        if paper in graph:
            graph.remove_edges_from(list(graph.out_edges(paper, keys=True)))
    rebuilt = {f.paper_id for f in patch.fragments}
    dropped = [p for p in patch.drop_papers if p not in rebuilt and p in graph]
    graph.remove_nodes_from(dropped)
    if removed is not None:
        removed.update(results, dropped, (e for e in patch.entities_removed if e in graph))
    graph.remove_edges_from(patch.links_removed)
    for entity in patch.entities_removed:
        if entity not in graph:
            continue
        left = [(s, t, k) for s, t, k in graph.in_edges(entity, keys=True)] + \
               [(s, t, k) for s, t, k in graph.out_edges(entity, keys=True)]
        still = [edge for edge in left if edge[2] != "VARIANT_OF"]
        if still:
            raise SchemaError(f"entity {entity!r} is to be removed but {len(still)} kept edges still reach it "
                              f"(e.g. {still[0]})", where="incremental build",
                              fix="build again with --rebuild (a whole build), and report this as a bug")
        sources.update(s for s, _, _ in left)
        graph.remove_node(entity)
    for entity, attrs in patch.entities.items():
        if entity in graph:
            graph.nodes[entity].clear()
        graph.add_node(entity, **attrs)
    for fragment in patch.fragments:
        for node, attrs in fragment.nodes:
            if node in graph:
                graph.nodes[node].clear()
            graph.add_node(node, **attrs)
    for source, target, key, attrs in patch.links_added:
        graph.add_edge(source, target, key=key, **attrs)
    for fragment in patch.fragments:
        for source, target, key, attrs in fragment.edges:
            graph.add_edge(source, target, key=key, **attrs)
    return sources


def delta_graph(graph: nx.MultiDiGraph, patch: Patch) -> nx.MultiDiGraph:
    """The part of ``graph`` (patched) to write to a store that holds the graph before the patch:
    the rebuilt papers with everything they own (their fragments), the entity nodes and links the
    patch sets, and the ends of their edges with their attributes."""
    delta = nx.MultiDiGraph()
    for entity in patch.entities:
        delta.add_node(entity)
    for fragment in patch.fragments:
        for node, _ in fragment.nodes:
            delta.add_node(node)
        for source, target, key, attrs in fragment.edges:
            delta.add_edge(source, target, key=key, **attrs)
    for source, target, key, attrs in patch.links_added:
        delta.add_edge(source, target, key=key, **attrs)
    for node in list(delta):
        delta.add_node(node, **graph.nodes[node])
    return delta
