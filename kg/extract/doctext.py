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


def token_bounds(doc) -> tuple[list[int], list[int], list[bool]]:
    """Per token: start offset, length, and whether it starts a sentence (token 0 does),
    read as arrays instead of making a Python ``Token`` for each (most of a loop's cost)."""
    from spacy.attrs import IDX, LENGTH, SENT_START

    if not len(doc):
        return [], [], []
    array = doc.to_array([IDX, LENGTH, SENT_START]).astype("int64")
    starts = (array[:, 2] == 1).tolist()
    starts[0] = True
    return array[:, 0].tolist(), array[:, 1].tolist(), starts


def token_texts(doc) -> list[str]:
    """``[t.text for t in doc]`` without making the tokens."""
    text = doc_text(doc)
    idx, lengths, _ = token_bounds(doc)
    return [text[s:s + n] for s, n in zip(idx, lengths)]
