"""Stable entity ids, made from the entity's own type and key only.

Nothing about the corpus (order, frequency, other papers) enters the id, so the same entity
gets the same id on every run and machine, and adding unrelated papers changes no id.
"""
from __future__ import annotations

import hashlib
import re

_UNSAFE = re.compile(r"[^a-z0-9.]+")


def slug(key: str) -> str:
    """A readable slug of a name key; a short hash is added when the slug loses characters.

    >>> slug("retrieval augmented generation")
    'retrieval-augmented-generation'
    >>> slug("gpt 3.5")
    'gpt-3.5'
    >>> slug("ndcg@10").startswith("ndcg-10~")
    True
    """
    text = _UNSAFE.sub("-", key).strip("-")
    if text.replace("-", " ") != key or not text:
        text = f"{text}~{hashlib.sha1(key.encode('utf-8')).hexdigest()[:8]}"
    return text


def entity_id(entity_type: str, key: str) -> str:
    """``entity_id("method", "bert base")`` -> ``"method:bert-base"``."""
    return f"{entity_type}:{slug(key)}"
