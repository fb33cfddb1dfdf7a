"""A small typed graph, built by hand, whose answers to every named query are known.

Five papers (2016-2021) about BERT, RoBERTa, ELMo, ResNet and BERT-large on GLUE,
SQuAD and ImageNet, with results, OUTPERFORMS statements and a variant; one paper has
no entity. ``tests/test_queries.py`` and ``tests/test_service.py`` load it into the real
Neo4j with ``kg.store.write_graph`` and compare rows with what is written here.
"""
from __future__ import annotations

import networkx as nx

# id -> (label, name, aliases with mention counts)
ENTITIES = {
    "method:bert": ("Method", "BERT", {"BERT": 4, "Bidirectional Encoder Representations from Transformers": 1}),
    "method:bert-large": ("Method", "BERT-large", {"BERT-large": 1}),
    "method:roberta": ("Method", "RoBERTa", {"RoBERTa": 2}),
    "method:elmo": ("Method", "ELMo", {"ELMo": 1, "elmo": 1}),
    "method:resnet": ("Method", "ResNet", {"ResNet": 2, "residual network": 1}),
    "benchmark:glue": ("Benchmark", "GLUE", {"GLUE": 2}),
    "dataset:squad": ("Dataset", "SQuAD", {"SQuAD": 3, "Stanford Question Answering Dataset": 1}),
    "dataset:imagenet": ("Dataset", "ImageNet", {"ImageNet": 1, "ILSVRC": 1}),
    "task:question-answering": ("Task", "question answering", {"question answering": 2, "QA": 1}),
    "task:image-classification": ("Task", "image classification", {"image classification": 1}),
    "metric:f1": ("Metric", "F1", {"F1": 2, "F1 score": 1}),
    "metric:top-1-accuracy": ("Metric", "top-1 accuracy", {"top-1 accuracy": 1}),
}

# id -> (title, year, arxiv id, {entity id: mentions in this paper})
PAPERS = {
    "p-bert": ("BERT: Pre-training of Deep Bidirectional Transformers", 2019, "1810.04805",
               {"method:bert": 2, "method:elmo": 2, "benchmark:glue": 1, "dataset:squad": 1,
                "task:question-answering": 1, "metric:f1": 1}),
    "p-roberta": ("RoBERTa: A Robustly Optimized BERT Pretraining Approach", 2020, "1907.11692",
                  {"method:roberta": 2, "method:bert": 2, "benchmark:glue": 1, "dataset:squad": 2,
                   "task:question-answering": 2, "metric:f1": 2}),
    "p-resnet": ("Deep Residual Learning for Image Recognition", 2016, "1512.03385",
                 {"method:resnet": 3, "dataset:imagenet": 2, "task:image-classification": 1,
                  "metric:top-1-accuracy": 1}),
    "p-large": ("Scaling BERT-large for Reading Comprehension", 2021, None,
                {"method:bert-large": 1, "method:bert": 1, "dataset:squad": 1}),
    "p-empty": ("On the Philosophy of Measurement", 2021, None, {}),
}

# (paper, relationship type, entity) for the paper-level relations
PAPER_RELATIONS = [
    ("p-bert", "PROPOSES", "method:bert"),
    ("p-bert", "EVALUATES_ON", "benchmark:glue"),
    ("p-bert", "EVALUATES_ON", "dataset:squad"),
    ("p-bert", "ADDRESSES", "task:question-answering"),
    ("p-bert", "USES_METRIC", "metric:f1"),
    ("p-roberta", "PROPOSES", "method:roberta"),
    ("p-roberta", "EVALUATES_ON", "benchmark:glue"),
    ("p-roberta", "EVALUATES_ON", "dataset:squad"),
    ("p-roberta", "ADDRESSES", "task:question-answering"),
    ("p-roberta", "USES_METRIC", "metric:f1"),
    ("p-resnet", "PROPOSES", "method:resnet"),
    ("p-resnet", "EVALUATES_ON", "dataset:imagenet"),
    ("p-resnet", "ADDRESSES", "task:image-classification"),
    ("p-resnet", "USES_METRIC", "metric:top-1-accuracy"),
    ("p-large", "EVALUATES_ON", "dataset:squad"),
]

# (method, dataset, paper)
EVALUATED_ON = [
    ("method:bert", "benchmark:glue", "p-bert"),
    ("method:bert", "dataset:squad", "p-bert"),
    ("method:roberta", "dataset:squad", "p-roberta"),
    ("method:resnet", "dataset:imagenet", "p-resnet"),
]

# (winner, loser, paper, dataset id stated or None)
OUTPERFORMS = [
    ("method:bert", "method:elmo", "p-bert", "benchmark:glue"),
    ("method:roberta", "method:bert", "p-roberta", None),
]

