"""Abbreviation forms beyond "long form (SF)", and per-paper alias grouping."""
from kg.extract.abbreviations import find_definitions, find_implied
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


def test_a_lone_short_form_keeps_its_name_and_gains_the_long_form():
    extraction = Extraction("p", "t", mentions=(_mention("SVD", 40),),
                            abbreviations=(Abbreviation("p", "SVD", "singular value decomposition", 1, 10, 44),))
    [entity] = group_entities(extraction)
    assert entity.name == "SVD" and entity.aliases == ("singular value decomposition",)


def implied(text):
    return [(d.short, d.long) for d in find_implied(text, find_definitions(text))]


def test_implied_spellings():
    assert implied("AST prior knowledge\n\nWe segment the abstract syntax tree of code.") == [
        ("AST", "abstract syntax tree")]
    text = ("When vision-language models fail\n\nLarge vision and language models (VLMs) are used. "
            "Such VLMs are weak.")
    assert ("VLMs", "vision-language models") in implied(text)
    text = "Concept Bottleneck Models (CBMs) exist. Sparse Concept Bottleneck Models (Sparse-CBM) is ours."
    assert ("Sparse-CBM", "Sparse Concept Bottleneck Models") in implied(text)
    text = "Massive MIMO Beam Management\n\nBeams of massive multiple-input multiple-output (M-MIMO) systems."
    assert ("Massive MIMO", "massive multiple-input multiple-output") in implied(text)
    text = "IRWE: Inductive Random Walk for Network Embedding\n\nAn inductive random walk embedding (IRWE) method."
    assert ("Inductive Random Walk", "inductive random walk embedding") in implied(text)


def test_an_undefined_acronym_is_not_the_tasks_beside_it():
    text = "Knowledge-intensive language tasks are hard. We improve results on the KILT benchmark."
    assert implied(text) == []


def test_definition_sides_typed_apart_stay_apart():
    import spacy  # noqa: F401  (the pipeline needs it)
    from kg.extract.pipeline import extract_papers
    from kg.paper import Paper, paper_id

    title = "X: Retrieval for Knowledge-Intensive Language Tasks"
    abstract = ("Knowledge-intensive language tasks (KILT) need knowledge. We improve retrieval on the "
                "KILT benchmark.")
    paper = Paper(paper_id(title), title, abstract, "t", 1)
    extraction = next(extract_papers([paper], use_model=False))
    by_type = {e.name: e.type for e in group_entities(extraction)}
    assert by_type.get("KILT") == "benchmark"
    assert "task" in {t for n, t in by_type.items() if "tasks" in n.lower()}


def test_a_leading_word_the_short_form_needs_is_kept():
    assert pairs("a new feature of 5G new radio (NR). Codebooks") == [("NR", "new radio")]
    assert pairs("We use a novel Matryoshka Multimodal Embedder (MME).") == [("MME", "Matryoshka Multimodal Embedder")]


def test_benchmark_cue_after_a_parenthesised_short_form_types_the_definition():
    from kg.extract.pipeline import extract_papers
    from kg.paper import Paper, paper_id

    title = "Probing models"
    abstract = "We create the Attribution, Relation, and Order (ARO) benchmark to test models."
    paper = Paper(paper_id(title), title, abstract, "t", 1)
    types = {m.text: m.type for m in next(extract_papers([paper], use_model=False)).mentions}
    assert types.get("ARO") == "benchmark"
