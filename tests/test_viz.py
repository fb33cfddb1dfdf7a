"""The graph page without a browser: what it embeds, filters, caps, offline-ness, escaping, CLI."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import networkx as nx
import pytest
from click.testing import CliRunner

from browser.graphs import HOSTILE_TITLE, SMALL_PAGE_EDGES, SMALL_PAGE_NODES, small_graph, synthetic_graph
from kg.cli import main
from kg.errors import InputError, UsageError
from kg.graph.snapshot import write_snapshot
from kg.schema import load_schema
from kg.viz import find_nodes, select, write_page
from kg.viz.page import script_json
from kg.viz.select import cap_nodes, drawable_labels, importance_key
from kg.viz.style import load_style


def page_data(path) -> dict:
    text = path.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', text, re.S)
    return json.loads(match.group(1))


class Tags(HTMLParser):
    """Every start tag with its attributes, to look for anything that would fetch."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


# ---------------------------------------------------------------- what the page holds

def test_small_graph_page_holds_every_node_and_one_edge_per_pair(tmp_path):
    report = write_page(small_graph(), tmp_path / "g.html")
    data = page_data(tmp_path / "g.html")
    assert (report.nodes, report.edges) == (SMALL_PAGE_NODES, SMALL_PAGE_EDGES)
    assert len(data["nodes"]) == SMALL_PAGE_NODES and len(data["edges"]) == SMALL_PAGE_EDGES
    assert report.by_label == {"Paper": 3, "Method": 3, "Dataset": 1, "Benchmark": 1, "Metric": 1, "Task": 1,
                               "Result": 1}
    assert report.left_out == {} and report.note == ""


def test_mentions_fold_into_a_stronger_edge_and_repeated_statements_merge(tmp_path):
    write_page(small_graph(), tmp_path / "g.html")
    edges = {e["id"]: e for e in page_data(tmp_path / "g.html")["edges"]}
    proposes = edges["p1->m_transformer"]
    assert proposes["label"] == "PROPOSES" and proposes["types"] == ["PROPOSES", "MENTIONS"]
    assert [r["count"] for r in proposes["info"]] == [1, 3]           # MENTIONS count is the mention count
    assert edges["p2->m_transformer"]["label"] == "MENTIONS" and edges["p2->m_transformer"]["dashes"] is True
    outperforms = edges["m_bert->m_elmo"]
    assert outperforms["info"][0]["count"] == 2
    assert [e["text"] for e in outperforms["info"][0]["evidence"]] == ["BERT outperforms ELMo on GLUE.",
                                                                      "BERT is better than ELMo."]
    assert outperforms["info"][0]["evidence"][0]["paper"].startswith("BERT: Pre-training")
    assert outperforms["arrows"] == "to" and outperforms["width"] == 3


def test_hover_data_for_entities_papers_and_results(tmp_path):
    write_page(small_graph(), tmp_path / "g.html")
    nodes = {n["id"]: n for n in page_data(tmp_path / "g.html")["nodes"]}
    bert = nodes["m_bert"]["info"]
    assert bert["name"] == "BERT" and bert["paper_count"] == 2 and bert["mention_count"] == 7
    assert bert["aliases"] == [["Bidirectional Encoder Representations from Transformers", 1]]
    paper = nodes["p1"]["info"]
    assert paper["title"] == "Attention Is All You Need" and paper["date"] == "2017-06-12"
    assert paper["abstract"].startswith("We propose the Transformer") and paper["abstract"].endswith("…")
    assert len(paper["abstract"]) <= 301
    assert nodes["p1"]["label"] == "Attention Is All You Need"
    assert nodes["r1"]["label"] == "28.4 BLEU" and "28.4 BLEU" in nodes["r1"]["info"]["evidence"]
    assert "Bidirectional Encoder Representations from Transformers" in nodes["m_bert"]["search"]


def test_node_size_grows_with_paper_count():
    from kg.viz.elements import entity_size

    sizes = [entity_size(n)[0] for n in (1, 2, 10, 100, 10_000)]
    assert sizes == sorted(sizes) and sizes[0] < sizes[1] and sizes[-1] == 46.0


def test_every_type_has_its_own_colour_and_shape_and_every_relationship_a_style():
    style = load_style()
    labels = drawable_labels()
    assert set(labels) <= set(style.nodes)
    assert len({style.node(label).color for label in labels}) == len(labels)
    assert len({style.node(label).shape for label in labels}) == len(labels)
    assert set(load_schema().relationships) <= set(style.edges)
    assert style.edge("MENTIONS").dashes and style.edge("PROPOSES").width > style.edge("MENTIONS").width
    assert style.node("NotALabel") == style.default_node


