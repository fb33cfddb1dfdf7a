"""Proposal cues: "the proposed X", "a novel X"; metrics are never proposals."""
from kg.extract.document import to_record
from kg.extract.pipeline import extract_papers
from kg.paper import Paper, paper_id


def record(abstract, title="A study"):
    paper = Paper(paper_id(title), title, abstract, "t", 1)
    return to_record(paper, next(extract_papers([paper], use_model=False)))


def test_the_proposed_name():
    rec = record("The proposed jointly learnable codebooks and mappings (JLCM) method allows compression.")
    assert rec["proposes"] == ["jointly learnable codebooks and mappings"]


def test_a_novel_name():
    rec = record("We train a regressor using a novel Differentiable Semantic Rendering - DSR loss.")
    assert rec["proposes"] == ["Differentiable Semantic Rendering"]
