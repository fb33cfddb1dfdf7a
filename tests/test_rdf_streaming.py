"""N-Triples / N-Quads stream: lines leave as triples are made, memory stays flat, escaping is exact."""
from __future__ import annotations

import io
import tracemalloc

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from kg.rdf import export_to, iter_triples, to_rdf
from kg.rdf.lines import LINES_PER_WRITE
from kg.rdf.ntriples import nt_line


def synthetic_graph(papers: int) -> nx.MultiDiGraph:
    """Papers that each mention two of a few hundred methods, with provenance."""
    g = nx.MultiDiGraph()
    for m in range(300):
        g.add_node(f"method:m{m}", label="Method", name=f"M{m}", type="method", aliases=[f"M{m}", f"m-{m}"],
                   alias_counts=[1, 1], paper_count=1, mention_count=2)
    for p in range(papers):
        pid = f"p-{p:06d}"
        g.add_node(pid, label="Paper", title=f"Paper {p} on \"things\"\nand more", abstract="x" * 200,
                   source=f"f.txt:{p}", date="2020-02", year=2020)
        for m in (p % 300, (p * 7) % 300):
            g.add_edge(pid, f"method:m{m}", key="MENTIONS", type="MENTIONS", count=1, paper_id=pid, sentence=1,
                       start=0, end=2, evidence="We use M." * 10, rule="gazetteer", confidence=0.9)
    return g


class CountingSink(io.RawIOBase):
    """A binary sink that only counts: writes, bytes, and the most lines one write carried."""

    def __init__(self):
        self.bytes = 0
        self.writes = 0
        self.most_lines = 0

    def writable(self):
        return True

    def write(self, data):
        self.writes += 1
        self.bytes += len(data)
        self.most_lines = max(self.most_lines, bytes(data).count(b"\n"))
        return len(data)


def test_nt_lines_are_written_while_triples_are_made():
    sink = CountingSink()
    count = export_to(synthetic_graph(500), sink, format="nt")
    # written in pieces of a few thousand lines as they are made, never collected whole
    assert sink.writes >= count // (LINES_PER_WRITE + 100) > 1
    assert sink.most_lines <= LINES_PER_WRITE + 100


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streamed_export_memory_does_not_grow_with_the_export():
    small, large = synthetic_graph(60), synthetic_graph(600)
    nt_small = _peak(lambda: export_to(small, CountingSink(), format="nquads"))
    nt_large = _peak(lambda: export_to(large, CountingSink(), format="nquads"))
    in_memory_large = _peak(lambda: to_rdf(large))
    # 10x the graph: the streamed peak stays within a small factor (the sorted node ids
    # and the set of agents only); the in-memory path (Turtle, JSON-LD, XML) holds every triple.
    assert nt_large < 3 * nt_small
    assert nt_large * 10 < in_memory_large


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from([None, "http://www.w3.org/2001/XMLSchema#string"]))
def test_any_text_survives_n_triples_exactly(text, datatype):
    literal = Literal(text) if datatype is None else Literal(text, datatype=URIRef(datatype))
    line = nt_line(URIRef("https://example.org/s"), URIRef("https://example.org/p"), literal)
    assert line.count("\n") == 1 and line.endswith(" .\n")
    back = Graph().parse(data=line, format="nt")
    (_, _, obj), = list(back)
    assert str(obj) == text


def test_iter_triples_is_lazy():
    triples = iter_triples(synthetic_graph(3))
    first = next(triples)
    assert isinstance(first[0], URIRef)
