"""IRIs and typed literals: the two places where text from papers meets RDF syntax.

IRIs are ``{base}{kind}/{id}`` with the id percent-encoded (everything outside the
RFC 3986 unreserved set and ``:``), so any id, hostile or not, gives one valid IRI and
the same id always gives the same IRI. Literals are built from an exact lexical form
chosen here, so every serialiser writes, and every parser reads back, the same term.

>>> mint = IRIMinter("https://w3id.org/kg-ml/")
>>> str(mint.node("Method", "method:bert base"))
'https://w3id.org/kg-ml/method/method:bert%20base'
>>> date_literal("2021-07").n3()
'"2021-07"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'
>>> decimal_lexical(1e-05), decimal_lexical(3.0)
('0.00001', '3.0')
"""
from __future__ import annotations

import hashlib
import math
import re
from decimal import Decimal
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import SchemaError, UsageError

_SAFE = "-._~:"
# Characters an IRI may not contain in N-Triples/Turtle (IRIREF), plus controls and space.
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')
_DATE_FORMS = (
    (re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"), XSD.date),
    (re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), XSD.gYearMonth),
    (re.compile(r"^\d{4}$"), XSD.gYear),
)


def check_base_iri(base_iri: str) -> str:
    """The base must be an absolute http(s) IRI ending in ``/`` or ``#`` with no forbidden character."""
    if not re.match(r"^https?://[^/]+", base_iri) or base_iri[-1] not in "/#" or _IRI_FORBIDDEN.search(base_iri):
        raise UsageError(f"base IRI {base_iri!r} is not usable", where="--base-iri",
                         fix="give an absolute http(s) IRI ending in '/' or '#', without spaces, quotes or <>, "
                             "e.g. https://example.org/kg/")
    return base_iri


def encode_id(value: str) -> str:
    """Percent-encode one id as an IRI path segment (UTF-8, nothing but unreserved and ``:`` kept)."""
    if not isinstance(value, str) or not value:
        raise SchemaError(f"id {value!r} cannot name an RDF resource", fix="every node needs a non-empty string id")
    return quote(value, safe=_SAFE)


class IRIMinter:
    """Stable IRIs under one base: nodes, statements (one per relationship) and agents."""

    def __init__(self, base_iri: str):
        self.base = check_base_iri(base_iri)

    def node(self, label: str, node_id: str) -> URIRef:
        return URIRef(f"{self.base}{label.lower()}/{encode_id(node_id)}")

    def statement(self, source: str, key: str, target: str) -> URIRef:
        """The reified relationship ``(source)-[key]->(target)``: a hash, so it is short and stable."""
        digest = hashlib.sha256("\x1f".join((source, key, target)).encode("utf-8")).hexdigest()[:24]
        return URIRef(f"{self.base}statement/{digest}")

    def agent(self, rule: str) -> URIRef:
        return URIRef(f"{self.base}agent/{encode_id(rule)}")

    def graph(self, name: str) -> URIRef:
        return URIRef(f"{self.base}{name}")


def decimal_lexical(value: float | int | Decimal) -> str:
    """The xsd:decimal form of a number: plain digits, always with a fraction part."""
    text = format(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), "f")
    return text if "." in text else text + ".0"


def date_literal(value: str) -> Literal:
    for pattern, datatype in _DATE_FORMS:
        if pattern.match(value):
            return Literal(value, datatype=datatype)
    raise SchemaError(f"date {value!r} is not yyyy-mm-dd, yyyy-mm or yyyy",
                      fix="fix the date in the input record or leave it empty")


def typed_literal(value, datatypes: tuple[URIRef, ...]) -> Literal | None:
    """``value`` as a literal of the first fitting datatype; None for a number that is not finite."""
    first = datatypes[0]
    if first == XSD.date:
        return date_literal(str(value))
    if first == XSD.integer:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SchemaError(f"{value!r} is not an integer", fix="store integers as integers in the graph")
        return Literal(str(value), datatype=XSD.integer)
    if first == XSD.decimal:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SchemaError(f"{value!r} is not a number", fix="store numbers as numbers in the graph")
        if not math.isfinite(value):
            return None
        return Literal(decimal_lexical(value), datatype=XSD.decimal)
    if first == XSD.boolean:
        return Literal("true" if value else "false", datatype=XSD.boolean)
    if first == XSD.string:
        return Literal(str(value))
    return Literal(str(value), datatype=first)