def test_legend_lists_the_types_and_relationships_on_the_page(tmp_path):
    write_page(small_graph(), tmp_path / "g.html")
    legend = page_data(tmp_path / "g.html")["legend"]
    assert [item["label"] for item in legend["nodes"]] == ["Paper", "Method", "Dataset", "Benchmark", "Metric",
                                                           "Task", "Result"]
    types = {item["type"]: item["count"] for item in legend["edges"]}
    assert types["PROPOSES"] == 3 and types["MENTIONS"] == 3 and types["OUTPERFORMS"] == 1
    assert legend["edges"][0]["type"] == "PROPOSES"


# ---------------------------------------------------------------- offline and safe

def test_page_is_self_contained(tmp_path):
    write_page(small_graph(), tmp_path / "g.html")
    text = (tmp_path / "g.html").read_text(encoding="utf-8")
    parser = Tags()
    parser.feed(text)
    fetching = [(tag, attrs) for tag, attrs in parser.tags
                if {"src", "href"} & set(attrs) or tag in ("link", "iframe", "img", "object", "embed")]
    assert fetching == []
    assert [tag for tag, _ in parser.tags].count("script") == 3        # data, vis-network, page script
    assert "@import" not in text
    assert not re.search(r"cdnjs|jsdelivr|unpkg|googleapis|bootstrap", text, re.I)
    assert not re.search(r"url\(\s*(?!['\"]?data:)", text)             # CSS images are data: URLs only
    assert "vis.Network" in text and len(text) > 500_000               # vis-network itself is inline


def test_hostile_text_cannot_close_the_data_script(tmp_path):
    write_page(small_graph(hostile=True), tmp_path / "g.html", title=HOSTILE_TITLE)
    text = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert text.count("</script>") == 3 and "<img" not in text.lower().replace("&lt;img", "")
    assert "<script>window.__pwned" not in text
    data = page_data(tmp_path / "g.html")
    assert data["nodes"][[n["id"] for n in data["nodes"]].index("p2")]["info"]["title"] == HOSTILE_TITLE
    title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
    assert "<" not in title and "&lt;/script&gt;" in title and "&quot;Quoted&quot;" in title


def test_script_json_escapes_everything_that_could_end_a_script():
    value = {"t": "</script><!-- \u2028 \u2029 & 'q' \"d\""}
    text = script_json(value)
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == value


# ---------------------------------------------------------------- filters

def test_type_filter_keeps_chosen_labels_and_drops_papers_left_alone():
    graph = small_graph()
    chosen = select(graph, types=["method", "Benchmark"])
    assert {a["label"] for _, a in chosen.graph.nodes(data=True)} == {"Method", "Benchmark"}
    assert chosen.graph.number_of_edges() == 2                    # the two OUTPERFORMS statements
    assert chosen.filtered == {"Paper": 3, "Dataset": 1, "Metric": 1, "Result": 1, "Task": 1}
    with_papers = select(graph, types="method,paper")
    assert sorted(with_papers.graph) == ["m_bert", "m_elmo", "m_transformer", "p1", "p2", "p3"]


def test_unknown_type_is_a_usage_error():
    with pytest.raises(UsageError, match=r"unknown node type 'algorithm' \(use one of benchmark, dataset"):
        select(small_graph(), types=["algorithm"])


def test_around_depth_counts_hops_either_way():
    graph = small_graph()
    assert sorted(select(graph, around="bert", depth=0).graph) == ["m_bert"]
    assert sorted(select(graph, around="BERT", depth=1).graph) == ["m_bert", "m_elmo", "p2"]
    two = select(graph, around="Bidirectional Encoder Representations from Transformers", depth=2)
    assert sorted(two.graph) == ["b_glue", "m_bert", "m_elmo", "m_transformer", "p2", "p3"]
    assert two.centers == ("m_bert",)


def test_around_unknown_name_suggests_close_ones():
    with pytest.raises(InputError, match=r"no node named 'Bertt' in the graph \(did you mean: BERT\?\)"):
        find_nodes(small_graph(), "Bertt")


def test_around_matches_aliases_case_and_plurals():
    graph = small_graph()
    assert find_nodes(graph, "transformers") == ["m_transformer"]
    assert find_nodes(graph, "wmt14 en-de") == ["d_wmt14"]
    assert find_nodes(graph, "p3") == ["p3"]


