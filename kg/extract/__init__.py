"""Extraction: papers in, typed mentions, relations and numeric results out.

Public API (the only place in kg that imports spaCy is this package):

- ``kg.extract.pipeline.load_pipeline(use_model=True, merge=None, gazetteer_dir=None)``
- ``kg.extract.pipeline.extract_papers(papers, *, n_process=1, batch_size=64, use_model=True)``
  -> ``Extraction`` records (``kg.extract.records``), in input order
- ``kg.extract.document.group_entities(extraction)`` / ``to_record(paper, extraction)`` /
  ``extract_records(papers, ...)``: the per-paper JSON object ``kg extract`` writes

How rules and the model are combined: ``POLICY.md`` beside this file.
"""
