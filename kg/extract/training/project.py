"""Project document-level gold names onto a text as character spans.

The gold lists each entity once per paper (``required`` / ``optional`` per type,
plus ``aliases``). A token tagger needs every occurrence, so each name is found
everywhere in the text, case-insensitively and on word boundaries, longest name
first so that "Improved VQGAN" wins over "VQGAN" inside it. Optional names become
*unknown* spans (neither entity nor negative), because the guidelines say a
system is not penalised either way for them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: label used for spans that must stay unlabelled (neither entity nor "outside")
UNKNOWN = None


@dataclass(frozen=True)
class Target:
    """One name to project: its surface form and its label (``None`` = leave unknown)."""

    name: str
    label: str | None


def name_pattern(name: str) -> re.Pattern:
    """Regex for ``name`` as whole words, any case, any run of whitespace between words.

    >>> bool(name_pattern("MS MARCO").search("on ms  marco."))
    True
    >>> bool(name_pattern("BERT").search("RoBERTa"))
    False
    """
    words = [re.escape(w) for w in name.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def targets_from_gold(gold: dict, types: tuple[str, ...]) -> list[Target]:
    """Names to project from one gold record: required -> its type, optional -> unknown.

    An alias takes the status of its name; an alias of a name listed nowhere in the
    entity lists (e.g. only in ``proposes``) is left unknown.
    """
    status: dict[str, str | None] = {}
    out: list[Target] = []
    entities = gold.get("entities", {}) or {}
    for label in types:
        lists = entities.get(label, {}) or {}
        for name in lists.get("required", []) or []:
            status.setdefault(name, label)
            out.append(Target(name, label))
        for name in lists.get("optional", []) or []:
            status.setdefault(name, UNKNOWN)
            out.append(Target(name, UNKNOWN))
    for name, aliases in sorted((gold.get("aliases", {}) or {}).items()):
        for alias in aliases or []:
            out.append(Target(alias, status.get(name, UNKNOWN)))
    return out


def project(text: str, targets: list[Target]) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]]]:
    """Every occurrence of every target in ``text``, longest first, without overlaps.

    Returns ``(labelled, unknown)``: labelled spans ``(start, end, label)`` and unknown
    spans ``(start, end)``, both sorted by start. Among equally long names a labelled
    one wins over an unknown one, then the order is alphabetical, so the result does
    not depend on the order of the gold lists.

    >>> project("VQGAN and Improved VQGAN", [Target("VQGAN", "method"), Target("Improved VQGAN", None)])
    ([(0, 5, 'method')], [(10, 24)])
    """
    order = sorted(
        {t for t in targets if t.name.strip()},
        key=lambda t: (-len(t.name), t.label is None, t.label or "", t.name),
    )
    taken = [False] * len(text)
    labelled: list[tuple[int, int, str]] = []
    unknown: list[tuple[int, int]] = []
    for target in order:
        for m in name_pattern(target.name).finditer(text):
            s, e = m.start(), m.end()
            if any(taken[s:e]):
                continue
            taken[s:e] = [True] * (e - s)
            if target.label is None:
                unknown.append((s, e))
            else:
                labelled.append((s, e, target.label))
    return sorted(labelled), sorted(unknown)
