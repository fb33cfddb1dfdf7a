"""Entity search over the Neo4j full-text index of names and aliases: exact, prefix and fuzzy.

User text never reaches Lucene's query parser raw: it is cut into words the way the
index's analyzer cuts names (letters and digits), each word is escaped, and the Lucene
query is built from those words only — so ``name:(x) OR *`` is searched as the words
``name``, ``x`` and ``or``, not run as syntax.

>>> lucene_query("BERT-large")
'"bert large"^4 OR ((bert^3 OR bert* OR bert~1) AND (large^3 OR large* OR large~1))'
>>> escape_lucene('a+b:(c)')
'a\\\\+b\\\\:\\\\(c\\\\)'
"""
from __future__ import annotations

import re

from kg.errors import QueryError

# Lucene classic query parser syntax characters (and the two-character operators && ||).
_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_WORD = re.compile(r"[^\W_]+(?:\.[^\W_]+)*", re.UNICODE)  # "3.5" stays one word, as in the index
MAX_WORDS = 8


def escape_lucene(text: str) -> str:
    """``text`` with every Lucene special character backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", text)


def words(text: str) -> list[str]:
    """Lower-cased letter/digit runs, as the full-text analyzer splits names.

    >>> words("GPT-3.5 (OpenAI)")
    ['gpt', '3.5', 'openai']
    """
    return _WORD.findall(text.lower())[:MAX_WORDS]


def lucene_query(text: str) -> str:
    """The Lucene query for ``text``: the phrase boosted, else every word exact, as prefix or fuzzy."""
    terms = [escape_lucene(w) for w in words(text)]
    if not terms:
        raise QueryError(f"nothing to search for in {text!r}", where="q",
                         fix="give at least one letter or digit, e.g. q=bert")
    parts = []
    for term in terms:
        options = [f"{term}^3", f"{term}*"]
        if len(term) >= 4:
            options.append(f"{term}~1")
        parts.append("(" + " OR ".join(options) + ")")
    phrase = '"' + " ".join(terms) + '"^4'
    return f"{phrase} OR ({' AND '.join(parts)})" if len(terms) > 1 else f"{terms[0]}^4 OR {parts[0]}"


# Exact name or alias matches (any case) first, then Lucene's score.
SEARCH = """
CALL db.index.fulltext.queryNodes($index, $lucene) YIELD node, score
WHERE $type IS NULL OR node.type = $type
WITH node, score,
     toLower(node.name) = $text OR any(alias IN node.aliases WHERE toLower(alias) = $text) AS exact
RETURN node.id AS id, node.name AS name, node.type AS type, node.aliases AS aliases,
       node.paper_count AS paper_count, exact, round(score, 4) AS score
ORDER BY exact DESC, score DESC, paper_count DESC, name, id
SKIP $offset LIMIT $limit
"""
