"""Merger policy for tasks (POLICY.md rule 5): passing fields and bare acronyms."""
from kg.extract.merge import Candidate, merge

TEXT = "We study language modeling and IR with our new retriever."


def span(word):
    start = TEXT.index(word)
    return start, start + len(word)


def test_a_listed_task_the_model_did_not_see_is_dropped_only_when_the_model_ran():
    task = Candidate(*span("language modeling"), "task", "gazetteer.train", 0.8)
    assert merge(TEXT, [task], [], [], model_ran=False) == [task]
    assert merge(TEXT, [task], [], [], model_ran=True) == []


def test_a_listed_task_the_model_also_saw_stays():
    task = Candidate(*span("language modeling"), "task", "gazetteer.train", 0.8)
    model = Candidate(*span("language modeling"), "task", "model", 0.9)
    [kept] = merge(TEXT, [task, model], [], [], model_ran=True)
    assert (kept.start, kept.end, kept.type) == (task.start, task.end, "task")


def test_an_undefined_acronym_is_no_task_but_a_defined_one_is():
    bare = Candidate(*span("IR"), "task", "gazetteer.train", 0.8)
    assert merge(TEXT, [bare], [], []) == []
    defined = Candidate(*span("IR"), "task", "abbrev.short", 0.85)
    assert [c.type for c in merge(TEXT, [defined], [], [])] == ["task"]


def test_a_task_headed_dataset_is_a_task():
    text = "Results on Image-Text Retrieval and on MSCOCO."
    s = text.index("Image-Text Retrieval")
    cands = [Candidate(s, s + len("Image-Text Retrieval"), "dataset", "gazetteer.train", 0.8),
             Candidate(text.index("MSCOCO"), text.index("MSCOCO") + 6, "dataset", "gazetteer.train", 0.8)]
    assert [c.type for c in merge(text, cands, [], [])] == ["task", "dataset"]


def test_an_overlong_title_task_gives_way_to_the_task_the_abstract_names():
    text = "Unsupervised Dense Information Retrieval\n\nWe study information retrieval."
    long_start, inner = 0, text.rindex("information retrieval")
    cands = [Candidate(long_start, len("Unsupervised Dense Information Retrieval"), "task", "shape.head_phrase", 0.8),
             Candidate(inner, inner + len("information retrieval"), "task", "gazetteer.train", 0.8)]
    assert [text[c.start:c.end] for c in merge(text, cands, [], [])] == ["information retrieval"]