# (result id, paper, method, dataset, metric, value as written, number)
RESULTS = [
    ("r-bert-squad", "p-bert", "method:bert", "dataset:squad", "metric:f1", "93.2", 93.2),
    ("r-roberta-squad", "p-roberta", "method:roberta", "dataset:squad", "metric:f1", "94.6", 94.6),
    ("r-bert-squad-2", "p-roberta", "method:bert", "dataset:squad", "metric:f1", "93.0", 93.0),
    ("r-resnet-imagenet", "p-resnet", "method:resnet", "dataset:imagenet", "metric:top-1-accuracy", "76.1%", 76.1),
]


def _provenance(paper: str, evidence: str, rule: str = "fixture") -> dict:
    return {"paper_id": paper, "sentence": 1, "start": 0, "end": len(evidence), "evidence": evidence,
            "rule": rule, "confidence": 0.9}


def build_graph() -> nx.MultiDiGraph:
    """The fixture graph in the typed form kg.store.write_graph takes (see kg/graph/snapshot.py)."""
    graph = nx.MultiDiGraph()
    mentions: dict[str, dict[str, int]] = {e: {} for e in ENTITIES}
    for paper, (_title, _year, _arxiv, counts) in PAPERS.items():
        for entity, count in counts.items():
            mentions[entity][paper] = count
    for entity, (label, name, aliases) in ENTITIES.items():
        graph.add_node(entity, label=label, name=name, type=label.lower(), aliases=list(aliases),
                       alias_counts=list(aliases.values()), paper_count=len(mentions[entity]),
                       mention_count=sum(mentions[entity].values()))
    for paper, (title, year, arxiv, counts) in PAPERS.items():
        abstract = f"An abstract about {', '.join(ENTITIES[e][1] for e in counts) or 'nothing named'}."
        graph.add_node(paper, label="Paper", title=title, abstract=abstract, source=f"fixture.jsonl:{paper}",
                       date=f"{year}-06-01", year=year, arxiv_id=arxiv)
        for entity, count in counts.items():
            evidence = f"We use {ENTITIES[entity][1]}."
            graph.add_edge(paper, entity, key="MENTIONS", type="MENTIONS", count=count,
                           **_provenance(paper, evidence))
    for paper, rel_type, entity in PAPER_RELATIONS:
        graph.add_edge(paper, entity, key=rel_type, type=rel_type,
                       **_provenance(paper, f"{rel_type} {ENTITIES[entity][1]}."))
    for method, dataset, paper in EVALUATED_ON:
        graph.add_edge(method, dataset, key=f"EVALUATED_ON|{paper}", type="EVALUATED_ON",
                       **_provenance(paper, f"{ENTITIES[method][1]} is evaluated on {ENTITIES[dataset][1]}."))
    for winner, loser, paper, dataset in OUTPERFORMS:
        extra = {"dataset": dataset} if dataset else {}
        graph.add_edge(winner, loser, key=f"OUTPERFORMS|{paper}", type="OUTPERFORMS", **extra,
                       **_provenance(paper, f"{ENTITIES[winner][1]} outperforms {ENTITIES[loser][1]}."))
    for result, paper, method, dataset, metric, value, number in RESULTS:
        evidence = f"{ENTITIES[method][1]} reaches {value} {ENTITIES[metric][1]} on {ENTITIES[dataset][1]}."
        graph.add_node(result, label="Result", value=value, number=number, paper_id=paper, sentence=2,
                       evidence=evidence)
        graph.add_edge(paper, result, key="REPORTS", type="REPORTS", **_provenance(paper, evidence))
        graph.add_edge(result, method, key="OF_METHOD", type="OF_METHOD")
        graph.add_edge(result, dataset, key="ON_DATASET", type="ON_DATASET")
        graph.add_edge(result, metric, key="MEASURED_BY", type="MEASURED_BY")
    graph.add_edge("method:bert-large", "method:bert", key="VARIANT_OF", type="VARIANT_OF")
    return graph


def load_fixture(settings) -> nx.MultiDiGraph:
    """Empty the database, then write the fixture graph with kg.store.write_graph."""
    from kg.connection import open_driver
    from kg.store import write_graph

    with open_driver(settings) as driver:
        with driver.session(database=settings.database) as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    graph = build_graph()
    write_graph(graph, settings)
    return graph


def test_fixture_graph_fits_the_schema():
    from kg.schema import load_schema
    from kg.store.plan import make_plan

    graph = build_graph()
    plan = make_plan(graph, load_schema())
    assert plan.papers == len(PAPERS)
    assert graph.number_of_nodes() == len(ENTITIES) + len(PAPERS) + len(RESULTS)
