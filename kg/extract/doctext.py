"""The text of a Doc, joined once per document.

WHY: ``Doc.text`` joins every token's text each time it is read (about 60 µs for an
abstract) and five steps read it; the first read keeps it in ``doc.user_data``.
No component changes a document's tokens, so the kept text stays right.
"""
from __future__ import annotations

KEY = "kg_text"


def doc_text(doc) -> str:
    """``doc.text``, computed on the first call for this doc."""
    text = doc.user_data.get(KEY)
    if text is None:
        text = doc.user_data[KEY] = doc.text
    return text
