"""The typed graph: papers, canonical entities, results and the relationships between them.

Built from the papers, their extractions and the corpus resolution; labels, relationship
types and which labels each type may join all come from the schema. An edge the schema does
not allow (say EVALUATES_ON to an entity whose voted type is ``method``) is left out and
counted in the build report rather than written wrong. When several statements support one
edge, the one with the highest confidence (then the earliest) gives its provenance.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

import networkx as nx

from kg.extract.records import ENTITY_RELATIONS, ENTITY_TYPES, PAPER_RELATIONS, Extraction
from kg.paper import Paper
from kg.gcpause import paused_gc
from kg.resolve.resolver import Entity, Resolution
from kg.schema import Schema, load_schema

_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_UNIT = re.compile(r"^\s*(%|x|×|points?|pp|ms|s|fps|dB|k|M|B)\b|^\s*%")

MENTIONS, REPORTS, VARIANT_OF = "MENTIONS", "REPORTS", "VARIANT_OF"
OF_METHOD, ON_DATASET, MEASURED_BY = "OF_METHOD", "ON_DATASET", "MEASURED_BY"


@dataclass
class BuildReport:
    """What went into the graph and what was left out, and why."""

    dropped: Counter = field(default_factory=Counter)

    def drop(self, reason: str) -> None:
        self.dropped[reason] += 1


def edge_key(schema: Schema, rel_type: str, paper_id: str | None) -> str:
    """The multigraph key: the type, or ``TYPE|paper_id`` for one-per-stating-paper types."""
    if "paper_id" in schema.relationship(rel_type).key:
        return f"{rel_type}|{paper_id}"
    return rel_type


def result_id(paper_id: str, start: int, end: int, value: str) -> str:
    """Stable id of a numeric result: its paper, span and value."""
    digest = hashlib.sha1(f"{paper_id}|{start}|{end}|{value}".encode("utf-8")).hexdigest()
    return "result:" + digest[:16]


def paper_node(paper: Paper) -> dict:
    attrs = {"label": "Paper", "id": paper.id, "title": paper.title, "abstract": paper.abstract,
             "source": f"{paper.source}:{paper.line}"}
    if paper.date and _ISO_DATE.match(paper.date):
        attrs["date"] = paper.date
    if paper.date and re.match(r"^\d{4}", paper.date):
        attrs["year"] = int(paper.date[:4])
    for name in ("url", "arxiv_id", "venue"):
        value = getattr(paper, name)
        if value:
            attrs[name] = value
    return attrs


def entity_node(schema: Schema, entity: Entity) -> dict:
    return {"label": schema.label_for_type(entity.type), "id": entity.id, "name": entity.name,
            "type": entity.type, "aliases": list(entity.aliases), "alias_counts": list(entity.alias_counts),
            "paper_count": entity.paper_count, "mention_count": entity.mention_count}


def _sentence(text: str, sentences, index: int, start: int) -> str:
    """The sentence numbered ``index`` (offsets from extraction), else the one around ``start``."""
    if sentences and 0 <= index < len(sentences):
        begin, end = sentences[index]
        return text[begin:end].strip()
    dot, newline = text.rfind(". ", 0, start), text.rfind("\n", 0, start)
    begin = max(dot + 2 if dot >= 0 else 0, newline + 1)
    stop = [p for p in (text.find(". ", start), text.find("\n", start)) if p >= 0]
    return text[begin:(min(stop) + 1 if stop else len(text))].strip()


def _provenance(paper_id, sentence, start, end, evidence, rule, confidence) -> dict:
    return {"paper_id": paper_id, "sentence": int(sentence), "start": int(start), "end": int(end),
            "evidence": evidence, "rule": rule, "confidence": float(confidence)}


class _Edges:
    """Collects candidate edges; the best-supported statement of each edge wins."""

    def __init__(self):
        self.best: dict[tuple[str, str, str], tuple[tuple, dict]] = {}

    def offer(self, source: str, target: str, key: str, attrs: dict) -> None:
        rank = (attrs.get("confidence", 1.0), -attrs.get("start", 0))
        slot = (source, target, key)
        if slot not in self.best or rank > self.best[slot][0]:
            self.best[slot] = (rank, attrs)

    def items(self) -> list[tuple[str, str, str, dict]]:
        return [(source, target, key, attrs) for (source, target, key), (_, attrs) in sorted(self.best.items())]


def _mention_rank(mention) -> tuple:
    """The mention that speaks for a paper's MENTIONS edge: most confident, then earliest."""
    return (-mention.confidence, mention.start)


