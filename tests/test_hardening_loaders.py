"""Fuzzed loaders: every input format, hostile text and damaged files.

Fast property tests run by default; the bounded fuzz run (``-m slow``) takes 10,000
cases per format and prints how long each took. The promises checked are in
tests/fuzz/harness.py: only Problem lines or InputError, no hang, no record lost unreported.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from fuzz.documents import DOCUMENTS, HOSTILE, mutated
from fuzz.harness import check_accounted, read_input, time_limit
from kg.loaders import FORMATS, read_corpus
from kg.loaders.detect import sniff

FAST = settings(max_examples=int(os.environ.get("KG_FUZZ_FAST", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
FUZZ_CASES = int(os.environ.get("KG_FUZZ_CASES", "10000"))
STOPS_READING = ("malformed CSV", "malformed JSON")  # reading of the file ends at these (their fix says so)

_folder = Path(tempfile.mkdtemp(prefix="kg-fuzz-"))


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
    @given(data=mutated(DOCUMENTS[fmt]()))
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

@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("fmt", FORMATS)
def test_bounded_fuzz_run(fmt, capsys):
    """FUZZ_CASES cases per format: half well-formed hostile documents, half damaged ones."""
    per_case = []
    # No shrinking here: a failure prints its input at once instead of spending minutes minimising it.
    bounded = settings(max_examples=FUZZ_CASES // 2, deadline=None, database=None,
                       phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    run = {}

    @bounded
    @given(document=DOCUMENTS[fmt]())
    def well_formed(document):
        note(f"input: {document.data!r}")
        outcome = read_input(document.data, fmt, _folder, document.suffix)
        check_accounted(outcome, list(document.expected), str(_folder / f"input{document.suffix}"), STOPS_READING)
        per_case.append(outcome.seconds)

    @bounded
    @given(data=mutated(DOCUMENTS[fmt]()))
    def damaged(data):
        note(f"input: {data!r}")
        per_case.append(read_input(data, fmt, _folder, ".in").seconds)

    began = time.perf_counter()
    well_formed()
    damaged()
    run["seconds"] = time.perf_counter() - began
    with capsys.disabled():
        print(f"\nfuzz {fmt}: {len(per_case)} cases in {run['seconds']:.1f} s "
              f"(slowest read {max(per_case) * 1000:.1f} ms)")
    assert len(per_case) >= FUZZ_CASES * 0.95
