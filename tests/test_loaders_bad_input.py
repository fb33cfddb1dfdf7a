"""Bad input: each case gives one line naming file:line, the reason and the fix; the run goes
on with the good records; ``--strict`` turns any skip into exit code 1."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError, UsageError
from kg.loaders import read_corpus

DATA = Path(__file__).parent / "data" / "loaders"

NO_PAPERS = (
    "Error: no papers were read (give files in a known format: a listing page (.txt), JSON Lines, CSV, arXiv Atom or BibTeX)"
)
UNKNOWN_FIX = (
    "give --format listing|jsonl|csv|atom|bibtex, or use an extension: "
    ".atom .bib .bibtex .csv .json .jsonl .ndjson .text .tsv .txt .xml"
)

# input (relative to tests/data/loaders), problem lines on stderr, papers read
CASES = [
    (
        "bad/title_without_abstract.txt",
        ['bad/title_without_abstract.txt:15: title without abstract: "A Title Whose Abstract Was Lost When The Page Was Saved" '
         "(put the abstract on the line after the title, or delete the title)"],
        2,
    ),
    (
        "bad/undecodable.txt",
        ["bad/undecodable.txt:4: undecodable bytes: byte 0xe9 at column 52 is not UTF-8 "
         "(re-save the file as UTF-8; the entry was skipped)"],
        2,
    ),
    (
        "bad/undecodable.jsonl",
        ["bad/undecodable.jsonl:2: undecodable bytes: byte 0xe9 at column 27 is not UTF-8 "
         "(re-save the file as UTF-8; the entry was skipped)"],
        2,
    ),
    (
        "bad/malformed.jsonl",
        [
            "bad/malformed.jsonl:2: malformed JSON line: Unterminated string starting at column 55 "
            "(fix the line or delete it; each line must be one complete JSON object)",
            'bad/malformed.jsonl:3: JSON line is not an object: found a JSON list '
            '(each line must be one {"title": ..., "abstract": ...} object)',
            "bad/malformed.jsonl:4: title without abstract: \"A Record Without Its Abstract\" has no 'abstract' value "
            "(fill it, or name the abstract field with --field abstract=NAME)",
        ],
        2,
    ),
    (
        "bad/no_abstract_column.csv",
        ["bad/no_abstract_column.csv:1: no abstract column: no column named 'abstract'; the columns are "
         '"title", "summary", "year" (name the column with --field abstract=COLUMN)'],
        0,
    ),
    ("bad/empty.txt", ["bad/empty.txt: empty file (fill it or leave it out)"], 0),
    ("bad/missing.jsonl", ["bad/missing.jsonl: no such file or directory (check the path)"], 0),
    (
        "bad/nothing_readable",
        [f"bad/nothing_readable: nothing readable in folder: 1 file, none in a known format ({UNKNOWN_FIX})"],
        0,
    ),
    ("bad/unknown.pdf", [f"bad/unknown.pdf: unknown format ({UNKNOWN_FIX})"], 0),
    (
        "bad/doctype.xml",
        ["bad/doctype.xml:2: DTD or entity declaration refused: found <!DOCTYPE "
         "(remove the <!DOCTYPE>/<!ENTITY> declarations; arXiv API feeds have none)"],
        0,
    ),
    (
        "bad/malformed.xml",
        ["bad/malformed.xml:5: malformed XML: mismatched tag at column 30 (fix the XML; the file was skipped)"],
        0,
    ),
    (
        "bad/broken.bib",
        ["bad/broken.bib:1: malformed BibTeX entry: unbalanced braces at line 2 "
         "(fix the entry; reading went on at the next line starting with @)"],
        1,
    ),
]


@pytest.fixture()
def in_data(monkeypatch):
    monkeypatch.chdir(DATA)
    return CliRunner()


def _summary(text: str) -> dict[str, str]:
    """The summary table as {row name: first value}."""
    rows = {}
    for line in text.splitlines():
        name, _, value = line.strip().rpartition("  ")
        if name and not line.startswith(("Error", "bad/")):
            rows[name.strip()] = value.split()[0]
    return rows


def _problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("Error:")]


@pytest.mark.parametrize("path, problems, papers", CASES, ids=[c[0] for c in CASES])
def test_bad_input_message_and_exit_code(in_data, path, problems, papers):
    result = in_data.invoke(main, ["load", "-q", path])
    assert _problem_lines(result.stderr) == problems
    assert _summary(result.stdout)["papers"] == str(papers)
    if papers:
        assert result.exit_code == 0, result.output
        assert "Error:" not in result.stderr
    else:
        assert result.exit_code == 1
        assert result.stderr.splitlines()[-1] == NO_PAPERS


@pytest.mark.parametrize("path, problems, papers", CASES, ids=[c[0] for c in CASES])
def test_strict_fails_on_any_skip(in_data, path, problems, papers):
    result = in_data.invoke(main, ["load", "-q", "--strict", path])
    assert result.exit_code == 1
    assert _problem_lines(result.stderr) == problems
    n = len(problems)
    assert result.stderr.splitlines()[-1] == (
        f"Error: {n} skipped and --strict is on "
        "(fix the inputs named above, or run without --strict to go on with the good records)"
    )


def test_good_and_bad_together_go_on_and_summarise(in_data):
    result = in_data.invoke(
        main, ["load", "-q", "bad/title_without_abstract.txt", "bad/empty.txt", "bad/malformed.jsonl", "refs.bib"]
    )
    assert result.exit_code == 0
    # Pointer Networks and Memory Networks are in all three readable files; refs.bib adds two more papers
    assert result.stdout == (
        "papers                        4\n"
        "entries read                  8 from 4 files\n"
        "merged                        4 duplicates\n"
        "skipped                       6\n"
        "  empty file                  1\n"
        "  JSON line is not an object  1\n"
        "  malformed JSON line         1\n"
        "  title without abstract      3\n"
    )
    assert len(_problem_lines(result.stderr)) == 6


def test_strict_after_everything_is_read(in_data):
    problems = []
    with pytest.raises(InputError) as raised:
        read_corpus(["bad/title_without_abstract.txt", "refs.bib"], on_problem=problems.append, strict=True)
    assert raised.value.message == (
        "2 skipped and --strict is on (fix the inputs named above, or run without --strict to go on with the good records)"
    )
    assert [p.where for p in problems] == ["bad/title_without_abstract.txt:15", "refs.bib:89"]
    assert len(raised.value.report.papers) == 4  # refs.bib holds both papers of the listing page


def test_every_problem_is_one_line(in_data):
    report = read_corpus([c[0] for c in CASES])
    assert len(report.problems) == sum(len(c[1]) for c in CASES)
    assert all("\n" not in p.message for p in report.problems)
    assert sum(report.skipped.values()) == len(report.problems)


def test_json_output_is_clean_jsonl_and_the_summary_goes_to_stderr(in_data):
    result = in_data.invoke(main, ["load", "-q", "--json", "bad/malformed.jsonl"])
    assert result.exit_code == 0
    papers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [p["record_id"] for p in papers] == ["m1", "m5"]
    assert [p["line"] for p in papers] == [1, 6]
    assert _summary(result.stderr)["papers"] == "2"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--field", "abstract"], "Invalid value for '--field': field spec 'abstract' is not KEY=COLUMN (write it like --field abstract=summary)"),
        (["--field", "summary=abstract"], "Invalid value for '--field': unknown field key 'summary' in 'summary=abstract' "
         "(keys are id, title, abstract, date, url, arxiv_id, venue, year, authors)"),
        (["--format", "pdf"], "Invalid value for '--format': 'pdf' is not one of 'listing', 'jsonl', 'csv', 'atom', 'bibtex'."),
    ],
)
def test_bad_options_exit_2(in_data, args, message):
    result = in_data.invoke(main, ["load", "refs.bib", *args])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}"


def test_library_rejects_bad_format_and_fields():
    with pytest.raises(UsageError):
        read_corpus([DATA / "refs.bib"], format="pdf")
    with pytest.raises(UsageError):
        read_corpus([DATA / "refs.bib"], fields={"summary": "abstract"})


def test_field_option_fixes_the_missing_column(in_data):
    result = in_data.invoke(main, ["load", "-q", "--strict", "--field", "abstract=summary", "bad/no_abstract_column.csv"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


ABSTRACT = (
    "We introduce a new neural architecture to learn the conditional probability of an output sequence "
    "with elements that are discrete tokens corresponding to positions in an input sequence."
)


def test_undecodable_bytes_skip_only_their_csv_row_and_bibtex_entry(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bad.csv").write_bytes(
        b'title,abstract\nPointer Networks,"' + ABSTRACT.encode()
        + b'"\nCaf\xe9 Nets,"multi\nline abstract"\nMemory Networks,"' + ABSTRACT.encode() + b'"\n'
    )
    Path("bad.bib").write_bytes(
        b"@misc{a, title={Caf\xe9}, abstract={x y z}}\n@misc{b,\n title={Locally Typical Sampling},\n abstract={"
        + ABSTRACT.encode() + b"}}\n"
    )
    problems = []
    report = read_corpus(["bad.csv", "bad.bib"], on_problem=problems.append)
    assert [p.message for p in problems] == [
        "bad.csv:3: undecodable bytes: byte 0xe9 at column 4 is not UTF-8 (re-save the file as UTF-8; the entry was skipped)",
        "bad.bib:1: undecodable bytes: byte 0xe9 at column 20 is not UTF-8 (re-save the file as UTF-8; the entry was skipped)",
    ]
    assert [p.title for p in report.papers] == ["Pointer Networks", "Memory Networks", "Locally Typical Sampling"]
    assert [p.line for p in report.papers] == [2, 5, 2]


def test_windows_line_ends_and_byte_order_mark_are_fine(tmp_path):
    path = tmp_path / "page.txt"
    path.write_bytes(("\ufeffSubscribe\r\n\r\nPointer Networks\r\n\r\n" + ABSTRACT + "\r\n").encode())
    report = read_corpus([path])
    assert not report.problems
    assert [(p.title, p.abstract, p.line) for p in report.papers] == [("Pointer Networks", ABSTRACT, 3)]
