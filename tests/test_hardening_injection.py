"""Outputs that cannot be injected, end to end through ``kg build``.

Titles and abstracts with quotes, backslashes, newlines, ``<script>``, markup, Turtle and
Cypher syntax, RTL overrides, zero-width and control characters go in as a JSON Lines
file; what the loader read (whitespace collapsed, nothing else changed) must come back
exactly from graph.json and graph.ttl, stay inert in graph.html (no markup of theirs in
the file; in Chromium no dialog, no script or image of theirs), and come back exactly
from Neo4j, written with parameters and read back with parameters.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.loaders import read_corpus

SCRIPT = "</script><script>window.__pwned=1;alert(1)</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
HOSTILE = [
    ('"Double" and \'single\' quotes, back\\slash \\" \\n \\u0041 and a trailing backslash \\',
     'We propose QuoteNet, a model evaluated on ImageNet. It keeps "quotes" \'inside\' and C:\\path\\ backslashes.'),
    (f"Attention {SCRIPT} {IMG} Is All You Need",
     f"We propose the Transformer {SCRIPT}. The Transformer outperforms LSTM on WMT14 with 28.4 BLEU {IMG}."),
    ("\u202eRTL override\u202c with zero\u200bwidth\u200d joiners\u2060 and a \ufeffBOM and \u2066isolates\u2069",
     "We introduce ZeroNet\u200b, evaluated on SQuAD. \u202eIt reads right to left\u202c. \u05e2\u05d1\u05e8\u05d9\u05ea and "
     "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 text."),
    ("A title\nbroken over\r\nlines\twith tabs",
     "An abstract\nover several\n\nlines. We propose LineNet and evaluate it on CIFAR-10 with accuracy."),
    ("Cypher '}) MATCH (n) DETACH DELETE n // and $param ${x} `backtick` {id: 1}",
     "We propose InjectNet\"}) CREATE (:Pwned) RETURN 1 //. It is evaluated on GLUE."),
    ('Turtle """ triple quotes """ @prefix evil: <http://evil.example/> . ]]> <!-- comment --> &amp; &',
     "Control characters \x00 NUL \x01 SOH \x07 BEL \x1b[31m ESC \x7f DEL stay as they are. We propose CtrlNet."),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    source = folder / "hostile.jsonl"
    source.write_text("".join(json.dumps({"title": t, "abstract": a}) + "\n" for t, a in HOSTILE), encoding="utf-8")
    out = folder / "out"
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(out), "--no-cache", "-q"])
    assert result.exit_code == 0, result.output
    papers = read_corpus([source]).papers
    assert len(papers) == len(HOSTILE)
    return out, {p.id: p for p in papers}


def test_the_loader_changes_nothing_but_whitespace(built):
    _, papers = built
    read = sorted((p.title, p.abstract) for p in papers.values())
    assert read == sorted((" ".join(t.split()), " ".join(a.split())) for t, a in HOSTILE)
    assert any(SCRIPT in p.title for p in papers.values())
    assert any("\x00" in p.abstract for p in papers.values()) and any("\u200b" in p.title for p in papers.values())


def test_json_snapshot_round_trips_exactly(built):
    from kg.graph.snapshot import read_snapshot

    out, papers = built
    graph = read_snapshot(out)
    raw = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    raw_nodes = {node["id"]: node for node in raw["nodes"]}
    for paper in papers.values():
        assert graph.nodes[paper.id]["title"] == paper.title
        assert graph.nodes[paper.id]["abstract"] == paper.abstract
        assert (raw_nodes[paper.id]["title"], raw_nodes[paper.id]["abstract"]) == (paper.title, paper.abstract)


def test_turtle_export_round_trips_exactly(built):
    import rdflib

    out, papers = built
    rdf = rdflib.Graph()
    rdf.parse(out / "graph.ttl", format="turtle")
    literals = {str(o) for o in rdf.objects() if isinstance(o, rdflib.Literal)}
    for paper in papers.values():
        assert paper.title in literals, paper.title
        assert paper.abstract in literals, paper.abstract
    assert not any("Pwned" in str(t) or "evil.example" in str(t) for t in rdf.all_nodes()
                   if not isinstance(t, rdflib.Literal))


def test_html_page_holds_no_markup_of_the_papers(built):
    out, _ = built
    page = (out / "graph.html").read_text(encoding="utf-8")
    for markup in ("<script>window.__pwned", "<img src=x", "</script><script>", "<!-- comment -->", "\x00"):
        assert markup not in page, markup
    assert page.count("</script>") == 3  # the page's own: data, vis-network, page script
    # Paper text is only in the data script, as JSON, where bidi marks are written as escapes:
    # they cannot disguise the page source, and the page still shows them as text.
    data_start = page.index("<script")
    data_end = page.index("</script>", data_start)
    for mark in ("\u202e", "\u2066"):
        assert mark not in page, repr(mark)
        escaped = "\\u%04x" % ord(mark)
        position = page.find(escaped)
        assert data_start < position < data_end, escaped


@pytest.mark.browser
def test_html_page_in_chromium_runs_nothing_of_the_papers(built):
    from browser.chromium import available, browser_context, open_page

    if not available():
        pytest.skip("needs python playwright and /usr/bin/chromium")
    out, papers = built
    with browser_context() as context:
        page, log = open_page(context, out / "graph.html")
        state = page.evaluate("""() => ({pwned: window.__pwned === undefined ? null : window.__pwned,
            imgs: document.querySelectorAll('img').length, scripts: document.querySelectorAll('script').length})""")
        shown = page.evaluate("() => kgPage.network.body.data.nodes.get().map(n => n.id)")
        page.close()
    assert log.dialogs == [] and log.errors == []
    assert state == {"pwned": None, "imgs": 0, "scripts": 3}
    assert set(papers) <= set(shown)


def _read_back(settings, ids: list[str]) -> dict[str, tuple[str, str]]:
    from kg.connection import open_driver

    with open_driver(settings) as driver:
        records = driver.execute_query("MATCH (p:Paper) WHERE p.id IN $ids RETURN p.id AS id, p.title AS title, "
                                       "p.abstract AS abstract", ids=ids, database_=settings.database).records
    return {r["id"]: (r["title"], r["abstract"]) for r in records}


def test_neo4j_stores_and_returns_the_text_exactly(built, clean_db):
    from kg.graph.snapshot import read_snapshot
    from kg.store import graph_counts, read_counts, write_graph

    out, papers = built
    graph = read_snapshot(out)
    write_graph(graph, clean_db)
    assert _read_back(clean_db, list(papers)) == {p.id: (p.title, p.abstract) for p in papers.values()}
    counts = read_counts(clean_db)
    assert counts == graph_counts(graph)  # nothing extra created: no :Pwned node, nothing deleted
    assert "Pwned" not in counts["nodes"]


def test_neo4j_entity_names_aliases_and_evidence_travel_as_parameters(clean_db):
    """Text from extraction (names, aliases, evidence) is as hostile as titles: it round-trips too."""
    from browser.graphs import HOSTILE_TITLE, small_graph
    from kg.connection import open_driver
    from kg.store import graph_counts, read_counts, write_graph

    graph = small_graph(hostile=True)
    name = "Net'}) WITH 1 AS x MATCH (n) DETACH DELETE n //\u202e"
    alias = 'x"]) CALL dbms.killQueries([]) //'
    method = next(n for n, a in graph.nodes(data=True) if a["label"] == "Method")
    graph.nodes[method]["name"] = name
    graph.nodes[method]["aliases"] = [name, alias]
    graph.nodes[method]["alias_counts"] = [1, 1]
    source, target, key = next((s, t, k) for s, t, k in graph.edges(keys=True) if s == "p2")
    graph.edges[source, target, key]["evidence"] = HOSTILE_TITLE
    write_graph(graph, clean_db)
    write_graph(graph, clean_db)  # twice: MERGE on ids, so still one of each
    assert read_counts(clean_db) == graph_counts(graph)
    with open_driver(clean_db) as driver:
        got = driver.execute_query("MATCH (m:Entity {id: $id}) RETURN m.name AS name, m.aliases AS aliases",
                                   id=method, database_=clean_db.database).records[0]
        evidence = driver.execute_query("MATCH (p:Paper {id: 'p2'})-[r]->() WHERE r.evidence = $text "
                                        "RETURN count(r) AS n", text=HOSTILE_TITLE,
                                        database_=clean_db.database).records[0]["n"]
        title = driver.execute_query("MATCH (p:Paper {id: 'p2'}) RETURN p.title AS t",
                                     database_=clean_db.database).records[0]["t"]
    assert (got["name"], got["aliases"]) == (name, [name, alias])
    assert evidence >= 1 and title == HOSTILE_TITLE
