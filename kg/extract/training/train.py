"""Train the statistical tagger end to end: gold -> DocBin -> spaCy train -> model folder.

The pipeline never imports this package: it only loads the result from
``kg/extract/model``; ``scripts/train_model.py`` and the tests use it.

Deterministic: fixed seed in the config, a hash-based train/held-out split, sorted
inputs. The held-out part of ``train/`` drives early stopping and gives the
per-label precision stored as the model's calibrated confidence. The project dev
set (``eval/``) is never read here.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from thinc.api import Config

from kg.extract.records import ENTITY_TYPES
from kg.extract.training.convert import load_scierc_docs, load_scirex_docs, load_train_docs, split

MODEL_NAME = "kg_ner"
MODEL_VERSION = "1.0.0"
#: a label with fewer held-out predictions than this gets the overall precision
MIN_PREDICTIONS_FOR_OWN_PRECISION = 15


def default_config() -> Path:
    return Path(__file__).with_name("config.cfg")


def write_docbin(docs, path: Path) -> None:
    db = DocBin(store_user_data=False)
    for doc in docs:
        db.add(doc)
    db.to_disk(path)


def label_confidence(nlp, docs) -> tuple[dict, dict]:
    """Per-label precision of ``nlp`` on gold ``docs``: the constant confidence per label."""
    from spacy.training import Example

    examples = [Example(nlp(doc.text), doc) for doc in docs]
    scores = nlp.evaluate(examples)
    per_type = scores.get("ents_per_type") or {}
    overall = round(scores.get("ents_p") or 0.0, 3)
    counts = {label: 0 for label in ENTITY_TYPES}
    for ex in examples:
        for ent in ex.predicted.ents:
            counts[ent.label_] = counts.get(ent.label_, 0) + 1
    conf = {}
    for label in ENTITY_TYPES:
        p = per_type.get(label, {}).get("p")
        if p is None or counts[label] < MIN_PREDICTIONS_FOR_OWN_PRECISION:
            p = overall
        conf[label] = round(max(0.05, min(0.99, p)), 3)
    summary = {
        "ents_p": round(scores.get("ents_p") or 0.0, 4),
        "ents_r": round(scores.get("ents_r") or 0.0, 4),
        "ents_f": round(scores.get("ents_f") or 0.0, 4),
        "per_type": {k: {m: round(v, 4) for m, v in d.items()} for k, d in sorted(per_type.items())},
        "predictions": counts,
    }
    return conf, summary


def _finalise(folder: Path, labels) -> None:
    """Prune the string store and put a hash of the weights into meta.json.

    The tagger's features are hashes, so it needs no strings but its labels: pruning
    keeps training-text vocabulary (some of it from corpora that may not be
    redistributed) out of the shipped folder. The fingerprint makes MODEL_VERSION
    change whenever the weights do.
    """
    (folder / "vocab" / "strings.json").write_text(json.dumps(sorted(labels)), encoding="utf-8")
    config = Config().from_disk(folder / "config.cfg", interpolate=False)
    config["paths"]["train"] = config["paths"]["dev"] = None  # temp files, gone after training
    config.to_disk(folder / "config.cfg")
    digest = hashlib.sha1((folder / "ner" / "model").read_bytes()).hexdigest()[:12]
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["kg"]["fingerprint"] = digest
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def train_model(data_dir: Path, out_dir: Path, config: Path | None = None, overrides: dict | None = None,
                work_dir: Path | None = None, extra: tuple[str, ...] = (), log=print) -> dict:
    """Build the model in ``out_dir`` (replaced) and return the training report."""
    from spacy.cli.train import train as spacy_train

    started = time.time()
    config = config or default_config()
    nlp = spacy.blank("en")
    stats: dict = {}
    items = load_train_docs(nlp, data_dir, stats)
    train_docs, held_docs = split(items)
    log(f"train/: {len(items)} papers -> {len(train_docs)} train, {len(held_docs)} held out; {stats}")
    if "scierc" in extra:  # trained on, never shipped (research-use data)
        scierc = load_scierc_docs(nlp, data_dir / "scierc" / "train.json")
        log(f"+ SciERC train: {len(scierc)} abstracts")
        train_docs = train_docs + scierc
    if "scirex" in extra:  # Apache-2.0, but only the model is shipped either way
        scirex = load_scirex_docs(nlp, data_dir / "scirex" / "train_docs")
        log(f"+ SciREX train: {len(scirex)} title + abstract/introduction excerpts")
        train_docs = train_docs + scirex

    tmp = Path(tempfile.mkdtemp(prefix="kg-train-", dir=work_dir))
    try:
        write_docbin(train_docs, tmp / "train.spacy")
        write_docbin(held_docs, tmp / "held.spacy")
        opts = {"paths.train": str(tmp / "train.spacy"), "paths.dev": str(tmp / "held.spacy")}
        opts.update(overrides or {})
        spacy_train(config, tmp / "run", use_gpu=-1, overrides=opts)
        best = spacy.load(tmp / "run" / "model-best")
        conf, held_scores = label_confidence(best, held_docs)
        seconds = round(time.time() - started, 1)
        best.meta.update({
            "name": MODEL_NAME,
            "version": MODEL_VERSION,
            "description": "kg: ML-abstract entity tagger (method, dataset, benchmark, metric, task)",
            "license": "MIT (model weights); see MODEL_CARD.md for training data",
        })
        best.meta["kg"] = {
            "label_confidence": conf,
            "held_out": held_scores,
            "train_papers": len(train_docs),
            "held_out_papers": len(held_docs),
            "projection": stats,
            "overrides": {k: v for k, v in (overrides or {}).items()},
            "extra_data": list(extra),
            "training_seconds": seconds,
        }
        staged = out_dir.with_name(out_dir.name + ".new")
        if staged.exists():
            shutil.rmtree(staged)
        best.to_disk(staged)
        _finalise(staged, best.get_pipe("ner").labels)
        card = out_dir / "MODEL_CARD.md"
        if card.exists():
            shutil.copy2(card, staged / "MODEL_CARD.md")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staged.rename(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report = {"held_out": held_scores, "label_confidence": conf, "training_seconds": seconds}
    log(json.dumps(report, indent=1))
    return report
