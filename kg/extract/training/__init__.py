"""Training data and training run for the statistical entity tagger.

Not imported by the extraction pipeline: only ``scripts/train_model.py`` and the
tests use it. It turns document-level gold (names per type) into token-level
spaCy ``Doc`` annotations, and trains the small ``ner`` that ships in
``kg/extract/model``.
"""
