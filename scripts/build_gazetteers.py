#!/usr/bin/env python3
"""Build the cleaned gazetteers and head-word table that the extraction rules read.

Why a script: the raw name lists are noisy (table-column labels, English words,
leaderboard strings), so the shipped lists are derived, reproducibly, by:

1. reading the Papers with Code lists (``pwc/*.tsv``, CC BY-SA 4.0) and keeping
   names backed by enough sources;
2. dropping names that are generic (``kg/extract/rules/generic.txt``), shaped like
   junk (brackets, "et al", very long), or plain English words (a lower-case word
   that is common in ordinary abstracts);
3. adding the names annotated as required in the project's training set
   (``train/gold.jsonl``, written for this project) with their annotated type;
4. measuring every name on the training abstracts: a name that occurs in several
   abstracts but is almost never annotated there is generic in practice and is
   dropped; a name annotated with another type there takes that type;
5. learning, from the training annotations, which last words ("dataset",
   "retrieval", "accuracy") signal which type (``rules/heads.tsv``).

Usage: python scripts/build_gazetteers.py [--data ../shared/data] [--out kg/extract]
Never point --train at the dev set: the dev set measures the result.
"""
from __future__ import annotations

import argparse
import collections
import csv
import json
import re
import sys
from pathlib import Path

import spacy
from spacy.matcher import PhraseMatcher

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.resolve.keys import singular, surface_key  # noqa: E402

TYPES = ("method", "dataset", "benchmark", "metric", "task")
PWC_FILES = {"method": "methods.tsv", "dataset": "datasets.tsv", "metric": "metrics.tsv", "task": "tasks.tsv"}
# Which PwC list wins when one name is in several (before training evidence overrides).
PWC_PRIORITY = ("dataset", "method", "task", "metric")
TRUSTED_SOURCES = {
    "method": ("cs-ner:pwc",),
    "dataset": ("pwc-datafinder", "nlp-tdms"),
    "metric": ("nlp-tdms",),
    "task": ("pwc-ws:task", "nlp-tdms"),
}
JUNK = re.compile(r"[()\[\]{}+,;:=<>|\"*]|et al|\bours?\b|single model|ensemble|^\W|\s\W\s", re.I)
NOTICE = """\
The lists pwc.tsv and name_words.txt in this folder are derived from Papers with Code data
(paperswithcode/paperswithcode-data, mirrored by the pwc-archive datasets), licensed
under the Creative Commons Attribution-ShareAlike 4.0 International license
(https://creativecommons.org/licenses/by-sa/4.0/). They were filtered and retyped by
scripts/build_gazetteers.py; they are distributed under the same license (CC BY-SA 4.0).
train.tsv is derived from the project's own training annotations (not PwC data).
"""


def match_mode(name: str, type_: str = "method") -> str:
    """``lower`` for plain-word names (matched case-insensitively), ``exact`` for names
    whose capitals or digits carry meaning (acronyms, CamelCase, single proper words)."""
    words = name.split()
    inner_caps = any(any(c.isupper() for c in w[1:]) for w in words)
    digits = any(c.isdigit() for c in name)
    if name == name.lower():
        return "lower"
    if len(words) >= 2 and not inner_caps and not digits:
        return "lower"
    if type_ in ("metric", "task") and len(words) == 1 and not inner_caps and not digits:
        return "lower"  # list headings: "Accuracy", "Perplexity", "Summarization"
    return "exact"


SPELLINGS: dict[str, set] = {}  # key -> every spelling seen in the PwC lists ("MAP", "mAP")


