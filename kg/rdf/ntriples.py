"""Canonical N-Triples / N-Quads lines, written by hand for streaming.

rdflib's ``term.n3()`` is Turtle, not N-Triples (a literal with a newline comes out
as a triple-quoted string), so literals are escaped here as RDF 1.1 canonical
N-Triples says: ``\\"``, ``\\\\``, ``\\n``, ``\\r`` as ECHAR; ``\\b \\t \\f`` too; other
controls as ``\\u00XX``; everything else, Unicode included, as UTF-8.

>>> from rdflib import Literal, URIRef
>>> nt_term(Literal('say "hi"\\n\\u200b'))
'"say \\\\"hi\\\\"\\\\n\\u200b"'
"""
from __future__ import annotations

import re

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import SchemaError

_ECHAR = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\b": "\\b", "\t": "\\t", "\f": "\\f"}
_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')


def _escape(match: re.Match) -> str:
    char = match.group()
    return _ECHAR.get(char) or f"\\u{ord(char):04X}"


def escape_string(text: str) -> str:
    return _ESCAPE.sub(_escape, text)


def nt_term(term) -> str:
    if isinstance(term, URIRef):
        if _IRI_BAD.search(term):
            raise SchemaError(f"IRI {str(term)!r} has a character N-Triples forbids",
                              fix="percent-encode it (ids are encoded by kg.rdf.terms.encode_id)")
        return f"<{term}>"
    if isinstance(term, Literal):
        text = f'"{escape_string(str(term))}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype and term.datatype != XSD.string:
            return f"{text}^^{nt_term(term.datatype)}"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def nt_line(subject, predicate, obj, graph=None) -> str:
    """One N-Triples line, or an N-Quads line when ``graph`` is given."""
    parts = [nt_term(subject), nt_term(predicate), nt_term(obj)]
    if graph is not None:
        parts.append(nt_term(graph))
    return " ".join(parts) + " .\n"
