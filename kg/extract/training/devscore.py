"""Model-only predictions in the scorer's format, to choose training settings.

Used with the project dev set only to *choose* (``scripts/train_model.py --score``);
nothing here feeds training.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kg.extract.records import ENTITY_TYPES
from kg.extract.training.convert import read_jsonl
from kg.paper import paper_text


def predict_records(nlp, papers: list[dict]) -> list[dict]:
    """One ``{"title", "entities": {type: [names]}}`` per paper, names in text order, unique."""
    texts = [paper_text(p["title"], p["abstract"]) for p in papers]
    out = []
    for paper, doc in zip(papers, nlp.pipe(texts, batch_size=64)):
        ents = {t: [] for t in ENTITY_TYPES}
        for ent in doc.ents:
            if ent.label_ in ents and ent.text not in ents[ent.label_]:
                ents[ent.label_].append(ent.text)
        out.append({"title": paper["title"], "entities": ents, "proposes": [], "evaluated_on": []})
    return out


def score_model(nlp, papers_path: Path, gold_path: Path, scorer: Path, pred_path: Path) -> str:
    """Write model predictions for ``papers_path`` and return the scorer's table."""
    records = predict_records(nlp, read_jsonl(papers_path))
    with open(pred_path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    res = subprocess.run([sys.executable, str(scorer), str(gold_path), str(pred_path)],
                         capture_output=True, text=True, check=True)
    return res.stdout
