"""Small typed graphs built by hand for the RDF tests (loaded by path from tests/test_rdf*.py).

``hostile_graph()`` has every label and every relationship type of the schema, and text
meant to break serialisers: quotes, newlines, backslashes, ``<>``, ``<script>``, RTL and
zero-width characters, a tab, a carriage return, emoji.
"""
from __future__ import annotations

import networkx as nx

HOSTILE_TITLE = ('A "quoted" \'title\'\nwith a newline, a back\\slash, <angle> & <script>alert(1)</script>, '
                 "Arabic \u0627\u0644\u062a\u0639\u0644\u0645 \u202eRTL override\u202c, zero\u200bwidth, "
                 "tab\there, CR\r\nLF, emoji \U0001F9E0, triple \"\"\" quotes, trailing backslash \\")
HOSTILE_ABSTRACT = 'Line one.\n\nLine "two" ends with a backslash \\\n\u200f\u05e2\u05d1\u05e8\u05d9\u05ea.'
HOSTILE_NAME = 'Q"uo\\te <Net> \u200d\u00e9\u0301'


def _prov(paper: str, sentence: int, start: int, end: int, evidence: str, rule: str, confidence: float) -> dict:
    return {"paper_id": paper, "sentence": sentence, "start": start, "end": end, "evidence": evidence,
            "rule": rule, "confidence": confidence}


def _entity(graph: nx.MultiDiGraph, node_id: str, label: str, name: str, aliases: list[str]) -> None:
    graph.add_node(node_id, label=label, name=name, type=label.lower(), aliases=aliases,
                   alias_counts=[3] * len(aliases), paper_count=2, mention_count=3 * len(aliases))


def hostile_graph() -> nx.MultiDiGraph:
    """Two papers, one entity of each type (plus a second method), a result, every relationship."""
    g = nx.MultiDiGraph()
    g.add_node("p-hostile/1 #x?y=z", label="Paper", title=HOSTILE_TITLE, abstract=HOSTILE_ABSTRACT,
               source="papers \"list\".txt:12", date="2021-07", year=2021,
               url="https://arxiv.org/abs/2107.00001?x=1&y=<2>", arxiv_id="2107.00001", venue="NeurIPS")
    g.add_node("p-plain", label="Paper", title="Plain title", abstract="We evaluate BERT on SQuAD.",
               source="b.jsonl:1", date="2020-01-31", year=2020)
    g.add_node("p-year", label="Paper", title="Year only", abstract="An abstract.", source="c.bib:3", date="2019")
    _entity(g, "method:bert", "Method", "BERT", ["BERT", "Bidirectional Encoder Representations"])
    _entity(g, "method:q\"net", "Method", HOSTILE_NAME, [HOSTILE_NAME, "qnet\n2"])
    _entity(g, "method:bert-base", "Method", "BERT-base", ["BERT-base"])
    _entity(g, "dataset:squad", "Dataset", "SQuAD", ["SQuAD", "Stanford Question Answering Dataset"])
    _entity(g, "benchmark:glue", "Benchmark", "GLUE", ["GLUE"])
    _entity(g, "metric:f1", "Metric", "F1", ["F1", "F1 score"])
    _entity(g, "task:qa", "Task", "question answering", ["question answering", "QA"])
    g.add_node("result:1", label="Result", value="93.2%", number=93.2, unit="%", paper_id="p-plain",
               sentence=2, evidence="BERT reaches 93.2% F1 on SQuAD.")
    g.add_node("result:2", label="Result", value="1e-3", number=0.001, paper_id="p-hostile/1 #x?y=z",
               sentence=1, evidence=HOSTILE_ABSTRACT)
    ev = "We evaluate BERT on SQuAD."
    hp = "p-hostile/1 #x?y=z"
    edges = [
        ("p-plain", "method:bert", "MENTIONS", {"count": 2, **_prov("p-plain", 1, 12, 16, ev, "gazetteer", 0.9)}),
        ("p-plain", "dataset:squad", "MENTIONS", {"count": 1, **_prov("p-plain", 1, 20, 25, ev, "gazetteer", 0.9)}),
        (hp, "method:q\"net", "PROPOSES", _prov(hp, 0, 2, 9, HOSTILE_TITLE, "pattern:we_propose", 0.75)),
        (hp, "method:q\"net", "MENTIONS", {"count": 1, **_prov(hp, 0, 2, 9, HOSTILE_TITLE, "ner \"model\" v1", 0.5)}),
        ("p-plain", "dataset:squad", "EVALUATES_ON", _prov("p-plain", 1, 20, 25, ev, "pattern:evaluate_on", 1.0)),
        ("p-plain", "benchmark:glue", "EVALUATES_ON", _prov("p-plain", 1, 30, 34, ev, "pattern:evaluate_on", 0.8)),
        ("p-plain", "task:qa", "ADDRESSES", _prov("p-plain", 0, 0, 5, "Plain title", "gazetteer", 0.6)),
        (hp, "task:qa", "ADDRESSES", _prov(hp, 1, 5, 9, HOSTILE_ABSTRACT, "gazetteer", 0.6)),
        ("p-plain", "metric:f1", "USES_METRIC", _prov("p-plain", 2, 20, 22, "F1.", "gazetteer", 0.95)),
        ("p-plain", "result:1", "REPORTS", _prov("p-plain", 2, 13, 18, "BERT reaches 93.2% F1 on SQuAD.", "pattern:achieves", 0.7)),
        ("result:1", "method:bert", "OF_METHOD", {}),
        ("result:1", "dataset:squad", "ON_DATASET", {}),
        ("result:1", "metric:f1", "MEASURED_BY", {}),
        ("method:bert-base", "method:bert", "VARIANT_OF", {}),
    ]
    for source, target, rel, props in edges:
        g.add_edge(source, target, key=rel, type=rel, **props)
    for paper in ("p-plain", hp):  # OUTPERFORMS / EVALUATED_ON: one per stating paper
        g.add_edge("method:bert", "method:q\"net", key=f"OUTPERFORMS|{paper}", type="OUTPERFORMS",
                   dataset="dataset:squad", **_prov(paper, 1, 0, 4, ev, "pattern:outperforms", 0.85))
        g.add_edge("method:bert", "dataset:squad", key=f"EVALUATED_ON|{paper}", type="EVALUATED_ON",
                   **_prov(paper, 1, 0, 4, ev, "pattern:evaluate_on", 0.001))
    g.add_edge("method:q\"net", "benchmark:glue", key="EVALUATED_ON|p-plain", type="EVALUATED_ON",
               **_prov("p-plain", 1, 0, 4, ev, "pattern:evaluate_on", 1e-05))
    return g
