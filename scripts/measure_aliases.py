#!/usr/bin/env python3
"""Measure per-paper alias grouping against the gold aliases of the dev set.

For every alias pair the gold lists for a paper ("Retrieval-Augmented Generation" / "RAG"),
the paper's output must report ONE entity whose name and aliases hold both spellings.
Also counts merges of two different gold entities of one paper into one output entity
(must be 0). Names are compared with the scorer's normalisation (case, hyphens, plural -s).

Usage:
  python scripts/measure_aliases.py --corpus DIR [--sample 30] [--seed 4]
      (whole corpus: entities per type before/after resolution and a seeded sample of merges)
  python scripts/measure_aliases.py GOLD.jsonl --pred PRED.jsonl     # output of `kg extract`
  python scripts/measure_aliases.py GOLD.jsonl --papers DEV.jsonl [--no-model] [--graph]
      (runs extraction here; with --graph, grouping is the corpus resolution of kg build instead
       of kg extract's per-document grouping)
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path


def norm(text: str) -> str:
    """The scorer's name normalisation (../shared/eval/score.py), copied in behaviour."""
    s = unicodedata.normalize("NFKC", str(text)).lower().strip()
    s = re.sub(r"[\u2010-\u2015_/\-]+", " ", s)
    s = re.sub(r"[^\w@.+# ]", " ", s)
    s = re.sub(r"\s+", " ", s).strip(" .")
    s = re.sub(r"^(the|a|an) ", "", s)
    words = s.split(" ")
    last = words[-1]
    if len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is")):
        words[-1] = last[:-1]
    return " ".join(words)


def title_key(title: str) -> str:
    return norm(title)


def output_groups(record: dict) -> list[set[str]]:
    """The normalised spellings of each output entity of one paper."""
    groups = []
    aliases = record.get("aliases", {}) or {}
    for names in (record.get("entities", {}) or {}).values():
        for name in names:
            groups.append({norm(name)} | {norm(a) for a in aliases.get(name, [])})
    return groups


def gold_entities(gold: dict) -> list[set[str]]:
    """Each distinct gold entity of a paper as the set of its normalised spellings."""
    aliases = gold.get("aliases", {}) or {}
    seen, out = set(), []
    for spec in (gold.get("entities", {}) or {}).values():
        for name in (spec.get("required", []) or []) + (spec.get("optional", []) or []):
            forms = {norm(name)} | {norm(a) for a in aliases.get(name, [])}
            if not forms & seen:
                out.append(forms)
                seen |= forms
    return out


def measure(golds: list[dict], preds: dict[str, dict]) -> dict:
    pairs = ok = missing_paper = 0
    failures, merges = [], []
    for gold in golds:
        record = preds.get(title_key(gold["title"]))
        groups = output_groups(record) if record else []
        for name, alias_list in (gold.get("aliases", {}) or {}).items():
            for alias in alias_list:
                pairs += 1
                if record is None:
                    missing_paper += 1
                a, b = norm(name), norm(alias)
                if a == b or any(a in g and b in g for g in groups):
                    ok += 1
                else:
                    found = [sorted(g) for g in groups if a in g or b in g]
                    split = any(a in g for g in groups) and any(b in g for g in groups)
                    failures.append({"paper": gold["id"], "name": name, "alias": alias, "output": found,
                                     "why": "split" if split else "not extracted"})
        entities = gold_entities(gold)
        for group in groups:
            hit = [e for e in entities if e & group]
            if len(hit) > 1:
                merges.append({"paper": gold["id"], "output": sorted(group), "gold": [sorted(e) for e in hit]})
    return {"pairs": pairs, "grouped": ok, "rate": ok / pairs if pairs else 1.0, "failures": failures,
            "merged_gold_entities": len(merges), "merges": merges, "papers_without_output": missing_paper}


