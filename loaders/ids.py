"""arXiv identifiers found in ids, urls and DOIs, without version suffix.

The same paper is often given as ``arXiv:1706.03762v5``, ``https://arxiv.org/abs/1706.03762``
or ``10.48550/arXiv.1706.03762``; all of these give ``1706.03762``, so duplicates merge.
"""
from __future__ import annotations

import re

_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
_BARE = re.compile(rf"^(?:arxiv:)?\s*({_NEW}|{_OLD})(?:v\d+)?$", re.IGNORECASE)
_IN_TEXT = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf)/|arxiv[:.]\s*|10\.48550/arxiv\.)({_NEW}|{_OLD})(?:v\d+)?", re.IGNORECASE
)


def arxiv_id(value: object) -> str | None:
    """The arXiv id in ``value`` (a bare id, ``arXiv:`` id, arXiv url or arXiv DOI), else None.

    >>> arxiv_id("http://arxiv.org/abs/1706.03762v5")
    '1706.03762'
    >>> arxiv_id("arXiv:hep-th/9901001") , arxiv_id("10.1145/3442188")
    ('hep-th/9901001', None)
    """
    if value is None:
        return None
    text = str(value).strip()
    match = _BARE.match(text) or _IN_TEXT.search(text)
    return match.group(1) if match else None
