"""The packaged statistical tagger: loads offline from the package, writes kg_model spans."""
import spacy
import pytest

from kg.errors import ExtractionError
from kg.extract import statistical
from kg.extract.records import ENTITY_TYPES

# A typical evaluation frame around a well-known dataset name; the model tags it
# reliably (checked on every retrained model before commit).
TEXT = "We evaluate our approach on the ImageNet dataset and report top-1 accuracy."


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("kg_statistical_ner")
    return nlp


def test_model_ships_inside_the_package():
    folder = statistical.model_path()
    assert folder.parts[-3:] == ("kg", "extract", "model")
    assert statistical.model_available()
    assert statistical.MODEL_VERSION.startswith("kg_ner-")
    model = statistical.load_model()
    assert sorted(model.get_pipe("ner").labels) == sorted(ENTITY_TYPES)


def test_tags_an_obvious_dataset(nlp):
    doc = nlp(TEXT)
    assert ("ImageNet", "dataset") in [(s.text, s.label_) for s in doc.spans["kg_model"]]


def test_span_group_has_aligned_scores_and_leaves_doc_ents_alone(nlp):
    doc = nlp.make_doc(TEXT)
    doc.ents = [doc.char_span(0, 2, label="X")]  # someone else's entity
    doc = nlp.get_pipe("kg_statistical_ner")(doc)
    group = doc.spans["kg_model"]
    scores = group.attrs["scores"]
    assert len(group) > 0 and len(scores) == len(group)
    for span, score in zip(group, scores):
        assert span.label_ in ENTITY_TYPES
        assert 0.0 < score <= 1.0
    assert [(e.text, e.label_) for e in doc.ents] == [("We", "X")]


def test_pipe_and_call_agree(nlp):
    texts = [TEXT, "BERT outperforms ELMo on the GLUE benchmark.", "Image captioning with attention."]
    def spans(doc):
        return [(s.start, s.end, s.label_) for s in doc.spans["kg_model"]]

    one = [spans(nlp(t)) for t in texts]
    many = [spans(d) for d in nlp.pipe(texts, batch_size=2)]
    assert any(one)
    assert one == many


def test_missing_model_says_how_to_rebuild(tmp_path):
    assert not statistical.model_available(tmp_path)
    with pytest.raises(ExtractionError) as err:
        statistical.load_model(str(tmp_path))
    assert "scripts/train_model.py" in str(err.value)
    assert str(tmp_path) in str(err.value)
    nlp = spacy.blank("en")
    with pytest.raises(ExtractionError):
        nlp.add_pipe("kg_statistical_ner", config={"model_path": str(tmp_path)})


def test_numpy_decoder_matches_spacys_own_loop():
    """The numpy greedy decoder gives exactly spaCy's entities, sentence starts and
    whitespace tokens included (both rule out some moves)."""
    from kg.extract.pipeline import load_pipeline

    pipeline = load_pipeline(use_model=True)
    component = pipeline.get_pipe("kg_statistical_ner")
    assert component.greedy is not None
    texts = [TEXT, "BERT.", "", "  ", "A\n\nRoBERTa  and GPT-4 on SQuAD v2.0 and GLUE.  We report F1 and BLEU-4.",
             "Dense Passage Retrieval (DPR) beats BM25 on Natural Questions.\nWe use MS MARCO."]
    docs = [pipeline.get_pipe("kg_sentences")(pipeline.make_doc(t)) for t in texts * 3]
    assert component.greedy.decode(docs) == component._run_spacy(docs)
    assert any(component.greedy.decode(docs))
