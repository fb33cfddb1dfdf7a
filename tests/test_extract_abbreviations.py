"""Abbreviation forms beyond "long form (SF)", and per-paper alias grouping."""
from kg.extract.abbreviations import find_definitions
from kg.extract.document import group_entities
from kg.extract.records import Abbreviation, Extraction, Mention


def pairs(text):
    return [(d.short, d.long) for d in find_definitions(text)]


def test_short_form_first_with_long_form_in_parentheses():
    text = "we propose SimLM (Similarity matching with Language Model pre-training), a simple"
    assert pairs(text) == [("SimLM", "Similarity matching with Language Model pre-training")]


def test_long_form_then_dash_short_form():
    assert pairs("we train a regressor using a novel Differentiable Semantic Rendering - DSR loss. For") == [
        ("DSR", "Differentiable Semantic Rendering")]


def test_dash_needs_a_title_case_long_form():
    assert pairs("results on Quasar-T and SearchQA - QA tasks") == []


def test_apposition_after_a_determiner_ends_in_a_type_head():
    assert pairs("we propose a representation calibration method RCAL. Specifically") == [
        ("RCAL", "representation calibration method")]
    assert pairs("the binary kernels in successful BNNs are") == []
    assert pairs("learns a better inductive bias than BERT. We") == []


def test_possessive_name_belongs_to_the_long_form_but_not_at_sentence_start():
    assert pairs("density as Laplace's cumulative distribution function (CDF) applied") == [
        ("CDF", "Laplace's cumulative distribution function")]
    assert pairs("Today's computer-aided diagnosis (CAD) tools") == [("CAD", "computer-aided diagnosis")]


def test_parenthesis_that_is_not_a_long_form():
    assert pairs("as noted by MacGregor (MacGregor, 1987) and") == []
    assert pairs("a tension of 2 N/m (no matter how slowly) was") == []


def _mention(text, start, type_="method"):
    return Mention("p", text, type_, start, start + len(text), 1, "test", 0.9)


def test_other_side_of_a_definition_is_an_alias_when_only_one_side_is_a_mention():
    # "Graph Neural Network (GNN)": GNN itself is generic and not a mention.
    extraction = Extraction("p", "t", mentions=(_mention("Graph Neural Network", 10),),
                            abbreviations=(Abbreviation("p", "GNN", "Graph Neural Network", 1, 10, 36),))
    [entity] = group_entities(extraction)
    assert entity.name == "Graph Neural Network" and entity.aliases == ("GNN",)


def test_long_form_becomes_the_name_of_a_lone_short_form():
    extraction = Extraction("p", "t", mentions=(_mention("SVD", 40),),
                            abbreviations=(Abbreviation("p", "SVD", "singular value decomposition", 1, 10, 44),))
    [entity] = group_entities(extraction)
    assert entity.name == "singular value decomposition" and entity.aliases == ("SVD",)
