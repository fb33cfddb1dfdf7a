"""Each loader on real files: the seed corpus (both listing variants), JSONL and CSV with
renamed fields, an arXiv Atom feed and a BibTeX file; merging, ids, detection, recursion."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.loaders import FORMATS, detect, read_corpus
from kg.loaders.arxiv_atom import read_atom
from kg.loaders.bibtex import read_bibtex
from kg.loaders.csv_format import read_csv
from kg.loaders.jsonl import read_jsonl
from kg.loaders.listing import read_listing
from kg.paper import normalise_title, paper_id

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "loaders"
SEED = ROOT / "examples" / "corpus"
SHARED_SEED = Path("/work/shared/corpus")
SHARED = Path("/work/shared")


def collect(reader, path, **kwargs):
    problems = []
    papers = list(reader(path, problems.append, **kwargs))
    return papers, problems


def seed_lines(name: str) -> list[str]:
    return (SEED / name).read_text("utf-8").split("\n")


# --- listing pages -----------------------------------------------------------------------

def test_seed_corpus_counts():
    report = read_corpus([SEED])
    assert (report.entries_read, len(report.papers), report.merged) == (345, 325, 20)
    assert report.files_read == 3
    assert not report.problems and not report.skipped


@pytest.mark.skipif(not SHARED_SEED.is_dir(), reason="shared seed corpus not on this machine")
def test_shared_seed_corpus_is_the_vendored_one():
    shared = read_corpus([SHARED_SEED])
    vendored = read_corpus([SEED])
    assert [p.id for p in shared.papers] == [p.id for p in vendored.papers]


def test_blank_line_variant_pairs_every_title_with_the_next_abstract():
    lines = seed_lines("000_4db4902fe89faf6e.txt")
    papers, problems = collect(read_listing, SEED / "000_4db4902fe89faf6e.txt")
    assert problems == []
    assert len(papers) == 67
    first = papers[0]
    assert first.title == lines[10]
    assert first.abstract == lines[12].strip()
    assert first.line == 11 and first.date == "Jun 6"
    assert all(p.title == lines[p.line - 1].strip() for p in papers)
    boilerplate = {"new", "Get trending papers in your email inbox!", "Subscribe", "byAK and the research community", "Jun 6"}
    assert not boilerplate & {p.title for p in papers}


def test_compact_variant_unglues_the_first_title():
    papers, problems = collect(read_listing, SEED / "003_fea3b22feb000f04.txt")
    assert problems == []
    assert len(papers) == 218
    assert papers[0].title == "Online Clustered Codebook"
    assert papers[0].line == 3
    assert papers[0].abstract.startswith("Vector Quantisation (VQ) is experiencing a comeback")
    assert papers[1].title == "Neural Image Compression Using Masked Sparse Visual Representation"
    assert papers[-1].title == "Towards Optimal Learning of Language Models"


def test_listing_excerpts_both_variants():
    blank, p1 = collect(read_listing, DATA / "listing_blank.txt")
    compact, p2 = collect(read_listing, DATA / "listing_compact.txt")
    assert p1 == p2 == []
    assert [p.line for p in blank] == [11, 15, 19]
    assert [p.line for p in compact] == [3, 5, 7, 9]
    assert compact[0].title == "Online Clustered Codebook"


def test_duplicates_within_and_across_seed_files_keep_the_first():
    report = read_corpus([SEED])
    by_title = {normalise_title(p.title): p for p in report.papers}
    codegen = by_title[normalise_title("CodeGen2: Lessons for Training LLMs on Programming and Natural Languages")]
    assert codegen.source.endswith("000_4db4902fe89faf6e.txt")  # first of its three copies
    assert codegen.id == paper_id(codegen.title)
    assert len({p.id for p in report.papers}) == 325


# --- JSON Lines and CSV ------------------------------------------------------------------

RENAMED = {"id": "paper_id", "title": "name", "abstract": "summary", "date": "published", "url": "link", "venue": "conf", "year": "yr"}


def test_jsonl_with_renamed_fields():
    papers, problems = collect(read_jsonl, DATA / "papers_renamed.jsonl", fields=RENAMED)
    assert problems == []
    assert [p.title for p in papers] == ["Pointer Networks", "Memory Networks", "Locally Typical Sampling"]
    pointer = papers[0]
    assert (pointer.record_id, pointer.date, pointer.arxiv_id, pointer.venue, pointer.line) == (
        "arXiv:1506.03134", "2015-06-09", "1506.03134", "NeurIPS", 1)
    assert papers[1].arxiv_id == "1410.3916"  # from the url
    assert papers[2].date == "2023"  # no date: the year stands in


def test_jsonl_default_field_names_without_mapping_skip_every_record():
    papers, problems = collect(read_jsonl, DATA / "papers_renamed.jsonl")
    assert papers == []
    assert {p.reason for p in problems} == {"record without title or abstract"}


@pytest.mark.skipif(not (SHARED / "eval").is_dir(), reason="shared eval data not on this machine")
def test_dev_papers_and_paperlists_read():
    papers, problems = collect(read_jsonl, SHARED / "eval" / "dev_papers.jsonl")
    assert problems == [] and len(papers) == 60
    assert papers[0].record_id == "dev-000"
    lists = SHARED / "data" / "abstracts" / "paperlists"
    papers, problems = collect(read_jsonl, lists / "nips2012.jsonl")  # abstracts with U+2028 inside
    expected = sum(1 for line in (lists / "nips2012.jsonl").read_bytes().split(b"\n") if line.strip())
    assert problems == [] and len(papers) == expected
    first = json.loads((lists / "acl2021.jsonl").read_text("utf-8").split("\n")[0])
    paper = next(iter(collect(read_jsonl, lists / "acl2021.jsonl")[0]))
    assert (paper.record_id, paper.venue, paper.date, paper.title) == (first["id"], first["venue"], str(first["year"]), first["title"])


def test_csv_with_renamed_columns_and_multiline_quoted_abstract():
    fields = {"id": "Key", "title": "paper title", "abstract": "SUMMARY", "date": "Published", "url": "Link"}
    papers, problems = collect(read_csv, DATA / "papers_renamed.csv", fields=fields)
    assert problems == []
    assert [p.line for p in papers] == [2, 3, 5]  # the second row spans lines 3-4
    assert papers[0].arxiv_id == "2305.02309" and papers[0].record_id == "c1"
    assert papers[1].abstract.startswith("We describe a new class of learning models called memory networks. Memory networks reason")
    assert papers[2].title == "Sparse, Dense, and Attentional Representations for Text Retrieval"
    assert papers[2].url is None


def test_tsv_is_read_with_tabs(tmp_path):
    path = tmp_path / "papers.tsv"
    path.write_text("title\tabstract\nPointer Networks\tWe introduce a new neural architecture, with commas, to learn.\n", "utf-8")
    papers, problems = collect(read_csv, path)
    assert problems == [] and papers[0].abstract.endswith("with commas, to learn.")


# --- arXiv Atom and BibTeX ----------------------------------------------------------------

def test_atom_feed():
    papers, problems = collect(read_atom, DATA / "arxiv_query.xml")
    assert problems == []
    assert [p.title for p in papers] == ["Pointer Networks", "Memory Networks", "Locally Typical Sampling"]
    lines = (DATA / "arxiv_query.xml").read_text("utf-8").split("\n")
    assert [p.line for p in papers] == [i for i, line in enumerate(lines, start=1) if line.strip() == "<entry>"]
    pointer = papers[0]
    assert pointer.arxiv_id == "1506.03134"
    assert pointer.url == "http://arxiv.org/abs/1506.03134v2"
    assert pointer.date == "2015-06-09"
    assert pointer.authors == ("Oriol Vinyals", "Meire Fortunato", "Navdeep Jaitly")
    assert "\n" not in pointer.abstract and "  " not in pointer.abstract
    assert papers[2].venue.startswith("Transactions of the Association for Computational Linguistics")


def _line_of(path: Path, text: str) -> int:
    return path.read_text("utf-8").split("\n").index(text) + 1


def test_bibtex_file():
    papers, problems = collect(read_bibtex, DATA / "refs.bib")
    assert [p.message for p in problems] == [
        f'{DATA / "refs.bib"}:{_line_of(DATA / "refs.bib", "@book{goodfellow2016deep,")}: title without abstract: @book{{goodfellow2016deep}} "Deep Learning" (add an abstract = {{...}} field)'
    ]
    assert [p.record_id for p in papers] == ["vinyals2015pointer", "weston2014memory", "meister2023locally", "schmidhuber2015"]
    pointer, memory, typical, overview = papers
    assert pointer.title == "Pointer Networks"
    assert pointer.venue == "Advances in Neural Information Processing Systems 28"  # @string + concatenation
    assert (pointer.date, pointer.arxiv_id, pointer.url) == ("2015-06", "1506.03134", "https://arxiv.org/abs/1506.03134")
    assert pointer.authors == ("Vinyals, Oriol", "Fortunato, Meire", "Jaitly, Navdeep")
    assert memory.title == "Memory Networks" and memory.arxiv_id == "1410.3916"  # quoted value, id from journal
    assert typical.line == _line_of(DATA / "refs.bib", "@article(meister2023locally,") and typical.url == "https://doi.org/10.1162/tacl_a_00536"  # @article( ... )
    assert overview.title == "Deep Learning in Neural Networks: An Overview & Outlook by Jürgen Schmidhuber"
    assert overview.abstract.startswith("In recent years, deep artificial neural networks (including")


# --- the same paper from every format -------------------------------------------------------

def test_same_paper_same_id_from_every_format():
    ids = {}
    for reader, path, kwargs in [
        (read_listing, SEED / "001_3f636bcf444e6938.txt", {}),
        (read_jsonl, DATA / "papers_renamed.jsonl", {"fields": RENAMED}),
        (read_atom, DATA / "arxiv_query.xml", {}),
        (read_bibtex, DATA / "refs.bib", {}),
    ]:
        papers, _ = collect(reader, path, **kwargs)
        ids[reader.__name__] = next(p.id for p in papers if p.title == "Pointer Networks")
    assert set(ids.values()) == {paper_id("Pointer Networks")}


def test_merging_across_formats_fills_missing_fields():
    report = read_corpus(
        [SEED / "001_3f636bcf444e6938.txt", DATA / "arxiv_query.xml", DATA / "refs.bib"],
    )
    pointer = next(p for p in report.papers if p.title == "Pointer Networks")
    assert pointer.source.endswith("001_3f636bcf444e6938.txt")
    assert pointer.line == seed_lines("001_3f636bcf444e6938.txt").index("Pointer Networks") + 1
    assert pointer.date == "Mar 11"  # the first keeps its own
    assert pointer.arxiv_id == "1506.03134" and pointer.url == "http://arxiv.org/abs/1506.03134v2"
    assert pointer.authors == ("Oriol Vinyals", "Meire Fortunato", "Navdeep Jaitly")
    assert report.entries_read == 60 + 3 + 4
    # Pointer Networks and Locally Typical Sampling are in 001; Memory Networks is in the feed and the .bib
    assert report.merged == 2 + 3
    assert len(report.papers) == 60 + 1 + 1


def test_merging_by_arxiv_id_when_titles_differ(tmp_path):
    path = tmp_path / "two.jsonl"
    abstract = "We introduce a new neural architecture to learn the conditional probability of an output sequence."
    path.write_text(
        json.dumps({"title": "Pointer Networks", "abstract": abstract, "url": "https://arxiv.org/abs/1506.03134"}) + "\n"
        + json.dumps({"title": "Pointer Nets (NeurIPS version)", "abstract": abstract, "arxiv_id": "1506.03134v2", "date": "2015"}) + "\n",
        "utf-8",
    )
    report = read_corpus([path])
    assert (len(report.papers), report.merged) == (1, 1)
    assert report.papers[0].id == paper_id("Pointer Networks") and report.papers[0].date == "2015"


def test_ids_and_order_are_stable_between_runs():
    first = read_corpus([SEED, DATA / "refs.bib"])
    second = read_corpus([SEED, DATA / "refs.bib"])
    assert [p.to_dict() for p in first.papers] == [p.to_dict() for p in second.papers]


# --- detection and folders ------------------------------------------------------------------

@pytest.mark.parametrize(
    "name, expected",
    [
        ("listing_blank.txt", "listing"),
        ("papers_renamed.jsonl", "jsonl"),
        ("papers_renamed.csv", "csv"),
        ("arxiv_query.xml", "atom"),
        ("refs.bib", "bibtex"),
        ("bad/unknown.pdf", None),
        ("bad/nothing_readable/scan.png", None),
    ],
)
def test_format_from_extension_and_content(name, expected, tmp_path):
    source = DATA / name
    assert detect(source, source.read_bytes()[:8192]) == expected
    renamed = tmp_path / "noext"  # the same content without a telling extension
    renamed.write_bytes(source.read_bytes())
    assert detect(renamed, renamed.read_bytes()[:8192]) == expected


def test_format_override_reads_an_unknown_extension(tmp_path):
    path = tmp_path / "export.dat"
    path.write_bytes((DATA / "refs.bib").read_bytes().replace(b"@", b"\n@"))
    assert read_corpus([path], format="bibtex").entries_read == 4
    assert set(FORMATS) == {"listing", "jsonl", "csv", "atom", "bibtex"}


def test_folders_are_read_recursively_in_sorted_order_without_hidden_files():
    report = read_corpus([DATA / "tree"])
    assert [Path(p.source).relative_to(DATA / "tree").as_posix() for p in report.papers] == [
        "a.jsonl", "sub/b.bib", "sub/saved_page"]
    assert report.papers[1].arxiv_id == "1506.03134"
    assert report.files_read == 3 and not report.problems


def test_a_file_given_twice_is_read_once():
    report = read_corpus([DATA / "tree", DATA / "tree" / "a.jsonl"])
    assert report.files_read == 3 and report.merged == 0


def test_a_json_array_file_is_read_with_line_numbers(tmp_path):
    records = [json.loads(line) for line in (DATA / "papers_renamed.jsonl").read_text("utf-8").splitlines()]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(records, indent=2), "utf-8")
    report = read_corpus([path], fields=RENAMED)
    lines = path.read_text("utf-8").split("\n")
    assert [p.title for p in report.papers] == ["Pointer Networks", "Memory Networks", "Locally Typical Sampling"]
    assert [lines[p.line - 1].strip() for p in report.papers] == ["{"] * 3
    assert detect(tmp_path / "noext", path.read_bytes()) == "jsonl"
