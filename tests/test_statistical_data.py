"""Training-data conversion: document-level gold names -> exact token spans."""
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
