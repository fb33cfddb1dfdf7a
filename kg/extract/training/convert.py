"""Gold records -> spaCy ``Doc`` objects with token-level entity annotation.

Character spans from :mod:`kg.extract.training.project` are mapped to tokens of
the unmodified ``spacy.blank("en")`` tokenizer (the one the pipeline runs). A
labelled span that does not fall on token boundaries (e.g. "BERT" inside the
token "BERT2") is not forced onto wrong tokens: its covering tokens become unknown,
like optional names, so the model is neither taught nor punished there.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kg.extract.records import ENTITY_TYPES
from kg.extract.training.project import project, targets_from_gold
from kg.paper import paper_text


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def annotate(nlp, text: str, gold: dict, stats: dict | None = None):
    """One ``Doc`` of ``text`` with gold entities set and optional/misaligned names unknown."""
    doc = nlp.make_doc(text)
    labelled, unknown = project(text, targets_from_gold(gold, ENTITY_TYPES))
    ents, missing = [], []
    for s, e, label in labelled:
        span = doc.char_span(s, e, label=label, alignment_mode="strict")
        if span is None:
            missing.append(doc.char_span(s, e, alignment_mode="expand"))
            if stats is not None:
                stats["misaligned"] = stats.get("misaligned", 0) + 1
        else:
            ents.append(span)
    missing += [doc.char_span(s, e, alignment_mode="expand") for s, e in unknown]
    # an expanded unknown span may now touch a labelled one: the labelled one wins
    taken = {i for span in ents for i in range(span.start, span.end)}
    missing = [sp for sp in missing if sp is not None and not any(i in taken for i in range(sp.start, sp.end))]
    missing = _drop_overlaps(missing)
    doc.set_ents(ents, missing=missing, default="outside")
    if stats is not None:
        stats["entities"] = stats.get("entities", 0) + len(ents)
        stats["unknown"] = stats.get("unknown", 0) + len(missing)
    return doc


def _drop_overlaps(spans):
    out, end = [], -1
    for sp in sorted(spans, key=lambda sp: (sp.start, -sp.end)):
        if sp.start >= end:
            out.append(sp)
            end = sp.end
    return out


def load_train_docs(nlp, data_dir: Path, stats: dict | None = None) -> list[tuple[str, object]]:
    """``(paper id, Doc)`` for every paper of ``data_dir/train`` (papers.jsonl + gold.jsonl)."""
    papers = {p["id"]: p for p in read_jsonl(data_dir / "train" / "papers.jsonl")}
    out = []
    for gold in read_jsonl(data_dir / "train" / "gold.jsonl"):
        paper = papers[gold["id"]]
        text = paper_text(paper["title"], paper["abstract"])
        out.append((gold["id"], annotate(nlp, text, gold, stats)))
    return out


def split(items: list[tuple[str, object]], held_out: float = 0.15, salt: str = "kg-ner") -> tuple[list, list]:
    """Deterministic train / held-out split by a hash of the paper id (not by file order)."""
    def bucket(pid: str) -> float:
        return int(hashlib.sha1(f"{salt}:{pid}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF

    train = [doc for pid, doc in items if bucket(pid) >= held_out]
    dev = [doc for pid, doc in items if bucket(pid) < held_out]
    return train, dev


#: SciERC label -> ours; None = leave unknown (its scheme differs: Material mixes
#: datasets with generic data, OtherScientificTerm holds some of our methods)
SCIERC_LABELS = {"Method": "method", "Task": "task", "Metric": "metric",
                 "Material": None, "OtherScientificTerm": None, "Generic": "O"}


def load_scierc_docs(nlp, path: Path, labels: dict | None = None) -> list:
    """SciERC (DyGIE json: ``sentences``, ``ner`` with inclusive token offsets) as Docs.

    Its own tokens are kept (``Doc(words=...)``); the ``labels`` map says which of
    its types become ours, which stay unknown (``None``) and which are outside ("O").
    """
    from spacy.tokens import Doc

    labels = SCIERC_LABELS if labels is None else labels
    out = []
    for record in read_jsonl(path):
        words = [w for sent in record["sentences"] for w in sent]
        doc = Doc(nlp.vocab, words=words)
        ents, missing = [], []
        for sent in record["ner"]:
            for start, end, label in sent:
                target = labels.get(label)
                if target == "O":
                    continue
                span = doc[start:end + 1]
                if target is None:
                    missing.append(span)
                else:
                    ents.append(doc.char_span(span.start_char, span.end_char, label=target))
        ents = _drop_overlaps(ents)
        taken = {i for sp in ents for i in range(sp.start, sp.end)}
        missing = _drop_overlaps([sp for sp in missing if not any(i in taken for i in range(sp.start, sp.end))])
        doc.set_ents(ents, missing=missing, default="outside")
        out.append(doc)
    return out


#: SciREX label -> ours (its Material is mostly named datasets)
SCIREX_LABELS = {"Method": "method", "Task": "task", "Metric": "metric", "Material": "dataset"}
SCIREX_MAX_WORDS = 250


def load_scirex_docs(nlp, folder: Path, labels: dict | None = None) -> list:
    """Title + the next section (abstract, else the introduction) of each SciREX paper.

    SciREX annotates whole papers; only an abstract-sized part is kept: the second
    section cut at the first sentence end after ``MAX_WORDS`` words, without its
    "section : Abstract" heading tokens.
    """
    from spacy.tokens import Doc

    labels = SCIREX_LABELS if labels is None else labels
    out = []
    for path in sorted(folder.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        sections = record["sections"][:2]
        end = sections[-1][1]
        if len(sections) == 2:
            ends = [e for _, e in record["sentences"] if e >= sections[1][0] + SCIREX_MAX_WORDS]
            end = min([end] + ends[:1])
        words = record["words"][:end]
        drop = set(range(2)) if [w.lower() for w in words[:2]] == ["document", ":"] else set()
        if len(sections) == 2:
            s = sections[1][0]
            head = [w.lower() for w in words[s:s + 3]]
            if head[:2] == ["section", ":"]:
                drop |= set(range(s, s + (3 if head[2:] == ["abstract"] else 2)))
        keep = [i for i in range(end) if i not in drop]
        index = {old: new for new, old in enumerate(keep)}
        doc = Doc(nlp.vocab, words=[words[i] for i in keep])
        ents = []
        for start, stop, label in record["ner"]:
            target = labels.get(label)
            if stop > end or target is None or start in drop:
                continue
            ents.append(doc.char_span(doc[index[start]].idx, doc[index[stop - 1]].idx + len(words[stop - 1]),
                                      label=target))
        doc.set_ents(_drop_overlaps([e for e in ents if e is not None]), default="outside")
        out.append(doc)
    return out