def read_pwc(data: Path) -> dict[str, tuple[str, str, str]]:
    """key -> (name, type, sources) for the PwC names that pass the source filter."""
    out: dict[str, tuple[str, str, str]] = {}
    found: dict[str, list] = {}
    for type_ in PWC_PRIORITY:
        with open(data / "pwc" / PWC_FILES[type_], encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                name, n, sources = row["name"].strip(), int(row["n_sources"]), row["sources"]
                trusted = any(s in sources.split(",") for s in TRUSTED_SOURCES[type_])
                if not (n >= 2 or trusted):
                    continue
                if type_ == "metric" and n < 2 and "nlp-tdms" not in sources:
                    continue
                if JUNK.search(name) or not (2 <= len(name) <= 50) or len(name.split()) > 5:
                    continue
                if sum(c.isalpha() for c in name) < 2:
                    continue
                key = surface_key(name)
                if key:
                    found.setdefault(key, []).append((n, -PWC_PRIORITY.index(type_), name, type_, sources))
    # A name in several lists takes the type most sources agree on ("SSIM": metric, not task).
    for key, options in found.items():
        _, _, name, type_, _ = max(options)
        SPELLINGS[key] = {o[2] for o in options}
        out[key] = (name, type_, ",".join(sorted({s for o in options for s in o[4].split(",")})))
    return out


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def english_words(data: Path) -> collections.Counter:
    """Document frequency of lower-case words in ordinary ML abstracts (SciTLDR)."""
    df: collections.Counter = collections.Counter()
    for path in sorted((data / "abstracts" / "scitldr").glob("*.jsonl")):
        for rec in read_jsonl(path):
            df.update(set(re.findall(r"(?<![\w-])[a-z][a-z-]+(?![\w-])", rec.get("abstract", ""))))
    return df


def load_generic() -> set[str]:
    path = ROOT / "kg" / "extract" / "rules" / "generic.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return {surface_key(x) for x in lines if x.strip() and not x.startswith("#")}


def train_gold(data: Path):
    golds = read_jsonl(data / "train" / "gold.jsonl")
    papers = {p["id"]: p for p in read_jsonl(data / "train" / "papers.jsonl")}
    return golds, papers


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "kg" / "extract")
    ap.add_argument("--holdout", default=None, metavar="I/N",
                    help="leave out training papers whose index %% N == I (cross-validation runs)")
    args = ap.parse_args(argv)
    generic = load_generic()
    english = english_words(args.data)
    golds, papers = train_gold(args.data)
    if args.holdout:
        i, n = (int(x) for x in args.holdout.split("/"))
        golds = [g for j, g in enumerate(golds) if j % n != i]

    # Training annotations: per key, the types it was annotated with (required) and
    # the documents where it was required or optional.
    gold_types: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    gold_docs: dict[str, set] = collections.defaultdict(set)
    train_names: dict[str, str] = {}
    lower_forms: set[str] = set()
    heads: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for g in golds:
        aliases = g.get("aliases", {}) or {}
        for t in TYPES:
            ent = g["entities"][t]
            for required, names in ((True, ent["required"]), (False, ent["optional"])):
                for n in names:
                    forms = [n] + list(aliases.get(n, []))
                    for form in forms:
                        k = surface_key(form)
                        gold_docs[k].add(g["id"])
                        if required:
                            gold_types[k][t] += 1
                            train_names.setdefault(k, form)
                            if form == form.lower():
                                lower_forms.add(k)
                    if required:
                        words = n.split()
                        if len(words) >= 2 or n.islower():
                            heads[singular(words[-1].split("-")[-1]).lower()][t] += 1

    candidates: dict[str, tuple[str, str, str, str]] = {}  # key -> name, type, file, note
    for key, (name, type_, sources) in read_pwc(args.data).items():
        if key in generic:
            continue
        if len(name.split()) == 1 and name.lower() != name.upper():
            low = name.lower()
            if english[low] >= 5 and key not in gold_types:
                continue  # an English word ("Books", "Average", "count")
        if "bench" in name.lower() and type_ == "dataset":
            type_ = "benchmark"
        candidates[key] = (name, type_, "pwc", sources)
    for key, name in train_names.items():
        if key in generic:
            continue
        sources = "train," + candidates[key][3] if key in candidates else "train"
        candidates[key] = (name, gold_types[key].most_common(1)[0][0], "train", sources)

    # Measure on the training abstracts.
    nlp = spacy.blank("en")
    exact, lower = PhraseMatcher(nlp.vocab, attr="ORTH"), PhraseMatcher(nlp.vocab, attr="LOWER")
    keys = list(candidates)
    for i, key in enumerate(keys):
        name = candidates[key][0]
        mode = "lower" if key in lower_forms else match_mode(name, candidates[key][1])
        (lower if mode == "lower" else exact).add(str(i), [nlp.make_doc(name)])
    df: collections.Counter = collections.Counter()
    unannotated: collections.Counter = collections.Counter()
    for g in golds:
        p = papers[g["id"]]
        doc = nlp.make_doc(p["title"] + "\n\n" + p["abstract"])
        found = {int(nlp.vocab.strings[m]) for m, _, _ in exact(doc)}
        found |= {int(nlp.vocab.strings[m]) for m, _, _ in lower(doc)}
        for i in found:
            key = keys[i]
            df[key] += 1
            if g["id"] not in gold_docs.get(key, ()):
                unannotated[key] += 1

    rows: dict[str, list] = {"pwc": [], "train": []}
    dropped = 0
    for key, (name, type_, origin, sources) in candidates.items():
        required_docs = sum(gold_types.get(key, {}).values())
        if df[key] >= 2 and unannotated[key] / df[key] >= 0.5 and required_docs / df[key] < 0.25:
            dropped += 1
            print(f"generic in practice: {name} ({type_}, in {df[key]} abstracts, unannotated in {unannotated[key]})",
                  file=sys.stderr)
            continue
        if gold_types.get(key):
            type_ = gold_types[key].most_common(1)[0][0]
        mode = "lower" if key in lower_forms else match_mode(name, type_)
        rows[origin].append((name, type_, mode, sources))
        if mode == "exact":  # other capitalisations of an acronym-like name match too
            for other in sorted(SPELLINGS.get(key, set()) - {name}):
                rows[origin].append((other, type_, "exact", sources))

    gaz = args.out / "gazetteers"
    gaz.mkdir(parents=True, exist_ok=True)
    for origin, items in rows.items():
        items.sort(key=lambda r: (r[1], r[0].lower(), r[0]))
        with open(gaz / f"{origin}.tsv", "w", encoding="utf-8", newline="") as f:
            f.write("name\ttype\tmatch\tsources\n")
            for r in items:
                f.write("\t".join(r) + "\n")
    (gaz / "NOTICE.md").write_text(NOTICE, encoding="utf-8")

    (args.out / "rules").mkdir(parents=True, exist_ok=True)
    with open(args.out / "rules" / "heads.tsv", "w", encoding="utf-8") as f:
        f.write("# last word of a name -> type it signals; learnt from the training annotations\n")
        f.write("head\ttype\tshare\tcount\n")
        for head in sorted(heads):
            counts = heads[head]
            total = sum(counts.values())
            type_, n = counts.most_common(1)[0]
            if total >= 3 and n / total >= 0.6 and head.isalpha() and len(head) > 2:
                f.write(f"{head}\t{type_}\t{n / total:.2f}\t{total}\n")
    # Words that occur in Papers with Code task and method names: what a name's modifiers
    # are made of ("dense", "multi-label", "zero-shot"), for the head-phrase rule.
    name_words: collections.Counter = collections.Counter()
    for type_ in ("task", "method"):
        with open(args.data / "pwc" / PWC_FILES[type_], encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                for w in re.findall(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*", row["name"]):
                    name_words[w.lower()] += 1
    with open(gaz / "name_words.txt", "w", encoding="utf-8") as f:
        f.write("# words of Papers with Code task and method names (>= 2 names); CC BY-SA 4.0, see NOTICE.md\n")
        f.write("\n".join(sorted(w for w, n in name_words.items() if n >= 2)) + "\n")
    common = sorted(w for w, n in english.items() if n >= 25)
    with open(args.out / "rules" / "common_words.txt", "w", encoding="utf-8") as f:
        f.write("# lower-case words in >= 25 SciTLDR abstracts: ordinary English of abstracts\n")
        f.write("\n".join(common) + "\n")
    print(f"pwc: {len(rows['pwc'])} names, train: {len(rows['train'])} names, "
          f"dropped as generic on the training abstracts: {dropped}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
