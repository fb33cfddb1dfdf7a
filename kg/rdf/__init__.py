"""RDF export of the typed graph: ontology, SHACL shapes, streaming writers, SPARQL.

Public API::

    from kg.rdf import to_rdf, write_export, iter_triples, validate
    write_export(graph, "out/graph.ttl")                  # what `kg build` calls
    write_export(graph, "big.nt", format="nt")            # streams, line by line
    rdf = to_rdf(graph, base_iri="https://example.org/kg/")  # rdflib.Graph

See kg/rdf/README.md for the IRI scheme and why provenance is reified.
"""
from __future__ import annotations

from kg.rdf.export import (FORMATS, check_format, default_base_iri, export_to, graph_name, to_dataset, to_rdf,
                           write_export)
from kg.rdf.triples import iter_triples
from kg.rdf.validate import validate

__all__ = ["FORMATS", "check_format", "default_base_iri", "export_to", "graph_name", "iter_triples", "to_dataset", "to_rdf",
           "validate", "write_export"]
