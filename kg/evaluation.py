"""Scoring document-level extraction against gold, to the spec of ``../shared/eval/score.py``.

Written here from that scorer's documented behaviour so that ``kg eval`` prints the
same numbers on the same files (a test runs both and compares):

- records join on a normalised title; names compare after normalisation (Unicode,
  case, dashes/slashes, punctuation, a leading article, a plural ``-s`` on the last word)
  or through the gold ``aliases``;
- a prediction that hits an ``optional`` gold name, or a gold name already matched, is
  ignored; any other unmatched prediction is a false positive;
- strict: types must agree; lenient: dataset and benchmark are one type, and names also
  match when one contains the other as whole words (both at least 3 characters).

>>> normalise("The Large-Language Models.")
'large language model'
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError

TYPES = ("method", "dataset", "benchmark", "metric", "task")
RELATION_FIELDS = ("proposes", "evaluated_on")
MODES = (("strict", False), ("lenient", True))

_DASHES = re.compile(r"[\u2010-\u2015_/\-]+")
_OTHER = re.compile(r"[^\w@.+# ]")
_SPACE = re.compile(r"\s+")
_ARTICLE = re.compile(r"^(the|a|an) ")


def normalise(name) -> str:
    """The comparison key of a name or title."""
    text = unicodedata.normalize("NFKC", str(name)).lower().strip()
    text = _OTHER.sub(" ", _DASHES.sub(" ", text))
    text = _SPACE.sub(" ", text).strip(" .")
    text = _ARTICLE.sub("", text)
    words = text.split(" ")
    last = words[-1]
    if len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is")):
        words[-1] = last[:-1]
    return " ".join(words)


def _whole_words_in(outer: str, inner: str) -> bool:
    return re.search(r"(?:^| )" + re.escape(inner) + r"(?: |$)", outer) is not None


@dataclass
class _Gold:
    """One gold name with its alias keys; ``used`` once a prediction has claimed it."""

    type: str
    required: bool
    keys: set[str]
    used: bool = False

    def hit(self, key: str, lenient: bool) -> bool:
        if key in self.keys:
            return True
        if not lenient or len(key) < 3:
            return False
        return any(len(k) >= 3 and (_whole_words_in(k, key) or _whole_words_in(key, k)) for k in self.keys)


@dataclass
class Tally:
    predicted: int = 0
    gold: int = 0
    correct_predicted: int = 0  # predictions that matched (counted on the predicted type)
    correct_gold: int = 0  # gold names found (counted on the gold type)

    def prf(self) -> dict:
        p = self.correct_predicted / self.predicted if self.predicted else 0.0
        r = self.correct_gold / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"P": round(p, 4), "R": round(r, 4), "F1": round(f, 4), "pred": self.predicted, "gold": self.gold}


@dataclass
class _ModeTallies:
    types: dict = field(default_factory=lambda: {t: Tally() for t in TYPES})
    relations: dict = field(default_factory=lambda: {f: Tally() for f in RELATION_FIELDS})


def _keys(names: Iterable) -> list[str]:
    """Distinct non-empty keys in first-seen order."""
    out: list[str] = []
    for name in names or []:
        key = normalise(name)
        if key and key not in out:
            out.append(key)
    return out


def _claim(pool: list[_Gold], key: str, lenient: bool):
    """The first unclaimed required gold name the key hits; "ignore" if it hits only others."""
    hits = [g for g in pool if g.hit(key, lenient)]
    for g in hits:
        if g.required and not g.used:
            return g
    return "ignore" if hits else None


def _count(tally_pred: Tally, tallies_gold: dict, pool: list[_Gold], keys: list[str], lenient: bool, gold_tally=None):
    for key in keys:
        g = _claim(pool, key, lenient)
        if g == "ignore":
            continue
        tally_pred.predicted += 1
        if g is not None:
            g.used = True
            tally_pred.correct_predicted += 1
            (gold_tally if gold_tally is not None else tallies_gold[g.type]).correct_gold += 1


def _score_document(gold: dict, pred: dict, lenient: bool, t: _ModeTallies) -> None:
    aliases = gold.get("aliases") or {}

    def gold_name(name, type_, required):
        return _Gold(type_, required, {normalise(name)} | {normalise(a) for a in aliases.get(name, [])})

    pools: dict[str, list[_Gold]] = {}
    entities = gold.get("entities") or {}
    for type_ in TYPES:
        spec = entities.get(type_) or {}
        group = "data" if lenient and type_ in ("dataset", "benchmark") else type_
        for required, names in ((True, spec.get("required", [])), (False, spec.get("optional", []))):
            for name in names:
                pools.setdefault(group, []).append(gold_name(name, type_, required))
                if required:
                    t.types[type_].gold += 1
    predicted = pred.get("entities") or {}
    for type_ in TYPES:
        group = "data" if lenient and type_ in ("dataset", "benchmark") else type_
        _count(t.types[type_], t.types, pools.get(group, []), _keys(predicted.get(type_, [])), lenient)
    for field_ in RELATION_FIELDS:
        pool = [gold_name(n, field_, True) for n in gold.get(field_) or []]
        tally = t.relations[field_]
        tally.gold += len(pool)
        _count(tally, {}, pool, _keys(pred.get(field_, [])), lenient, gold_tally=tally)


def score_records(golds: list[dict], preds: list[dict]) -> dict:
    """The result dict score.py prints with ``--json``."""
    by_title = {normalise(p.get("title", "")): p for p in preds}
    result: dict = {"documents": len(golds),
                    "missing": sum(1 for g in golds if normalise(g["title"]) not in by_title)}
    for mode, lenient in MODES:
        tallies = _ModeTallies()
        for gold in golds:
            _score_document(gold, by_title.get(normalise(gold["title"]), {}), lenient, tallies)
        total = Tally()
        for tally in tallies.types.values():
            total.predicted += tally.predicted
            total.gold += tally.gold
            total.correct_predicted += tally.correct_predicted
            total.correct_gold += tally.correct_gold
        result[mode] = {
            "types": {k: v.prf() for k, v in tallies.types.items()},
            "micro": total.prf(),
            "relations": {k: v.prf() for k, v in tallies.relations.items()},
        }
    return result


def read_jsonl(path: str | Path) -> list[dict]:
    """Records of a JSON Lines file; a bad line is an InputError naming file and line."""
    out = []
    try:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise InputError(f"not valid JSON: {error.msg}", where=f"{path}:{number}",
                                     fix="each line must be one JSON object") from error
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}", where=str(path),
                         fix="check the path") from error
    for number, rec in enumerate(out, 1):
        if not isinstance(rec, dict) or "title" not in rec:
            raise InputError("record has no title", where=f"{path}: record {number}",
                             fix="gold and predicted records need a 'title' field")
    return out


def score_files(gold_path: str | Path, pred_path: str | Path) -> dict:
    return score_records(read_jsonl(gold_path), read_jsonl(pred_path))


def format_table(result: dict) -> str:
    """The text table score.py prints, line for line."""
    lines = [f"documents: {result['documents']}  without a prediction: {result['missing']}"]
    for mode, _ in MODES:
        lines.append("")
        lines.append(f"{mode:13s} {'P':>6s} {'R':>6s} {'F1':>6s} {'pred':>6s} {'gold':>6s}")
        rows = list(result[mode]["types"].items()) + [("micro", result[mode]["micro"])]
        rows += list(result[mode]["relations"].items())
        for name, v in rows:
            lines.append(f"{name:13s} {v['P']:6.3f} {v['R']:6.3f} {v['F1']:6.3f} {v['pred']:6d} {v['gold']:6d}")
    return "\n".join(lines)