def _parse_number(value: str) -> tuple[float | None, str | None]:
    match = _NUMBER.search(value)
    if not match:
        return None, None
    number = float(match.group().replace(",", "."))
    unit = _UNIT.match(value[match.end():])
    return number, (unit.group().strip() if unit else None)


class _Schema:
    """The schema's answers the builder asks per edge, looked up once per build."""

    def __init__(self, schema: Schema):
        self.schema = schema
        self.ends = {t: (frozenset(r.sources), frozenset(r.targets)) for t, r in schema.relationships.items()}
        self.paper_keyed = {t: "paper_id" in r.key for t, r in schema.relationships.items()}
        self.takes_dataset = {t for t in schema.relationships
                              if "dataset" in {p.name for p in schema.relationship_properties(t)}}
        self.dataset_targets = frozenset(schema.relationship(ON_DATASET).targets)
        self.entity_labels = {t: schema.label_for_type(t) for t in ENTITY_TYPES}

    def allowed(self, rel_type: str, source_label: str, target_label: str, report: BuildReport) -> bool:
        sources, targets = self.ends[rel_type] if rel_type in self.ends \
            else self.ends[self.schema.relationship(rel_type).name]
        ok = source_label in sources and target_label in targets
        if not ok:
            report.drop(f"{rel_type}: {source_label} -> {target_label} not in schema")
        return ok

    def key_of(self, rel_type: str, paper_id: str | None) -> str:
        if rel_type not in self.paper_keyed:
            return edge_key(self.schema, rel_type, paper_id)   # raises: the type is not in the schema
        return f"{rel_type}|{paper_id}" if self.paper_keyed[rel_type] else rel_type

    def label(self, entity: Entity) -> str:
        return self.entity_labels.get(entity.type) or self.schema.label_for_type(entity.type)


@dataclass
class Fragment:
    """What one paper puts in the graph besides entity nodes: its node, its Result nodes and
    every edge it states. Each edge slot belongs to one paper (the paper is its source, or its
    key carries the paper id, or its source is the paper's Result), so a paper's fragment can be
    dropped and rebuilt alone."""

    paper_id: str
    nodes: list[tuple[str, dict]]
    edges: list[tuple[str, str, str, dict]]


def paper_fragment(paper: Paper, extraction: Extraction | None, resolution, mentions, schema: _Schema,
                   report: BuildReport) -> Fragment:
    """The fragment of ``paper``: ``resolution`` answers ``lookup(paper_id, name, type)`` and
    ``entities[id]``; ``mentions`` are the paper's ``(entity id, mentions)`` pairs."""
    attrs = paper_node(paper)
    nodes = [(paper.id, attrs)]
    if extraction is None:
        return Fragment(paper.id, nodes, [])
    labels = {paper.id: attrs["label"]}
    entities = resolution.entities
    text = paper.text
    edges = _Edges()

    def evidence(index: int, start: int) -> str:
        return _sentence(text, extraction.sentences, index, start)

    def label(node: str) -> str:
        found = labels.get(node)
        if found is None:
            found = labels[node] = schema.label(entities[node])
        return found

    def allowed(rel_type: str, source: str, target: str) -> bool:
        return schema.allowed(rel_type, label(source), label(target), report)

    mentions_key = schema.key_of(MENTIONS, paper.id)
    for entity_id, found in mentions:
        best = found[0] if len(found) == 1 else min(found, key=_mention_rank)
        attrs = _provenance(paper.id, best.sentence, best.start, best.end, evidence(best.sentence, best.start),
                            best.rule, best.confidence)
        attrs["type"] = MENTIONS
        attrs["count"] = len(found)
        if allowed(MENTIONS, paper.id, entity_id):
            edges.offer(paper.id, entity_id, mentions_key, attrs)

    for relation in extraction.relations:
        attrs = _provenance(paper.id, relation.sentence, relation.start, relation.end,
                            relation.evidence or evidence(relation.sentence, relation.start),
                            relation.rule, relation.confidence)
        attrs["type"] = relation.type
        tail = resolution.lookup(paper.id, relation.tail, relation.tail_type)
        if tail is None:
            report.drop(f"{relation.type}: name not resolved")
            continue
        if relation.type in PAPER_RELATIONS:
            source = paper.id
        elif relation.type in ENTITY_RELATIONS:
            head = resolution.lookup(paper.id, relation.head, relation.head_type)
            if head is None:
                report.drop(f"{relation.type}: name not resolved")
                continue
            if head.id == tail.id:
                report.drop(f"{relation.type}: both ends resolve to one entity")
                continue
            source = head.id
            if relation.dataset:
                dataset = resolution.lookup(paper.id, relation.dataset, "dataset")
                if dataset and relation.type in schema.takes_dataset and label(dataset.id) in schema.dataset_targets:
                    attrs["dataset"] = dataset.id
        else:
            report.drop(f"{relation.type}: relation type not built")
            continue
        if allowed(relation.type, source, tail.id):
            edges.offer(source, tail.id, schema.key_of(relation.type, paper.id), attrs)

    for result in extraction.results:
        node = result_id(paper.id, result.start, result.end, result.value)
        sentence_text = result.evidence or evidence(result.sentence, result.start)
        attrs = {"label": "Result", "id": node, "value": result.value, "paper_id": paper.id,
                 "sentence": int(result.sentence), "evidence": sentence_text}
        number, unit = _parse_number(result.value)
        if number is not None:
            attrs["number"] = number
        if unit:
            attrs["unit"] = unit
        nodes.append((node, attrs))
        labels[node] = attrs["label"]
        prov = _provenance(paper.id, result.sentence, result.start, result.end, sentence_text,
                           result.rule, result.confidence)
        edges.offer(paper.id, node, schema.key_of(REPORTS, paper.id), {**prov, "type": REPORTS})
        for rel_type, name, entity_type in ((OF_METHOD, result.method, "method"),
                                            (ON_DATASET, result.dataset, "dataset"),
                                            (MEASURED_BY, result.metric, "metric")):
            entity = resolution.lookup(paper.id, name, entity_type)
            if entity is not None and allowed(rel_type, node, entity.id):
                edges.offer(node, entity.id, schema.key_of(rel_type, paper.id), {"type": rel_type})
    return Fragment(paper.id, nodes, edges.items())


