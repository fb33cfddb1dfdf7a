"""Property tests: what a writer of each format puts in, the loader gives back."""
from __future__ import annotations

import csv
import io
import json
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.loaders import merge
from kg.loaders.bibtex import parse_bibtex
from kg.loaders.csv_format import parse_csv
from kg.loaders.jsonl import parse_jsonl
from kg.loaders.listing import parse_listing
from kg.loaders.textio import clean, decode
from kg.paper import Paper, normalise_title, paper_id

FAST = settings(max_examples=40, deadline=None)

word = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=10)
title = st.lists(word, min_size=1, max_size=15).map(" ".join).filter(lambda t: normalise_title(t) != "")
abstract = st.lists(word, min_size=30, max_size=80).map(lambda ws: " ".join(ws) + ".")
pairs = st.lists(st.tuples(title, abstract), min_size=1, max_size=8)
free_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


@FAST
@given(pairs, st.booleans())
def test_listing_gives_back_every_pair_in_both_variants(items, compact):
    separator = "\n" if compact else "\n\n"
    text = "Subscribe" + separator + separator.join(f"{t}{separator}{a}" for t, a in items) + "\n"
    problems = []
    papers = list(parse_listing(decode(text.encode()), "page.txt", problems.append))
    assert problems == []
    assert [(p.title, p.abstract) for p in papers] == items
    step = 2 if compact else 4
    first = 2 if compact else 3
    assert [p.line for p in papers] == [first + step * i for i in range(len(items))]


@FAST
@given(st.lists(st.tuples(free_text, free_text), min_size=1, max_size=6))
def test_jsonl_round_trip_of_any_text(records):
    text = "\n".join(json.dumps({"title": t, "abstract": a}, ensure_ascii=False) for t, a in records) + "\n"
    problems = []
    papers = list(parse_jsonl(decode(text.encode()), "x.jsonl", problems.append))
    good = [(clean(t), clean(a)) for t, a in records if clean(t) and clean(a)]
    assert [(p.title, p.abstract) for p in papers] == good
    assert len(problems) == len(records) - len(good)


@FAST
@given(st.lists(st.tuples(free_text, free_text), min_size=1, max_size=6))
def test_csv_round_trip_of_any_text(records):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["title", "abstract"])
    writer.writerows([[t.replace("\r", " "), a.replace("\r", " ")] for t, a in records])
    problems = []
    papers = list(parse_csv(decode(buffer.getvalue().encode()), "x.csv", problems.append))
    good = [(clean(t), clean(a)) for t, a in records if clean(t) and clean(a)]
    assert [(p.title, p.abstract) for p in papers] == good


@FAST
@given(pairs, st.booleans())
def test_bibtex_round_trip_with_braces_or_quotes(items, quoted):
    def value(text: str) -> str:
        return f'"{text}"' if quoted else "{" + text + "}"

    text = "".join(
        f"@article{{key{i},\n  title = {value(t)},\n  abstract = {value(a)}\n}}\n\n" for i, (t, a) in enumerate(items)
    )
    problems = []
    papers = list(parse_bibtex(decode(text.encode()), "x.bib", problems.append))
    assert problems == []
    nfc = [(unicodedata.normalize("NFC", t), unicodedata.normalize("NFC", a)) for t, a in items]
    assert [(p.title, p.abstract) for p in papers] == nfc  # LaTeX accents are composed, so all text is NFC


@FAST
@given(st.lists(st.sampled_from(["Pointer Networks", "pointer-networks", "Memory Networks", "MEMORY  NETWORKS.", "Locally Typical Sampling"]), min_size=1, max_size=12))
def test_merge_keeps_one_paper_per_normalised_title_with_the_first_id(titles):
    papers = [Paper(paper_id(t), t, "An abstract.", "x", i + 1) for i, t in enumerate(titles)]
    merged, count = merge(papers)
    keys = list(dict.fromkeys(normalise_title(t) for t in titles))
    assert [normalise_title(p.title) for p in merged] == keys
    assert count == len(titles) - len(keys)
    assert [p.id for p in merged] == [paper_id(k) for k in keys]
