"""Training-data conversion: document-level gold names -> exact token spans."""
import json

import spacy

from kg.extract.training.convert import annotate, split
from kg.extract.training.project import Target, project, targets_from_gold


def _gold(entities, aliases=None):
    full = {t: {"required": [], "optional": []} for t in ("method", "dataset", "benchmark", "metric", "task")}
    for t, lists in entities.items():
        full[t].update(lists)
    return {"entities": full, "aliases": aliases or {}}


def _tags(doc):
    """(token, tag) with tag = label, 'O' for outside, '?' for unknown (missing)."""
    out = []
    for tok in doc:
        if tok.ent_iob == 0:
            out.append((tok.text, "?"))
        elif tok.ent_iob == 2:
            out.append((tok.text, "O"))
        else:
            out.append((tok.text, tok.ent_type_))
    return out


def test_project_longest_first_every_occurrence_case_insensitive():
    text = "Improved VQGAN beats VQGAN. vqgan is old."
    labelled, unknown = project(text, [Target("VQGAN", "method"), Target("Improved VQGAN", None)])
    assert labelled == [(21, 26, "method"), (28, 33, "method")]
    assert unknown == [(0, 14)]


def test_aliases_take_their_names_status():
    gold = _gold({"method": {"required": ["Retrieval-Augmented Generation"], "optional": ["prompting"]}},
                 {"Retrieval-Augmented Generation": ["RAG"], "prompting": ["PR"], "Elsewhere": ["EW"]})
    targets = targets_from_gold(gold, ("method",))
    assert Target("RAG", "method") in targets
    assert Target("PR", None) in targets
    assert Target("EW", None) in targets


def test_annotate_gives_exact_token_spans():
    nlp = spacy.blank("en")
    text = "Improved VQGAN beats VQGAN on ImageNet with data augmentation and RAG."
    gold = _gold(
        {
            "method": {"required": ["VQGAN", "Retrieval-Augmented Generation"],
                       "optional": ["Improved VQGAN", "data augmentation"]},
            "dataset": {"required": ["ImageNet"]},
        },
        {"Retrieval-Augmented Generation": ["RAG"]},
    )
    doc = annotate(nlp, text, gold)
    assert _tags(doc) == [
        ("Improved", "?"), ("VQGAN", "?"), ("beats", "O"), ("VQGAN", "method"), ("on", "O"),
        ("ImageNet", "dataset"), ("with", "O"), ("data", "?"), ("augmentation", "?"), ("and", "O"),
        ("RAG", "method"), (".", "O"),
    ]


def test_name_inside_a_token_is_left_unknown_not_mislabelled():
    nlp = spacy.blank("en")
    stats = {}
    doc = annotate(nlp, "GPT-4 and GPT are compared.", _gold({"method": {"required": ["GPT"]}}), stats)
    assert _tags(doc) == [("GPT-4", "?"), ("and", "O"), ("GPT", "method"), ("are", "O"),
                          ("compared", "O"), (".", "O")]
    assert stats == {"misaligned": 1, "entities": 1, "unknown": 1}


def test_split_is_deterministic_and_disjoint():
    items = [(f"p{i}", i) for i in range(200)]
    train, held = split(items)
    rtrain, rheld = split(list(reversed(items)))
    assert (sorted(rtrain), sorted(rheld)) == (sorted(train), sorted(held))  # by id, not by file order
    assert sorted(train + held) == list(range(200))
    assert set(train).isdisjoint(held)
    assert 10 < len(held) < 50
    assert split(items) == (train, held)


def test_scierc_record_maps_labels_and_leaves_material_unknown(tmp_path):
    from kg.extract.training.convert import load_scierc_docs

    record = {"sentences": [["We", "apply", "CRFs", "to", "parsing", "on", "WSJ", "."], ["An", "approach", "."]],
              "ner": [[[2, 2, "Method"], [4, 4, "Task"], [6, 6, "Material"]], [[9, 9, "Generic"]]]}
    path = tmp_path / "train.json"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (doc,) = load_scierc_docs(spacy.blank("en"), path)
    assert _tags(doc) == [("We", "O"), ("apply", "O"), ("CRFs", "method"), ("to", "O"), ("parsing", "task"),
                          ("on", "O"), ("WSJ", "?"), (".", "O"), ("An", "O"), ("approach", "O"), (".", "O")]


def test_scirex_keeps_title_and_abstract_without_headings(tmp_path):
    from kg.extract.training.convert import load_scirex_docs

    words = ["document", ":", "Deep", "Nets", "section", ":", "Abstract", "Deep", "Nets", "beat", "SVMs",
             "on", "MNIST", ".", "section", ":", "Introduction", "More", "."]
    record = {"words": words, "sections": [[0, 4], [4, 14], [14, 19]], "sentences": [[0, 4], [4, 14], [14, 19]],
              "ner": [[2, 4, "Method"], [7, 9, "Method"], [10, 11, "Method"], [12, 13, "Material"],
                      [17, 18, "Task"]]}
    (tmp_path / "x.json").write_text(json.dumps(record), encoding="utf-8")
    (doc,) = load_scirex_docs(spacy.blank("en"), tmp_path)
    assert doc.text == "Deep Nets Deep Nets beat SVMs on MNIST . "
    assert [(e.text, e.label_) for e in doc.ents] == [("Deep Nets", "method"), ("Deep Nets", "method"),
                                                     ("SVMs", "method"), ("MNIST", "dataset")]
