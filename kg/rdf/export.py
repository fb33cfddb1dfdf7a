"""Write the typed graph as RDF: Turtle, N-Triples, N-Quads, JSON-LD or RDF/XML.

N-Triples and N-Quads stream: lines are written a few thousand at a time as they are produced
(:mod:`kg.rdf.lines`, the same bytes as ``nt_line`` over :func:`iter_triples`).
Turtle, JSON-LD and RDF/XML need the whole graph for prefixes and nesting, so they
build an rdflib graph in memory first.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

import networkx as nx
from rdflib import Dataset, Graph, Literal, URIRef

from kg.atomic import atomic_open
from kg.errors import SchemaError, UsageError
from kg.rdf.lines import write_lines
from kg.rdf.turtle import turtle_bytes
from kg.gcpause import paused_gc
from kg.rdf.terms import IRIMinter, check_base_iri
from kg.rdf.triples import iter_triples
from kg.rdf.vocab import Vocabulary, vocabulary

# --format name -> (rdflib format name, file extension, streamed)
FORMATS: dict[str, tuple[str, str, bool]] = {
    "turtle": ("turtle", ".ttl", False),
    "nt": ("nt", ".nt", True),
    "nquads": ("nquads", ".nq", True),
    "jsonld": ("json-ld", ".jsonld", False),
    "xml": ("xml", ".rdf", False),
}
# XML 1.0 cannot carry these characters at all, escaped or not.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def default_base_iri() -> str:
    return vocabulary().default_base_iri


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UsageError(f"unknown RDF format {fmt!r}", where="--format", fix=f"use one of {', '.join(FORMATS)}")
    return fmt


def graph_name(base_iri: str, vocab: Vocabulary | None = None) -> "URIRef":
    """The named graph N-Quads (and :func:`to_dataset`) put the export in."""
    vocab = vocab or vocabulary()
    return IRIMinter(base_iri).graph(vocab.graph_name)


def to_rdf(graph: nx.MultiDiGraph, base_iri: str | None = None, vocab: Vocabulary | None = None) -> Graph:
    """The whole export as an in-memory rdflib ``Graph`` with the project's prefixes bound."""
    vocab = vocab or vocabulary()
    base_iri = check_base_iri(base_iri or vocab.default_base_iri)
    out = Graph(namespace_manager=vocab.namespace_manager())
    out.bind("data", base_iri)
    for triple in iter_triples(graph, base_iri, vocab):
        out.add(triple)
    return out


def to_dataset(graph: nx.MultiDiGraph, base_iri: str | None = None, vocab: Vocabulary | None = None) -> Dataset:
    """The export as an rdflib ``Dataset`` holding one named graph (what N-Quads carry)."""
    vocab = vocab or vocabulary()
    base_iri = check_base_iri(base_iri or vocab.default_base_iri)
    dataset = Dataset()
    named = dataset.graph(graph_name(base_iri, vocab))
    for triple in iter_triples(graph, base_iri, vocab):
        named.add(triple)
    return dataset


def write_export(graph: nx.MultiDiGraph, path: str | Path, format: str = "turtle",
                 base_iri: str | None = None, vocab: Vocabulary | None = None) -> dict:
    """Write ``graph`` as RDF to ``path`` (atomically). Returns ``{"path", "format", "triples"}``.

    ``kg build`` calls ``write_export(graph, DIR / "graph.ttl")``.
    """
    check_format(format)
    vocab = vocab or vocabulary()
    base_iri = check_base_iri(base_iri or vocab.default_base_iri)
    with atomic_open(path, "wb") as handle:
        count = export_to(graph, handle, format, base_iri, vocab, where=str(path))
    return {"path": str(path), "format": format, "triples": count}


def export_to(graph: nx.MultiDiGraph, handle: BinaryIO, format: str = "turtle", base_iri: str | None = None,
              vocab: Vocabulary | None = None, where: str = "output") -> int:
    """Write ``graph`` as RDF into an open binary ``handle`` (a file, or stdout's buffer); returns the triple count."""
    check_format(format)
    vocab = vocab or vocabulary()
    base_iri = check_base_iri(base_iri or vocab.default_base_iri)
    rdflib_format, _, streamed = FORMATS[format]
    try:
        if streamed:
            name = graph_name(base_iri, vocab) if format == "nquads" else None
            with paused_gc():   # millions of short strings, no cycles
                return write_lines(graph, handle, base_iri, vocab, name)
        with paused_gc():   # an in-memory graph of every triple: long-lived, no cycles to find
            rdf = to_rdf(graph, base_iri, vocab)
            if format == "xml":
                _check_xml_text(rdf)
            options = {"context": _jsonld_context(vocab, base_iri), "auto_compact": True} if format == "jsonld" else {}
            data = turtle_bytes(rdf) if format == "turtle" else \
                rdf.serialize(format=rdflib_format, encoding="utf-8", **options)
        handle.write(data)
        return len(rdf)
    except UnicodeEncodeError as error:
        raise unicode_error(error, where) from None


def unicode_error(error: UnicodeEncodeError, where: str) -> SchemaError:
    """The clear error for text an export cannot encode (a lone surrogate from the input)."""
    return SchemaError(f"text that is not valid Unicode ({error.reason}: {error.object[error.start:error.end]!r})",
                       where=where, fix="clean the input record; lone surrogates cannot be written")


def _check_xml_text(rdf: Graph) -> None:
    for subject, _, obj in rdf:
        if isinstance(obj, Literal) and _XML_ILLEGAL.search(obj):
            raise SchemaError("a text holds a control character that RDF/XML cannot carry", where=str(subject),
                              fix="export as --format turtle, nt or nquads, which escape it")


def _jsonld_context(vocab: Vocabulary, base_iri: str) -> dict:
    context = dict(vocab.prefixes)
    context["xsd"] = "http://www.w3.org/2001/XMLSchema#"
    context["rdf"] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    context["rdfs"] = "http://www.w3.org/2000/01/rdf-schema#"
    context["data"] = base_iri
    return context
