"""SPARQL over RDF exports with rdflib, for users without a triple store.

Named queries live in ``kg/rdf/sparql/NAME.rq``, twins of the Cypher files in
``queries/`` (same names, same answers). Their header says what each answers and
declares parameters (``# @param dataset: str  ...``); parameters reach rdflib as
``initBindings`` (bound variables ``$dataset``), never spliced into the query text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path

from kg.errors import InputError, QueryError, UsageError

_PARAM = re.compile(r"^#\s*@param\s+(\w+)\s*:\s*(\w+)\s*(?:=\s*(\S+))?\s*(.*)$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# file extension -> rdflib parser
PARSERS = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".jsonld": "json-ld", ".json": "json-ld",
           ".rdf": "xml", ".xml": "xml", ".owl": "xml", ".trig": "trig", ".n3": "n3"}


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    summary: str
    params: tuple[tuple[str, str, bool, str], ...]  # (name, type, required, doc)
    source: str


def _folder():
    return resources.files("kg.rdf").joinpath("sparql")


def named_queries() -> list[NamedQuery]:
    return [named_query(entry.name[:-3]) for entry in sorted(_folder().iterdir(), key=lambda e: e.name)
            if entry.name.endswith(".rq")]


def named_query(name: str) -> NamedQuery:
    """The packaged query ``kg/rdf/sparql/NAME.rq`` with its header parsed."""
    entry = _folder().joinpath(f"{name}.rq")
    if not _NAME.match(name) or not entry.is_file():
        known = ", ".join(q.name for q in named_queries())
        raise QueryError(f"no named SPARQL query {name!r}", where="kg/rdf/sparql",
                         fix=f"use one of {known}, or pass SPARQL text or --file q.rq")
    text = entry.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    summary = header[0].lstrip("# ").strip() if header else ""
    params = []
    for line in header:
        match = _PARAM.match(line)
        if match:
            pname, ptype, default, doc = match.groups()
            params.append((pname, ptype, default is None, doc.strip()))
    return NamedQuery(name, text, summary, tuple(params), f"kg/rdf/sparql/{name}.rq")


def load_exports(paths: list[str | Path]):
    """An rdflib ``Dataset`` holding every file (format from the extension); queries see their union."""
    from rdflib import Dataset

    dataset = Dataset(default_union=True)
    for path in map(Path, paths):
        parser = PARSERS.get(path.suffix.lower())
        if parser is None:
            raise UsageError(f"cannot tell the RDF format of {path.name}", where=str(path),
                             fix=f"use one of the extensions {', '.join(sorted(PARSERS))}")
        if not path.is_file():
            raise InputError("no such RDF file", where=str(path),
                             fix="export one first: `kg export DIR --out graph.ttl` (or `kg build` writes DIR/graph.ttl)")
        try:
            if parser in ("nquads", "trig"):
                dataset.parse(path, format=parser)
            else:
                dataset.default_graph.parse(path, format=parser)
        except Exception as error:  # rdflib raises many parser-specific types
            raise InputError(f"not readable as {parser}: {error}", where=str(path),
                             fix="check the file, or give it the extension of its real format") from None
    return dataset


def plain(term):
    """An rdflib term as a plain value: numbers as numbers, IRIs and texts as strings."""
    from rdflib import Literal

    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, bool) or isinstance(value, int):
            return value
        if isinstance(value, (float, Decimal)):
            return float(value)
        return str(term)
    return str(term)


def run_sparql(dataset, text: str, bindings: dict[str, str] | None = None, where: str = "query"):
    """Run ``text``; returns ``(columns, rows)`` of plain values, or an rdflib Graph for CONSTRUCT/DESCRIBE."""
    from rdflib import Literal

    init = {name: Literal(value) for name, value in (bindings or {}).items()}
    try:
        result = dataset.query(text, initBindings=init)
    except Exception as error:  # pyparsing / rdflib evaluation errors
        raise QueryError(f"SPARQL failed: {' '.join(str(error).split())[:300]}", where=where,
                         fix="check the query syntax (rdflib implements SPARQL 1.1)") from None
    if result.type == "ASK":
        return ["ask"], [[bool(result.askAnswer)]]
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph
    columns = [str(v) for v in result.vars]
    rows = [[plain(row[i]) for i in range(len(columns))] for row in result]
    return columns, rows


def check_bindings(query: NamedQuery, bindings: dict[str, str]) -> None:
    declared = {p[0] for p in query.params}
    for name in bindings:
        if name not in declared:
            raise QueryError(f"query {query.name!r} has no parameter {name!r}", where=query.source,
                             fix=f"its parameters are: {', '.join(sorted(declared)) or 'none'}")
    for name, _, required, _ in query.params:
        if required and name not in bindings:
            raise UsageError(f"query {query.name!r} needs --param {name}=VALUE", where=query.source,
                             fix=f"e.g. kg sparql {query.name} --param {name}=... out/graph.ttl")