def test_min_papers_drops_rare_entities_and_their_orphans():
    graph = small_graph()
    graph.add_node("p4", id="p4", label="Paper", title="Only BLEU", abstract="BLEU.", source="x:1")
    graph.add_edge("p4", "x_bleu", key="MENTIONS", type="MENTIONS", count=1)
    chosen = select(graph, min_papers=2)
    assert {a["label"] for _, a in chosen.graph.nodes(data=True)} == {"Paper", "Method", "Benchmark", "Result"}
    assert "p4" not in chosen.graph and "r1" in chosen.graph      # r1 still links p1 and its method
    assert chosen.filtered == {"Dataset": 1, "Metric": 1, "Paper": 1, "Task": 1}


def test_negative_numbers_are_usage_errors():
    for kwargs in ({"depth": -1}, {"min_papers": -2}, {"max_nodes": -5}):
        with pytest.raises(UsageError):
            select(small_graph(), **kwargs)


# ---------------------------------------------------------------- the cap

def test_cap_keeps_the_most_important_nodes_and_says_what_it_left_out(tmp_path):
    graph = synthetic_graph()
    report = write_page(graph, tmp_path / "g.html", max_nodes=60)
    data = page_data(tmp_path / "g.html")
    assert report.nodes == len(data["nodes"]) <= 60
    assert sum(report.left_out.values()) == graph.number_of_nodes() - report.nodes
    labels = {n["node_type"] for n in data["nodes"]}
    for label, count in report.left_out.items():
        assert f"{count:,} {label}" in data["note"]
    assert data["note"].startswith(f"Showing the {report.nodes} most connected nodes (cap 60); left out: ")
    assert "Method" in labels and data["total_nodes"] == graph.number_of_nodes()


def test_cap_ranking_is_by_importance_with_a_deterministic_tie_break():
    graph = synthetic_graph()
    chosen = cap_nodes(graph, 90, set())
    rank = {label: i for i, label in enumerate(drawable_labels())}
    entities = [n for n in graph if graph.nodes[n]["label"] != "Paper"]
    kept = [importance_key(graph, n, rank) for n in entities if n in chosen]
    dropped = [importance_key(graph, n, rank) for n in entities if n not in chosen]
    assert len(kept) == 60 and max(kept) < min(dropped)            # two thirds of the cap, the top entities
    links = {n: len([m for m in nx.all_neighbors(graph, n) if m in chosen]) for n in graph
             if graph.nodes[n]["label"] == "Paper"}
    assert min(links[n] for n in links if n in chosen) >= max(links[n] for n in links if n not in chosen)
    assert cap_nodes(graph, 90, set()) == chosen
    page = select(graph, max_nodes=90).graph
    assert set(page) <= chosen and all(page.degree(n) > 0 for n in page)   # nothing the cap isolated


def test_same_graph_same_page_bytes(tmp_path):
    write_page(synthetic_graph(), tmp_path / "a.html", max_nodes=50)
    write_page(synthetic_graph(), tmp_path / "b.html", max_nodes=50)
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_around_node_survives_the_cap():
    graph = synthetic_graph()
    rare = min((n for n, a in graph.nodes(data=True) if a["label"] == "Task" and a["paper_count"] > 0),
               key=lambda n: graph.nodes[n]["paper_count"])
    chosen = select(graph, around=graph.nodes[rare]["name"], depth=2, max_nodes=5)
    assert rare in chosen.graph and chosen.graph.number_of_nodes() <= 5


def test_no_cap_with_zero():
    graph = synthetic_graph(papers=60, entities=40)
    assert select(graph, max_nodes=0).graph.number_of_nodes() == graph.number_of_nodes()


def test_big_graph_gets_straight_edges_and_short_stabilisation(tmp_path):
    write_page(synthetic_graph(), tmp_path / "g.html", max_nodes=300)
    options = page_data(tmp_path / "g.html")["options"]
    assert options["edges"]["smooth"] is False and options["layout"]["improvedLayout"] is False
    assert options["physics"]["stabilization"]["iterations"] <= 250


# ---------------------------------------------------------------- the command