def variant_edges(variants, entities, schema: _Schema, report: BuildReport) -> list[tuple[str, str, str, dict]]:
    """VARIANT_OF edges (no paper owns them) for ``(variant id, base id)`` pairs the schema allows."""
    key = schema.key_of(VARIANT_OF, None)
    return [(variant, base, key, {"type": VARIANT_OF}) for variant, base in variants
            if schema.allowed(VARIANT_OF, schema.label(entities[variant]), schema.label(entities[base]), report)]


def build_graph(papers: Iterable[Paper], extractions: Iterable[Extraction], resolution: Resolution,
                schema: Schema | None = None, report: BuildReport | None = None,
                dropped_by_paper: dict[str, Counter] | None = None) -> nx.MultiDiGraph:
    """The typed MultiDiGraph of the corpus (see kg.graph.snapshot for its conventions).
    ``dropped_by_paper``, if given, receives what each paper's fragment left out (for a later patch)."""
    with paused_gc():   # millions of long-lived attribute dicts; collecting them mid-build only costs time
        return _build_graph(papers, extractions, resolution, schema or load_schema(),
                            report if report is not None else BuildReport(), dropped_by_paper)


def _build_graph(papers: Iterable[Paper], extractions: Iterable[Extraction], resolution: Resolution,
                 schema: Schema, report: BuildReport, dropped_by_paper: dict[str, Counter] | None) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    answers = _Schema(schema)
    papers = {p.id: p for p in papers}
    by_paper: dict[str, list] = {}
    for (paper_id, entity_id), mentions in resolution.mentions.items():
        by_paper.setdefault(paper_id, []).append((entity_id, mentions))
    extraction_of = {}
    for extraction in extractions:
        if extraction.paper_id not in papers:
            report.drop("extraction for a paper not in the corpus")
        else:
            extraction_of[extraction.paper_id] = extraction
    fragments = []
    for paper_id in sorted(papers):
        own = BuildReport() if dropped_by_paper is not None else report
        fragments.append(paper_fragment(papers[paper_id], extraction_of.get(paper_id), resolution,
                                        by_paper.get(paper_id, ()), answers, own))
        if own is not report:
            report.dropped.update(own.dropped)
            if own.dropped:
                dropped_by_paper[paper_id] = own.dropped
    for fragment in fragments:
        graph.add_node(fragment.paper_id, **fragment.nodes[0][1])
    for entity in resolution.entities.values():
        graph.add_node(entity.id, **entity_node(schema, entity))
    for fragment in fragments:
        for node, attrs in fragment.nodes[1:]:
            graph.add_node(node, **attrs)
    edges = [edge for fragment in fragments for edge in fragment.edges]
    edges += variant_edges(resolution.variants, resolution.entities, answers, report)
    edges.sort(key=lambda edge: edge[:3])
    for source, target, key, attrs in edges:
        graph.add_edge(source, target, key=key, **attrs)
    return graph
