"""The graph page in real headless Chromium: offline load, counts, hover text, search, safety.

One browser for the module; each test opens a page file written by ``write_page``.
"""
from __future__ import annotations

import time

import pytest

from browser.chromium import available, browser_context, open_page
from browser.graphs import HOSTILE_TITLE, SMALL_PAGE_EDGES, SMALL_PAGE_NODES, small_graph, synthetic_graph
from kg.viz import write_page

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not available(), reason="needs python playwright and /usr/bin/chromium")]


@pytest.fixture(scope="module")
def context():
    with browser_context() as ctx:
        yield ctx


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    write_page(small_graph(), folder / "small.html", title="Small fixture")
    write_page(small_graph(hostile=True), folder / "hostile.html", title=HOSTILE_TITLE)
    return folder


@pytest.fixture(scope="module")
def big_report(pages):
    return write_page(synthetic_graph(), pages / "big.html", max_nodes=300)


def node_point(page, node_id):
    """Where a node is drawn, in page coordinates."""
    box = page.locator("#kg-network").bounding_box()
    pos = page.evaluate("""id => { const n = kgPage.network;
        return n.canvasToDOM(n.getPosition(id)); }""", node_id)
    return box["x"] + pos["x"], box["y"] + pos["y"]


def edge_point(page, edge_id):
    """The middle of an edge as drawn (curved or straight), in page coordinates."""
    box = page.locator("#kg-network").bounding_box()
    pos = page.evaluate("""id => { const n = kgPage.network, e = n.body.edges[id];
        const from = e.from, to = e.to;
        const p = e.edgeType.getPoint ? e.edgeType.getPoint(0.5) : {x: (from.x + to.x) / 2, y: (from.y + to.y) / 2};
        return n.canvasToDOM(p); }""", edge_id)
    return box["x"] + pos["x"], box["y"] + pos["y"]


def hover_text(page, x, y) -> str:
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y, steps=4)
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    return tooltip.inner_text()


def test_page_loads_offline_with_no_console_errors(context, pages):
    page, log = open_page(context, pages / "small.html")
    assert log.errors == []
    assert [m for m in log.console if m.startswith(("error", "warning"))] == []
    assert log.requests == [(pages / "small.html").resolve().as_uri()]
    assert page.title() == "Small fixture"
    page.close()


def test_network_holds_the_fixture_nodes_and_edges(context, pages):
    page, _ = open_page(context, pages / "small.html")
    counts = page.evaluate("""() => ({nodes: kgPage.nodes.length, edges: kgPage.edges.length,
        drawnNodes: kgPage.network.body.nodeIndices.length, drawnEdges: kgPage.network.body.edgeIndices.length})""")
    assert counts == {"nodes": SMALL_PAGE_NODES, "edges": SMALL_PAGE_EDGES,
                      "drawnNodes": SMALL_PAGE_NODES, "drawnEdges": SMALL_PAGE_EDGES}
    legend = page.locator("#kg-legend").inner_text()
    assert "Benchmark" in legend and "OUTPERFORMS" in legend and "MENTIONS" in legend
    assert page.locator("#kg-summary").inner_text() == "11 nodes, 14 edges"
    page.close()


def test_hovering_a_node_shows_name_aliases_and_counts(context, pages):
    page, _ = open_page(context, pages / "small.html")
    text = hover_text(page, *node_point(page, "m_bert"))
    assert "BERT" in text and "2 papers · 7 mentions" in text
    assert "Also written: Bidirectional Encoder Representations from Transformers (1)" in text
    page.close()


def test_hovering_a_paper_shows_title_and_abstract_start(context, pages):
    page, _ = open_page(context, pages / "small.html")
    text = hover_text(page, *node_point(page, "p1"))
    assert "Attention Is All You Need" in text and "We propose the Transformer" in text and "…" in text
    page.close()


def test_hovering_an_edge_shows_its_evidence(context, pages):
    page, _ = open_page(context, pages / "small.html")
    text = hover_text(page, *edge_point(page, "m_bert->m_elmo"))
    assert "OUTPERFORMS ×2" in text
    assert "BERT outperforms ELMo on GLUE." in text and "BERT is better than ELMo." in text
    page.close()


def test_search_finds_and_focuses_a_node(context, pages):
    page, _ = open_page(context, pages / "small.html")
    page.fill("#kg-search", "elmo")
    page.press("#kg-search", "Enter")
    page.wait_for_function("""() => { const n = kgPage.network, v = n.getViewPosition(), p = n.getPosition('m_elmo');
        return Math.abs(v.x - p.x) < 2 && Math.abs(v.y - p.y) < 2; }""", timeout=5000)   # a 300 ms animation
    state = page.evaluate("""() => { const n = kgPage.network;
        return {selected: n.getSelectedNodes(), view: n.getViewPosition(), node: n.getPosition('m_elmo'),
                scale: n.getScale()}; }""")
    assert state["selected"] == ["m_elmo"]
    assert abs(state["view"]["x"] - state["node"]["x"]) < 2 and abs(state["view"]["y"] - state["node"]["y"]) < 2
    assert page.locator("#kg-status").inner_text() == "Method: ELMo"
    page.fill("#kg-search", "no such thing")
    page.press("#kg-search", "Enter")
    assert page.locator("#kg-status").inner_text() == "No node on this page matches “no such thing”"
    page.close()


def test_screenshot_is_saved(context, pages, tmp_path):
    page, _ = open_page(context, pages / "small.html")
    shot = tmp_path / "small.png"
    page.screenshot(path=str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    page.close()


def test_hostile_title_shows_as_text_and_runs_nothing(context, pages):
    page, log = open_page(context, pages / "hostile.html")
    text = hover_text(page, *node_point(page, "p2"))           # draw the tooltip, where HTML would bite
    edge = hover_text(page, *edge_point(page, "p2->m_bert"))
    state = page.evaluate("""() => ({pwned: window.__pwned === undefined ? null : window.__pwned,
        imgs: document.querySelectorAll('img').length, scripts: document.querySelectorAll('script').length,
        h1: document.getElementById('kg-title').textContent, title: document.title})""")
    assert log.dialogs == [] and log.errors == []
    assert state == {"pwned": None, "imgs": 0, "scripts": 3, "h1": HOSTILE_TITLE, "title": HOSTILE_TITLE}
    assert "</script><script>window.__pwned=1;alert(1)</script>" in text
    assert '<img src=x onerror="window.__pwned=2">' in text and "zero\u200bwidth" in text
    assert "<img src=x" in edge
    page.fill("#kg-search", "</script><script>alert(2)")          # the search status is text too
    page.press("#kg-search", "Enter")
    assert log.dialogs == [] and page.evaluate("document.querySelectorAll('img,script').length") == 3
    page.close()


def test_large_page_settles_within_seconds(context, pages, big_report):
    started = time.monotonic()
    page, log = open_page(context, pages / "big.html")
    settled = time.monotonic() - started
    assert settled < 15, f"took {settled:.1f}s to settle"
    report = big_report
    assert 200 < report.nodes <= 300 and report.left_out
    assert page.evaluate("[kgPage.nodes.length, kgPage.edges.length]") == [report.nodes, report.edges]
    assert page.evaluate("kgPage.network.physics.physicsEnabled") is False   # physics stops once settled
    note = page.locator("#kg-note")
    assert note.is_visible() and "left out: " in note.inner_text()
    assert log.errors == [] and len(log.requests) == 1
    page.close()
