"""Check an RDF export against the generated SHACL shapes (pyshacl)."""
from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph


@dataclass(frozen=True)
class Validation:
    conforms: bool
    violations: int
    report: str        # pyshacl's text report
    results: Graph     # the SHACL validation report as RDF


def validate(data: Graph, shapes: Graph | None = None) -> Validation:
    """Validate ``data`` against ``shapes`` (default: the packaged schema/shapes.ttl).

    No inference is needed: the export states every class of a node explicitly.
    """
    import pyshacl

    from kg.rdf.schema_files import load_shapes

    conforms, results, text = pyshacl.validate(data, shacl_graph=shapes if shapes is not None else load_shapes(),
                                               inference="none", advanced=False)
    from rdflib.namespace import SH

    count = len(set(results.subjects(predicate=SH.resultSeverity)))
    return Validation(bool(conforms), count, text, results)
