"""Curated aliases (``aliases.tsv``): well-known other names, kept as data, not code.

Each row ties an alias to a canonical form for one entity type (or ``*`` for any); both are
compared by :func:`kg.resolve.keys.surface_key`, so ``ConvNets`` matches the row for ``ConvNet``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kg.errors import InputError
from kg.resolve.keys import surface_key

ANY = "*"


@dataclass(frozen=True)
class CuratedAliases:
    """alias key -> canonical key, per type (``*`` rows apply to every type)."""

    table: dict[tuple[str, str], str]

    def get(self, entity_type: str, key: str) -> str | None:
        """The canonical key for ``key`` as an ``entity_type`` name, or None.

        >>> load_curated().get("method", surface_key("LLMs"))
        'large language model'
        """
        return self.table.get((entity_type, key)) or self.table.get((ANY, key))


def parse_curated(text: str, where: str = "aliases.tsv") -> CuratedAliases:
    table: dict[tuple[str, str], str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 3 or not all(c.strip() for c in cells):
            raise InputError("a curated alias row needs three tab-separated cells: type, canonical, alias",
                             where=f"{where}:{number}", fix="fix or remove the row")
        entity_type, canonical, alias = (c.strip() for c in cells)
        canonical_key, alias_key = surface_key(canonical), surface_key(alias)
        if alias_key != canonical_key:
            table[(entity_type, alias_key)] = canonical_key
    return CuratedAliases(table)


@lru_cache(maxsize=1)
def load_curated(path: str | None = None) -> CuratedAliases:
    """The packaged table, or the TSV at ``path``."""
    if path is not None:
        return parse_curated(Path(path).read_text(encoding="utf-8"), where=str(path))
    text = resources.files("kg.resolve").joinpath("aliases.tsv").read_text(encoding="utf-8")
    return parse_curated(text)
