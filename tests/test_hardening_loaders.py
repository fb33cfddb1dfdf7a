"""Fuzzed loaders: every input format, hostile text and damaged files.

Fast property tests run by default; the bounded fuzz run (``-m fuzz``, run by .ci/run after the main tests) takes 10,000
cases per format and prints how long each took. The promises checked are in
tests/fuzz/harness.py: only Problem lines or InputError, no hang, no record lost unreported.
"""
from __future__ import annotations

import atexit
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from fuzz.documents import BUILDERS, DOCUMENTS, HOSTILE, Random, damage, mutated
from fuzz.harness import check_accounted, read_input, time_limit
from kg.loaders import FORMATS, read_corpus
from kg.loaders.detect import sniff

FAST = settings(max_examples=int(os.environ.get("KG_FUZZ_FAST", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
FUZZ_CASES = int(os.environ.get("KG_FUZZ_CASES", "10000"))
STOPS_READING = ("malformed CSV", "malformed JSON")  # reading of the file ends at these (their fix says so)

_folder = Path(tempfile.mkdtemp(prefix="kg-fuzz-"))
atexit.register(shutil.rmtree, _folder, True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_has_a_document_generator(fmt):
    assert set(DOCUMENTS) == set(FORMATS)


def _well_formed(fmt):
    @FAST
    @given(document=DOCUMENTS[fmt]())
    def check(document):
        note(f"input: {document.data!r}")
        outcome = read_input(document.data, fmt, _folder, document.suffix)
        check_accounted(outcome, list(document.expected), str(_folder / f"input{document.suffix}"), STOPS_READING)

    return check


def _damaged(fmt):
    @FAST
    @given(data=mutated(fmt))
    def check(data):
        note(f"input: {data!r}")
        read_input(data, fmt, _folder, ".in")

    return check


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_records_are_read_exactly_or_reported(fmt):
    _well_formed(fmt)()


@pytest.mark.parametrize("fmt", FORMATS)
def test_damaged_files_give_problems_never_crashes(fmt):
    _damaged(fmt)()


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_in_any_format(data):
    for fmt in FORMATS:
        read_input(data, fmt, _folder, ".in")


@FAST
@given(st.one_of(st.binary(max_size=3000), st.lists(st.sampled_from(HOSTILE + ["\n", "@a{", "<feed", "{"])).map(
    lambda ts: "".join(ts).encode("utf-8", "surrogatepass"))))
def test_format_sniffing_never_crashes_and_unknown_is_reported(data):
    with time_limit(10):
        found = sniff(data[:8192])
    assert found is None or found in FORMATS
    path = _folder / "sniffed.data"
    path.write_bytes(data)
    problems = []
    report = read_corpus([path], on_problem=problems.append)
    if data.strip():
        assert report.papers or problems


def test_a_json_escape_of_a_lone_surrogate_is_reported_not_read(tmp_path):
    """Legal JSON, but no UTF-8 file (graph.json, page, RDF) could hold that title."""
    path = tmp_path / "x.jsonl"
    path.write_text('{"title": "Bad \\ud800 title", "abstract": "An abstract."}\n'
                    '{"title": "Good title", "abstract": "An \\ud83d\\ude42 abstract."}\n', encoding="utf-8")
    problems = []
    report = read_corpus([path], on_problem=problems.append)
    assert [p.title for p in report.papers] == ["Good title"]
    assert report.papers[0].abstract == "An \U0001F642 abstract."
    assert [p.message for p in problems] == [
        f"{path}:1: text that is not Unicode: a JSON escape of a lone surrogate (\\ud800) in 'title' "
        "(write the character itself, or a surrogate pair; the entry was skipped)"]


# ---------------------------------------------------------------- the bounded fuzz run

@pytest.mark.fuzz
@pytest.mark.timeout(900)
@pytest.mark.parametrize("fmt", FORMATS)
def test_bounded_fuzz_run(fmt, capsys):
    """FUZZ_CASES cases per format: half well-formed hostile documents, half damaged ones.

    Choices come from ``random`` (seeded; KG_FUZZ_SEED repeats a run), the same builders as
    the property tests, at a few milliseconds a case; a failure names the seed and case.
    """
    seed = int(os.environ.get("KG_FUZZ_SEED", time.time_ns() % 1_000_000))
    chooser = Random(random.Random(f"{seed}-{fmt}"))
    source = _folder / "bulk"
    source.mkdir(exist_ok=True)
    slowest, began = 0.0, time.perf_counter()
    for case in range(FUZZ_CASES):
        document = BUILDERS[fmt](chooser)
        data = document.data if case % 2 == 0 else damage(chooser, document)
        try:
            outcome = read_input(data, fmt, source, document.suffix)
            if case % 2 == 0:
                check_accounted(outcome, list(document.expected), str(source / f"input{document.suffix}"),
                                STOPS_READING)
        except BaseException as error:
            raise AssertionError(f"{fmt} case {case} of seed {seed} ({'damaged' if case % 2 else 'well-formed'}): "
                                 f"{error}\ninput: {data!r}") from error
        slowest = max(slowest, outcome.seconds)
    seconds = time.perf_counter() - began
    with capsys.disabled():
        print(f"\nfuzz {fmt}: {FUZZ_CASES} cases (seed {seed}) in {seconds:.1f} s, slowest read {slowest * 1000:.1f} ms")


# ---------------------------------------------------------------- what the fuzzing found (kept as regressions)

def test_json_lines_whose_first_line_is_a_list_are_read_line_by_line(tmp_path):
    """Was: read as one JSON array; every line after the list was dropped without a word."""
    path = tmp_path / "x.jsonl"
    path.write_text('["not", "a", "record"]\n{"title": "Kept title", "abstract": "Kept abstract."}\n', encoding="utf-8")
    problems = []
    report = read_corpus([path], on_problem=problems.append)
    assert [p.title for p in report.papers] == ["Kept title"]
    assert [p.message for p in problems] == [
        f'{path}:1: JSON line is not an object: found a JSON list (each line must be one {{"title": ..., "abstract": ...}} object)']


def test_a_problem_excerpt_with_undecodable_bytes_can_be_printed(tmp_path):
    """Was: the excerpt kept the bytes as lone surrogates and printing the line raised UnicodeEncodeError."""
    path = tmp_path / "x.txt"
    path.write_bytes(b"A title with a bad \xe9 byte\n")
    problems = []
    read_corpus([path], on_problem=problems.append)
    assert [p.message for p in problems] == [
        f'{path}:1: title without abstract: "A title with a bad \\xe9 byte" '
        "(put the abstract on the line after the title, or delete the title)"]
    problems[0].message.encode("utf-8")


def test_an_xml_declaration_naming_an_unknown_encoding_does_not_crash(tmp_path):
    """Was: expat raised LookupError("unknown encoding: UTF-i"), which no loader caught."""
    path = tmp_path / "x.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="UTF-i"?><feed xmlns="http://www.w3.org/2005/Atom">'
                     b"<entry><title>Caf\xc3\xa9 nets</title><summary>An abstract.</summary></entry></feed>")
    report = read_corpus([path])
    assert [(p.title, p.abstract) for p in report.papers] == [("Café nets", "An abstract.")]


def test_a_bibtex_entry_using_an_undecodable_string_macro_is_reported(tmp_path):
    """Was: the macro's bad byte (on another line) reached the paper's venue as a lone surrogate."""
    path = tmp_path / "x.bib"
    path.write_bytes(b'@string{jmlr = "Journal of ML R\xc0search"}\n'
                     b"@article{k1,\n  title = {A title},\n  abstract = {An abstract.},\n  journal = jmlr\n}\n")
    problems = []
    report = read_corpus([path], on_problem=problems.append)
    assert report.papers == []
    assert [p.message for p in problems] == [
        f"{path}:2: undecodable bytes: @article{{k1}} uses an @string macro whose value is not UTF-8 "
        "(re-save the file as UTF-8; the entry was skipped)"]
