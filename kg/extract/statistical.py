"""The trained statistical entity tagger as a pipeline component.

``kg_statistical_ner`` runs the small spaCy ``ner`` shipped in ``kg/extract/model``
(trained by ``scripts/train_model.py``); it neither reads nor changes the
``doc.ents`` that other components own (they are saved and restored), and writes its
spans to ``doc.spans["kg_model"]`` with labels method / dataset / benchmark /
metric / task. ``doc.spans["kg_model"].attrs["scores"]`` holds one confidence per
span, aligned with the spans: the greedy transition tagger has no per-span
probability, so each span gets its label's precision measured on the held-out
part of the training data at training time (``meta.json`` -> ``kg.label_confidence``).

Loading reads only the package folder (``importlib.resources``): no network.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from spacy.attrs import ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup
from spacy.util import minibatch

from kg.errors import ExtractionError
from kg.extract.greedy import GreedyNER
from kg.extract.records import ENTITY_TYPES

SPAN_KEY = "kg_model"
REBUILD = "python scripts/train_model.py --data /work/shared/data --out kg/extract/model"
_ENT_ATTRS = [ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID]
_REQUIRED_FILES = ("meta.json", "config.cfg", "ner/model", "ner/moves")


def model_path() -> Path:
    """Folder of the packaged model (it may be missing in a checkout that never built it)."""
    return Path(str(resources.files("kg.extract").joinpath("model")))


def model_available(path: str | Path | None = None) -> bool:
    """True when the model folder holds a complete spaCy pipeline."""
    folder = Path(path) if path else model_path()
    return all((folder / name).is_file() for name in _REQUIRED_FILES)


def _read_meta(folder: Path) -> dict:
    try:
        return json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _version(meta: dict) -> str:
    if not meta:
        return "unavailable"
    kg = meta.get("kg", {})
    return f"{meta.get('name', 'kg_ner')}-{meta.get('version', '0')}-{kg.get('fingerprint', 'nofp')}"


#: identifies the packaged model's weights (part of extraction cache keys)
MODEL_VERSION = _version(_read_meta(model_path()))


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> Language:
    """The trained spaCy pipeline, loaded once per process (``None`` = the packaged one)."""
    import spacy

    folder = Path(path) if path else model_path()
    if not model_available(folder):
        raise ExtractionError(
            "the trained entity model is missing or incomplete",
            where=str(folder),
            fix=f"rebuild it with: {REBUILD}",
        )
    try:
        return spacy.load(folder)
    except Exception as exc:  # a corrupt or incompatible folder: say which and how to fix
        raise ExtractionError(
            f"the trained entity model cannot be loaded: {exc}",
            where=str(folder),
            fix=f"rebuild it with: {REBUILD}",
        ) from exc


class StatisticalNER:
    """``Doc -> Doc``: model spans into ``doc.spans["kg_model"]`` with per-span scores."""

    def __init__(self, nlp: Language, name: str, model_path: str | None = None):
        self.name = name
        self.model = load_model(model_path)
        self.ner = self.model.get_pipe("ner")
        meta = self.model.meta.get("kg", {})
        self.confidence = {label: float(meta.get("label_confidence", {}).get(label, 0.5)) for label in ENTITY_TYPES}
        self.version = _version(self.model.meta)
        try:
            self.greedy = GreedyNER(self.ner)
        except ValueError:  # another architecture: spaCy's own decoding loop
            self.greedy = None
        for label in ENTITY_TYPES:
            nlp.vocab.strings.add(label)

    def _run(self, docs: list[Doc]) -> None:
        """Tag ``docs`` with the model into ``doc.spans["kg_model"]``; ``doc.ents`` is not touched.

        The numpy decoder (``kg.extract.greedy``) runs the network as spaCy would on docs
        whose entity tags are all "missing"; models it cannot read fall back to spaCy's
        own loop, with every tag first set to "missing" and restored afterwards.
        """
        if self.greedy is not None:
            found = self.greedy.decode(docs)
        else:
            found = self._run_spacy(docs)
        for doc, ents in zip(docs, found):
            ents = [e for e in ents if e[2] in self.confidence]
            group = SpanGroup(doc, name=SPAN_KEY, spans=[Span(doc, s, e, label=label) for s, e, label in ents])
            group.attrs["scores"] = [self.confidence[label] for _, _, label in ents]
            doc.spans[SPAN_KEY] = group

    def _run_spacy(self, docs: list[Doc]) -> list[list[tuple[int, int, str]]]:
        saved = [doc.to_array(_ENT_ATTRS) for doc in docs]
        for doc in docs:
            doc.set_ents([], default="missing")
        self.ner.set_annotations(docs, self.ner.predict(docs))
        found = []
        for doc, array in zip(docs, saved):
            found.append([(e.start, e.end, e.label_) for e in doc.ents])
            doc.from_array(_ENT_ATTRS, array)
        return found

    def __call__(self, doc: Doc) -> Doc:
        self._run([doc])
        return doc

    def pipe(self, stream, batch_size: int = 128):
        """Batched prediction: the tagger's matrix work is much cheaper per batch than per doc."""
        for batch in minibatch(stream, size=batch_size):
            self._run(batch)
            yield from batch


@Language.factory("kg_statistical_ner", default_config={"model_path": None})
def make_statistical_ner(nlp: Language, name: str, model_path: str | None) -> StatisticalNER:
    """Factory: ``nlp.add_pipe("kg_statistical_ner")`` (optionally ``config={"model_path": DIR}``)."""
    return StatisticalNER(nlp, name, model_path)