def test_cli_writes_the_page_and_reports_it(tmp_path):
    write_snapshot(small_graph(), tmp_path / "out")
    result = CliRunner().invoke(main, ["viz", str(tmp_path / "out"), "--out", str(tmp_path / "p.html"),
                                       "--type", "method", "--type", "paper"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {tmp_path / 'p.html'} (")
    assert "6 nodes, 5 edges (3 Paper, 3 Method)" in result.output
    assert "Filtered out: 1 Benchmark, 1 Dataset, 1 Metric, 1 Result, 1 Task." in result.output
    assert page_data(tmp_path / "p.html")["options"]["physics"]["enabled"] is True


def test_cli_cap_note(tmp_path):
    write_snapshot(synthetic_graph(), tmp_path / "out")
    result = CliRunner().invoke(main, ["viz", str(tmp_path / "out"), "-o", str(tmp_path / "p.html"),
                                       "--max-nodes", "40", "--min-papers", "2"])
    assert result.exit_code == 0, result.output
    assert "Showing the " in result.output and "(cap 40); left out: " in result.output


@pytest.mark.parametrize("args, code, message", [
    ([], 2, "Error: nothing to draw (give a folder written by `kg build --out DIR`, or --neo4j)"),
    (["{dir}", "--type", "gizmo"], 2, "Error: unknown node type 'gizmo' (use one of benchmark, dataset, method, "
                                      "metric, paper, result, task)"),
    (["{dir}", "--around", "Bertt"], 1, "Error: --around: no node named 'Bertt' in the graph (did you mean: BERT?)"),
    (["{dir}", "--neo4j"], 2, "Error: give either SOURCE or --neo4j/--query, not both"),
    (["{dir}", "--param", "a=1"], 2, "Error: --param goes with --query (add --query NAME, or drop --param)"),
    (["{missing}"], 1, "no graph snapshot here"),
])
def test_cli_errors(tmp_path, args, code, message):
    write_snapshot(small_graph(), tmp_path / "out")
    args = [a.format(dir=tmp_path / "out", missing=tmp_path / "nope") for a in args]
    result = CliRunner().invoke(main, ["viz", *args, "-o", str(tmp_path / "p.html")])
    assert result.exit_code == code
    assert message in result.output
    assert not (tmp_path / "p.html").exists()


# ---------------------------------------------------------------- from Neo4j (a real server)

def test_graph_read_back_from_neo4j_draws_the_same_page(clean_db, tmp_path):
    from kg.connection import open_driver
    from kg.store.writer import write_graph
    from kg.viz.neo4j_source import query_graph, read_graph

    write_graph(small_graph(), clean_db)
    with open_driver(clean_db) as driver:
        graph = read_graph(driver, database=clean_db.database)
        part, rows = query_graph(driver, "outperforms", {"dataset": None, "method": None, "limit": 50},
                                 database=clean_db.database)
    assert sorted(graph) == sorted(small_graph())
    assert graph.number_of_edges() == small_graph().number_of_edges()
    assert graph.nodes["m_bert"]["aliases"] == small_graph().nodes["m_bert"]["aliases"]
    assert write_page(graph, tmp_path / "n.html").edges == SMALL_PAGE_EDGES
    assert rows == 2
    assert {"m_bert", "m_elmo", "p2", "p3"} <= set(part)
    assert part.number_of_edges("m_bert", "m_elmo") == 2
    flags = ["--uri", clean_db.uri, "--username", clean_db.username, "--password", clean_db.password or ""]
    result = CliRunner().invoke(main, ["viz", "--query", "outperforms", "--param", "method=elmo",
                                       "-o", str(tmp_path / "q.html"), *flags])
    assert result.exit_code == 0, result.output
    assert "outperforms: 2 rows, " in result.output and "Method" in result.output
    assert {"m_bert", "m_elmo"} <= {n["id"] for n in page_data(tmp_path / "q.html")["nodes"]}


def test_template_markers_in_graph_text_stay_literal(tmp_path):
    graph = small_graph()
    graph.nodes["p1"]["title"] = "@@VIS_JS@@ @@DATA@@ @@TITLE@@"
    write_page(graph, tmp_path / "g.html", title="@@PAGE_JS@@")
    text = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert text.count("vis.Network = ") <= 1 and "<title>@@PAGE_JS@@</title>" in text
    nodes = {n["id"]: n for n in page_data(tmp_path / "g.html")["nodes"]}
    assert nodes["p1"]["info"]["title"] == "@@VIS_JS@@ @@DATA@@ @@TITLE@@"


def test_pyvis_is_used_in_one_module_only():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "kg"
    users = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                   if re.search(r"^\s*(import|from)\s+pyvis", p.read_text(encoding="utf-8"), re.M))
    assert users == ["viz/backend.py"]


def test_script_json_escapes_markup_and_invisible_controls_without_changing_the_data():
    import json

    from kg.viz.page import script_json

    value = {"title": "</script><b>x</b> & \u202eRTL\u2066 zero\u200bwidth\u2028line"}
    text = script_json(value)
    assert json.loads(text) == value
    for char in "<>&\u202e\u2066\u200b\u2028":
        assert char not in text
