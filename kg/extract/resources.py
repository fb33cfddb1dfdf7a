"""Where the extraction rules live, and cached readers for them.

Rules and vocabularies are data files beside this module (``rules/``,
``gazetteers/``); code here only parses them, so a rule change never needs a code change.
"""
from __future__ import annotations

import csv
import json
from functools import lru_cache
from pathlib import Path

from kg.errors import ExtractionError
from kg.resolve.keys import surface_key

HERE = Path(__file__).resolve().parent
RULES = HERE / "rules"
GAZETTEERS = HERE / "gazetteers"


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ExtractionError(f"cannot read rule file: {error}", where=str(path),
                              fix="reinstall the package or rebuild with scripts/build_gazetteers.py") from error
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(_lines(path), 1):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise ExtractionError(f"bad JSON in rule file: {error.msg}", where=f"{path}:{number}",
                                  fix="fix that line (one JSON object per line)") from error
    return rows


def read_tsv(path: Path) -> list[dict]:
    lines = _lines(path)
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


@lru_cache(maxsize=None)
def generic_keys() -> frozenset[str]:
    """Surface keys of phrases that are never entities on their own."""
    return frozenset(surface_key(x) for x in _lines(RULES / "generic.txt"))


@lru_cache(maxsize=None)
def head_types() -> dict[str, str]:
    """Last word of a name -> the type it signals (learnt table plus hand-written seed)."""
    table = {row["head"]: row["type"] for row in read_tsv(RULES / "heads.tsv")}
    table.update({row["head"]: row["type"] for row in read_tsv(RULES / "heads_seed.tsv")})
    return table


@lru_cache(maxsize=None)
def word_list(name: str) -> frozenset[str]:
    """A one-word-a-line list from rules/ (lower-cased)."""
    return frozenset(x.lower() for x in _lines(RULES / name))
