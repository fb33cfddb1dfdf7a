#!/usr/bin/env python3
"""Rebuild kg's statistical entity tagger (kg/extract/model) with one command.

    python scripts/train_model.py --data /work/shared/data --out kg/extract/model

Reads only DATA/train/ (papers.jsonl + gold.jsonl); holds out a fixed 15% of it for
early stopping and confidence calibration. ``--score EVAL_DIR`` afterwards prints the
model-only table of EVAL_DIR/score.py on EVAL_DIR's dev papers: for choosing
settings, never for training. ``--set section.key=value`` overrides the config
(e.g. ``--set components.ner.model.hidden_width=32``).
"""
from __future__ import annotations

import argparse
import ast
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _value(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="folder holding train/papers.jsonl and train/gold.jsonl")
    ap.add_argument("--out", type=Path, default=ROOT / "kg" / "extract" / "model", help="model folder to (re)write")
    ap.add_argument("--config", type=Path, default=None, help="spaCy config (default: kg/extract/training/config.cfg)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="config override, repeatable")
    ap.add_argument("--extra", action="append", default=[], choices=["scierc", "scirex"],
                    help="also train on this corpus from DATA (default: train/ only)")
    ap.add_argument("--score", type=Path, default=None, metavar="EVAL_DIR",
                    help="after training, print score.py's table for model-only predictions on EVAL_DIR")
    args = ap.parse_args(argv)

    import spacy

    from kg.extract.training.train import train_model

    if not (args.data / "train" / "gold.jsonl").is_file():
        print(f"Error: {args.data}/train/gold.jsonl not found (pass --data pointing at the shared data folder)",
              file=sys.stderr)
        return 1
    overrides = {}
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = _value(value)
    started = time.time()
    train_model(args.data, args.out, config=args.config, overrides=overrides, extra=tuple(args.extra))
    print(f"model written to {args.out} in {time.time() - started:.0f} s")
    if args.score:
        from kg.extract.training.devscore import score_model

        nlp = spacy.load(args.out)
        pred = args.out.with_name(args.out.name + ".dev-pred.jsonl")
        print(score_model(nlp, args.score / "dev_papers.jsonl", args.score / "gold_dev.jsonl",
                          args.score / "score.py", pred))
        pred.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
