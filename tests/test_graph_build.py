"""The typed graph from papers + extractions + resolution: nodes, edges, provenance, variants."""
from __future__ import annotations

from kg.graph.build import BuildReport, build_graph
from kg.graph.validate import validate
from kg.resolve import resolve
from kg.schema import load_schema
from test_resolve_records import extraction, paper

AR2 = paper(
    "Adversarial Retriever-Ranker for dense text retrieval",
    "We present Adversarial Retriever-Ranker (AR2), which consists of a dual-encoder retriever plus a "
    "cross-encoder ranker. AR2 consistently and significantly outperforms existing dense retriever methods and "
    "achieves new state-of-the-art results on all of them. This includes the improvements on Natural Questions "
    "R@5 to 77.9%(+2.1%), TriviaQA R@5 to 78.2%(+1.4), and MS-MARCO MRR@10 to 39.5%(+1.3%).",
    date="2021-10-07")
BERTS = paper("BERT sizes", "We fine-tune BERT-base and BERT-large, and compare with BERT on Natural Questions.")


def _corpus():
    e1 = extraction(AR2, mentions=[
        ("Adversarial Retriever-Ranker (AR2)", "method", 0.95), ("AR2", "method", 0.7, {"nth": 1}),
        ("dual-encoder", "method"), ("cross-encoder", "method"),
        ("Natural Questions", "dataset"), ("TriviaQA", "dataset"), ("MS-MARCO", "dataset"),
        ("R@5", "metric"), ("MRR@10", "metric"), ("dense text retrieval", "task")],
        relations=[("PROPOSES", None, None, "Adversarial Retriever-Ranker", "method", 0.9),
                   ("PROPOSES", None, None, "AR2", "method", 0.6),
                   ("EVALUATES_ON", None, None, "TriviaQA", "dataset", 0.8),
                   ("EVALUATES_ON", None, None, "Natural Questions", "dataset", 0.8),
                   ("ADDRESSES", None, None, "dense text retrieval", "task", 0.7),
                   ("USES_METRIC", None, None, "MRR@10", "metric", 0.7),
                   ("EVALUATED_ON", "AR2", "method", "TriviaQA", "dataset", 0.75),
                   ("OUTPERFORMS", "AR2", "method", "dual-encoder", "method", 0.6),
                   ("OUTPERFORMS", "AR2", "method", "AR2", "method", 0.6),
                   ("EVALUATES_ON", None, None, "cross-encoder", "method", 0.5)],
        results=[("77.9%", "AR2", "Natural Questions", "R@5"), ("39.5%", "AR2", "MS-MARCO", "MRR@10")])
    e2 = extraction(BERTS, mentions=[("BERT-base", "method"), ("BERT-large", "method"),
                                     ("BERT", "method", {"nth": 2}), ("Natural Questions", "dataset")])
    return [AR2, BERTS], [e1, e2]


def _graph():
    papers, extractions = _corpus()
    report = BuildReport()
    graph = build_graph(papers, extractions, resolve(extractions), report=report)
    return graph, report


def test_nodes_carry_schema_labels_counts_and_paper_years():
    graph, _ = _graph()
    validate(graph, load_schema())
    ar2 = graph.nodes["method:adversarial-retriever-ranker"]
    assert ar2["label"] == "Method" and ar2["name"] == "Adversarial Retriever-Ranker"
    assert ar2["aliases"] == ["AR2", "Adversarial Retriever-Ranker"] and ar2["alias_counts"] == [2, 1]
    assert ar2["mention_count"] == 2 and ar2["paper_count"] == 1
    assert graph.nodes["dataset:natural-question"]["paper_count"] == 2
    assert graph.nodes[AR2.id]["year"] == 2021 and graph.nodes[AR2.id]["date"] == "2021-10-07"


def test_every_text_relationship_carries_provenance():
    graph, _ = _graph()
    schema = load_schema()
    provenance = [p.name for p in schema.provenance]
    text_edges = [(u, v, a) for u, v, a in graph.edges(data=True) if schema.relationship(a["type"]).provenance]
    assert {a["type"] for _, _, a in text_edges} >= {"MENTIONS", "PROPOSES", "EVALUATES_ON", "ADDRESSES",
                                                     "USES_METRIC", "EVALUATED_ON", "OUTPERFORMS", "REPORTS"}
    for u, v, attrs in text_edges:
        assert all(attrs.get(p) is not None for p in provenance), (u, v, attrs)
        assert attrs["paper_id"] in (AR2.id, BERTS.id)
        text = (AR2 if attrs["paper_id"] == AR2.id else BERTS).text
        assert attrs["evidence"] in text


def test_the_best_supported_statement_gives_the_provenance_and_mentions_are_counted():
    graph, _ = _graph()
    proposes = graph.get_edge_data(AR2.id, "method:adversarial-retriever-ranker")["PROPOSES"]
    assert proposes["confidence"] == 0.9 and proposes["rule"] == "test-pattern"
    mentions = graph.get_edge_data(AR2.id, "method:adversarial-retriever-ranker")["MENTIONS"]
    assert mentions["count"] == 2 and mentions["confidence"] == 0.95
    assert mentions["evidence"].startswith("We present Adversarial Retriever-Ranker (AR2)")


def test_method_relations_are_keyed_by_stating_paper_and_self_loops_dropped():
    graph, report = _graph()
    edges = graph.get_edge_data("method:adversarial-retriever-ranker", "dataset:triviaqa")
    assert list(edges) == [f"EVALUATED_ON|{AR2.id}"]
    assert graph.has_edge("method:adversarial-retriever-ranker", "method:dual-encoder", f"OUTPERFORMS|{AR2.id}")
    assert report.dropped["OUTPERFORMS: both ends resolve to one entity"] == 1


def test_edges_the_schema_does_not_allow_are_left_out_and_counted():
    graph, report = _graph()
    assert not graph.has_edge(AR2.id, "method:cross-encoder", "EVALUATES_ON")
    assert report.dropped["EVALUATES_ON: Paper -> Method not in schema"] == 1


def test_results_link_method_dataset_and_metric():
    graph, _ = _graph()
    results = [n for n, a in graph.nodes(data=True) if a["label"] == "Result"]
    assert len(results) == 2
    nq = next(n for n in results if graph.nodes[n]["value"] == "77.9%")
    assert graph.nodes[nq]["number"] == 77.9 and graph.nodes[nq]["unit"] == "%"
    assert {(v, k) for _, v, k in graph.out_edges(nq, keys=True)} == {
        ("method:adversarial-retriever-ranker", "OF_METHOD"), ("dataset:natural-question", "ON_DATASET"),
        (next(n for n in graph if graph.nodes[n].get("name") == "R@5"), "MEASURED_BY")}
    assert graph.has_edge(AR2.id, nq, "REPORTS")


def test_sizes_are_variants_of_their_base():
    graph, _ = _graph()
    bert = next(n for n, a in graph.nodes(data=True) if a.get("name") == "BERT")
    for size in ("BERT-base", "BERT-large"):
        node = next(n for n, a in graph.nodes(data=True) if a.get("name") == size)
        assert graph.has_edge(node, bert, "VARIANT_OF")


def test_ids_and_snapshot_do_not_depend_on_input_order():
    from kg.graph.snapshot import dumps

    papers, extractions = _corpus()
    one = build_graph(papers, extractions, resolve(extractions))
    two = build_graph(list(reversed(papers)), list(reversed(extractions)), resolve(list(reversed(extractions))))
    assert dumps(one) == dumps(two)