def _run_extraction(papers_path: Path, use_model: bool, graph: bool) -> dict[str, dict]:
    from kg.extract.document import to_record
    from kg.extract.pipeline import extract_papers
    from kg.paper import Paper, paper_id

    papers = []
    for line in papers_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            papers.append(Paper(id=paper_id(row["title"]), title=row["title"], abstract=row["abstract"],
                                source=str(papers_path), line=len(papers) + 1))
    extractions = list(extract_papers(papers, use_model=use_model))
    if not graph:
        return {title_key(p.title): to_record(p, e) for p, e in zip(papers, extractions)}
    from kg.resolve import resolve

    resolution = resolve(extractions)
    out = {}
    for p in papers:
        record = {"entities": {}, "aliases": {}}
        for (paper, entity_id), _ in resolution.mentions.items():
            if paper == p.id:
                entity = resolution.entities[entity_id]
                record["entities"].setdefault(entity.type, []).append(entity.name)
                record["aliases"][entity.name] = list(entity.aliases)
        out[title_key(p.title)] = record
    return out


def corpus_report(paths: list[str], sample: int, seed: int, use_model: bool) -> dict:
    """Entities per type before and after resolution, and ``sample`` random merges to check by hand."""
    import random

    from kg.extract.pipeline import extract_papers
    from kg.loaders import read_corpus
    from kg.resolve import resolve
    from kg.resolve.keys import surface_key

    papers = sorted(read_corpus(paths).papers, key=lambda p: p.id)
    resolution = resolve(list(extract_papers(papers, use_model=use_model)))
    merges = []
    for entity in resolution.entities.values():
        rules = dict(entity.alias_rules)
        for alias in entity.aliases:
            if surface_key(alias) != surface_key(entity.name):
                merges.append({"entity": entity.id, "name": entity.name, "alias": alias, "rule": rules.get(alias),
                               "papers": entity.paper_count})
    picked = random.Random(seed).sample(merges, min(sample, len(merges)))
    report = resolution.report
    return {"surfaces_before": report.surfaces_before, "keys_before": report.keys_before,
            "entities_after": report.entities_after, "merges_total": len(merges),
            "type_conflicts": len(report.type_conflicts), "variant_links": len(resolution.variants),
            "ambiguous_abbreviations": report.ambiguous_abbreviations, "sample": picked}


def main(argv=None) -> int:
    if argv is None and "--corpus" in sys.argv:
        corpus = argparse.ArgumentParser()
        corpus.add_argument("--corpus", nargs="+", required=True)
        corpus.add_argument("--sample", type=int, default=30)
        corpus.add_argument("--seed", type=int, default=4)
        corpus.add_argument("--no-model", action="store_true")
        args = corpus.parse_args()
        print(json.dumps(corpus_report(args.corpus, args.sample, args.seed, not args.no_model), indent=1,
                         ensure_ascii=False))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--pred", type=Path, help="JSON Lines written by `kg extract`.")
    source.add_argument("--papers", type=Path, help="dev_papers.jsonl: run extraction here.")
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--graph", action="store_true", help="Group by the corpus resolution (kg build).")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    golds = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.pred:
        preds = {}
        for line in args.pred.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                preds[title_key(record["title"])] = record
    else:
        preds = _run_extraction(args.papers, not args.no_model, args.graph)
    result = measure(golds, preds)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        print(f"alias pairs grouped: {result['grouped']}/{result['pairs']} = {result['rate']:.1%}")
        split = sum(f["why"] == "split" for f in result["failures"])
        print(f"not grouped: {len(result['failures'])} ({split} with both spellings extracted but apart, "
              f"{len(result['failures']) - split} with a spelling never extracted)")
        print(f"different gold entities merged into one: {result['merged_gold_entities']}")
        for f in result["failures"]:
            print(f"  {f['why']:<13}  {f['paper']}: {f['name']!r} / {f['alias']!r}  output: {f['output']}")
        for m in result["merges"]:
            print(f"  merged       {m['paper']}: {m['gold']} -> {m['output']}")
    return 0 if result["rate"] >= 0.95 and result["merged_gold_entities"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
