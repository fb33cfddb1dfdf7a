"""Small typed graphs, built by hand, in the shape `kg build` gives (see kg/graph/snapshot.py)."""
from __future__ import annotations

import random

import networkx as nx

HOSTILE_TITLE = ("\"Quoted\" 'titles' </script><script>window.__pwned=1;alert(1)</script>"
                 "<img src=x onerror=\"window.__pwned=2\"> \u202eRTL\u202c zero\u200bwidth & more")


def _entity(g, node_id, label, name, aliases=(), alias_counts=(), papers=1, mentions=1):
    aliases = list(aliases) or [name]
    g.add_node(node_id, id=node_id, label=label, name=name, type=label.lower(), aliases=aliases,
               alias_counts=list(alias_counts) or [1] * len(aliases), paper_count=papers, mention_count=mentions)


def _paper(g, node_id, title, abstract, date="2024-01-01"):
    g.add_node(node_id, id=node_id, label="Paper", title=title, abstract=abstract, source=f"fixture:{node_id}", date=date,
               url=f"https://example.org/{node_id}")


def _rel(g, source, target, rel_type, paper, evidence, *, keyed=False, **extra):
    key = f"{rel_type}|{paper}" if keyed else rel_type
    g.add_edge(source, target, key=key, type=rel_type, paper_id=paper, sentence=1, start=0, end=len(evidence),
               evidence=evidence, rule="fixture", confidence=0.9, **extra)


def small_graph(hostile: bool = False) -> nx.MultiDiGraph:
    """3 papers, 7 entities, 1 result; 17 relationships that draw as 14 page edges.

    Page edges: p1->transformer carries PROPOSES + MENTIONS (one edge); p2->bert carries
    PROPOSES + MENTIONS (one edge); bert OUTPERFORMS elmo is stated by 2 papers (one edge).
    """
    g = nx.MultiDiGraph()
    _paper(g, "p1", "Attention Is All You Need",
           "We propose the Transformer, a model based solely on attention. " * 8, "2017-06-12")
    _paper(g, "p2", HOSTILE_TITLE if hostile else "BERT: Pre-training of Deep Bidirectional Transformers",
           "We introduce BERT. BERT outperforms ELMo on GLUE.", "2018-10-11")
    _paper(g, "p3", "Deep contextualized word representations", "We introduce ELMo. ELMo is evaluated on GLUE.",
           "2018-02-15")
    _entity(g, "m_transformer", "Method", "Transformer", ["Transformer", "Transformers"], [5, 2], papers=2, mentions=7)
    _entity(g, "m_bert", "Method", "BERT", ["BERT", "Bidirectional Encoder Representations from Transformers"],
            [6, 1], papers=2, mentions=7)
    _entity(g, "m_elmo", "Method", "ELMo", papers=2, mentions=3)
    _entity(g, "d_wmt14", "Dataset", "WMT 2014 English-German", ["WMT 2014 English-German", "WMT14 En-De"], [1, 1])
    _entity(g, "b_glue", "Benchmark", "GLUE", papers=2, mentions=2)
    _entity(g, "x_bleu", "Metric", "BLEU")
    _entity(g, "t_mt", "Task", "machine translation")
    g.add_node("r1", id="r1", label="Result", value="28.4", number=28.4, unit="BLEU", paper_id="p1", sentence=3,
               evidence="The Transformer achieves 28.4 BLEU on WMT 2014 English-German.")
    s1 = "We propose the Transformer, a model based solely on attention."
    _rel(g, "p1", "m_transformer", "PROPOSES", "p1", s1)
    _rel(g, "p1", "m_transformer", "MENTIONS", "p1", s1, count=3)
    _rel(g, "p1", "d_wmt14", "EVALUATES_ON", "p1", "The Transformer achieves 28.4 BLEU on WMT 2014 English-German.")
    _rel(g, "p1", "x_bleu", "USES_METRIC", "p1", "The Transformer achieves 28.4 BLEU on WMT 2014 English-German.")
    _rel(g, "p1", "t_mt", "ADDRESSES", "p1", "Experiments on two machine translation tasks.")
    _rel(g, "p1", "r1", "REPORTS", "p1", "The Transformer achieves 28.4 BLEU on WMT 2014 English-German.")
    g.add_edge("r1", "m_transformer", key="OF_METHOD", type="OF_METHOD")
    g.add_edge("r1", "d_wmt14", key="ON_DATASET", type="ON_DATASET")
    g.add_edge("r1", "x_bleu", key="MEASURED_BY", type="MEASURED_BY")
    hostile_sentence = HOSTILE_TITLE if hostile else "We introduce BERT."
    _rel(g, "p2", "m_bert", "PROPOSES", "p2", hostile_sentence)
    _rel(g, "p2", "m_bert", "MENTIONS", "p2", "We introduce BERT.", count=2)
    _rel(g, "p2", "m_transformer", "MENTIONS", "p2", "Deep Bidirectional Transformers", count=1)
    _rel(g, "p2", "b_glue", "EVALUATES_ON", "p2", "BERT outperforms ELMo on GLUE.")
    _rel(g, "m_bert", "m_elmo", "OUTPERFORMS", "p2", "BERT outperforms ELMo on GLUE.", keyed=True, dataset="b_glue")
    _rel(g, "m_bert", "m_elmo", "OUTPERFORMS", "p3", "BERT is better than ELMo.", keyed=True)
    _rel(g, "p3", "m_elmo", "PROPOSES", "p3", "We introduce ELMo.")
    _rel(g, "p3", "b_glue", "EVALUATES_ON", "p3", "ELMo is evaluated on GLUE.")
    return g


SMALL_PAGE_NODES = 11
SMALL_PAGE_EDGES = 14


def synthetic_graph(papers: int = 400, entities: int = 300, seed: int = 3) -> nx.MultiDiGraph:
    """A larger random corpus-like graph for the cap and performance tests (deterministic)."""
    rng = random.Random(seed)
    labels = ["Method", "Dataset", "Benchmark", "Metric", "Task"]
    g = nx.MultiDiGraph()
    ids = []
    for i in range(entities):
        label = labels[i % len(labels)]
        node = f"e{i:04d}"
        _entity(g, node, label, f"{label} {i}", papers=0, mentions=0)
        ids.append(node)
    weights = [1 / (1 + i) for i in range(entities)]   # a few popular entities, a long tail
    for p in range(papers):
        paper = f"p{p:04d}"
        _paper(g, paper, f"Paper number {p} about things", "An abstract. " * 10)
        for node in set(rng.choices(ids, weights=weights, k=rng.randint(2, 6))):
            _rel(g, paper, node, "MENTIONS", paper, f"Sentence of {paper}.", count=1)
            g.nodes[node]["paper_count"] += 1
            g.nodes[node]["mention_count"] += 1
    methods = [n for n in ids if g.nodes[n]["label"] == "Method"]
    for k in range(papers // 4):
        a, b = rng.sample(methods[:20], 2)
        _rel(g, a, b, "OUTPERFORMS", f"p{k:04d}", "A beats B.", keyed=True)
    return g
