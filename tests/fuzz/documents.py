"""Hypothesis strategies: input files of every format, built from records full of hostile text.

Each ``*_documents`` strategy gives a ``Document``: the file's bytes and the records that
a correct loader must read exactly or report (``Expected``, with their line spans). The
text mixes words with quotes, backslashes, markup, delimiters, RTL and zero-width marks,
control characters, odd whitespace, combining marks and astral characters. ``mutated``
then damages a document byte by byte (cut, splice, flip, truncate) for the raw fuzz.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from xml.sax.saxutils import escape

from hypothesis import strategies as st

from fuzz.harness import Expected
from kg.loaders.bibtex import latex_to_text
from kg.loaders.listing import is_abstract, rules
from kg.loaders.textio import clean

# Tokens that break naive parsers, escapers and renderers.
HOSTILE = [
    '"', "'", "\\", "\\\\", "\\n", "\\u0000", "<script>alert(1)</script>", "</script>", "<!--", "-->", "]]>",
    "&amp;", "&", "<", ">", "{", "}", "[", "]", "@", "@article{", "#", "%", ",", ";", "|", "\t", "`", "$x$",
    "${x}", "'; DROP", "MATCH (n) DETACH DELETE n", "\u202e", "\u202d", "\u2066", "\u200b", "\u200c", "\u200d",
    "\u2060", "\ufeff", "\u00a0", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x00", "\x01", "\x7f",
    "\x1b[31m", "e\u0301", "\u0301", "日本語", "عربي", "🙂", "𝔘", "\ufffd", "\uffff", "–", "—", "“", "”", "«»",
]
NEWLINES = ["\n", "\r\n", "\r"]
WORDS = ["neural", "Graph", "BERT", "GAN", "ResNet-50", "ImageNet", "the", "of", "learning", "attention",
         "Transformers", "diffusion", "BLEU", "F1", "3.5", "v2", "x", "Über", "naïve", "data-set"]

word = st.one_of(st.sampled_from(WORDS), st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd")),
                                                 min_size=1, max_size=8))
token = st.one_of(word, word, st.sampled_from(HOSTILE), st.text(max_size=6))


def _xml_ok(char: str) -> bool:
    """Characters XML 1.0 allows (CR left out: expat counts a lone CR as a line break)."""
    code = ord(char)
    return char in "\t\n" or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


def free_text(min_tokens: int = 1, max_tokens: int = 12, newlines: bool = True, keep=lambda c: True):
    """Words and hostile tokens joined by spaces (and, if allowed, line breaks)."""
    pieces = st.lists(st.one_of(token, st.sampled_from(NEWLINES)) if newlines else token,
                      min_size=min_tokens, max_size=max_tokens)
    return pieces.map(lambda ps: "".join(c for c in " ".join(ps) if keep(c)))


@dataclass(frozen=True)
class Document:
    data: bytes
    expected: tuple[Expected, ...]
    suffix: str


def _good(title: str, abstract: str) -> bool:
    return bool(clean(title)) and bool(clean(abstract))


# ---------------------------------------------------------------- JSON Lines

def _noise_line(draw) -> str:
    kind = draw(st.sampled_from(["blank", "garbage", "list", "no_abstract", "escapes", "nested", "number"]))
    if kind == "blank":
        return draw(st.sampled_from(["", "   ", "\t"]))
    if kind == "garbage":
        return "x" + draw(free_text(newlines=False)).replace("\n", " ")
    if kind == "list":
        return json.dumps([draw(free_text())])
    if kind == "no_abstract":
        return json.dumps({"title": draw(free_text())})
    if kind == "escapes":  # JSON escapes of lone surrogates and controls: legal JSON, not writable text
        escape_ = draw(st.sampled_from(["\\ud800", "\\udc80", "\\udfff", "\\u0000", "\\ud83d\\ude42"]))
        return '{"title": "Lone ' + escape_ + ' surrogate", "abstract": "An abstract ' + escape_ + ' here."}'
    if kind == "nested":
        return json.dumps({"title": {"a": 1}, "abstract": ["b"]})
    return draw(st.sampled_from(["1", "null", "true", '"text"', "{}", "{", "}", "{\"title\": 1e999}"]))


@st.composite
def jsonl_documents(draw) -> Document:
    lines: list[str] = []
    expected: list[Expected] = []
    for _ in range(draw(st.integers(1, 8))):
        for _ in range(draw(st.integers(0, 2))):
            lines.append(_noise_line(draw))
        title, abstract = draw(free_text()), draw(free_text(3, 30))
        record = {"title": title, "abstract": abstract}
        for extra in draw(st.lists(st.sampled_from(["id", "url", "authors", "year", "venue", "arxiv_id"]),
                                   unique=True, max_size=3)):
            record[extra] = draw(st.one_of(free_text(), st.integers(), st.none(), st.lists(free_text(), max_size=3)))
        lines.append(json.dumps(record, ensure_ascii=draw(st.booleans())))
        if _good(title, abstract):
            number = len(lines)
            expected.append(Expected(number, number, clean(title), clean(abstract)))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return Document((bom + newline.join(lines) + newline).encode("utf-8"), tuple(expected), ".jsonl")


# ---------------------------------------------------------------- CSV

@st.composite
def csv_documents(draw) -> Document:
    delimiter = draw(st.sampled_from([",", "\t", ";", "|"]))
    columns = ["title", "abstract"] + draw(st.lists(st.sampled_from(["year", "url", "authors", "notes"]),
                                                    unique=True, max_size=2))
    columns = draw(st.permutations(columns))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([draw(st.sampled_from([c, c.upper(), f" {c} "])) for c in columns])
    expected: list[Expected] = []
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.booleans()):
            writer.writerow(draw(st.lists(free_text(), max_size=len(columns) - 1)))  # a short (or blank) row
        values = {c: draw(free_text(0 if c not in ("title", "abstract") else 1, 20)) for c in columns}
        first = buffer.getvalue().count("\n") + 1
        writer.writerow([values[c] for c in columns])
        last = buffer.getvalue().count("\n")
        if _good(values["title"], values["abstract"]):
            expected.append(Expected(first, last, clean(values["title"]), clean(values["abstract"])))
    return Document(buffer.getvalue().encode("utf-8"), tuple(expected), ".csv")


# ---------------------------------------------------------------- listing pages

def _title_line(text: str) -> bool:
    r = rules()
    line = clean(text)
    return (bool(line) and line.casefold() not in r.boilerplate and not r.date_header.match(line)
            and not is_abstract(line, r) and not line.startswith(tuple(r.glued_prefixes)))


@st.composite
def listing_documents(draw) -> Document:
    compact = draw(st.booleans())
    gap = [""] if not compact else []
    lines: list[str] = draw(st.sampled_from([[], ["Subscribe"], ["Get trending papers in your email inbox!", "", "Jun 6"]]))
    lines = list(lines) + gap
    expected: list[Expected] = []
    for _ in range(draw(st.integers(1, 8))):
        title = draw(free_text(1, 10, newlines=False, keep=lambda c: c not in "\n\r").filter(_title_line))
        abstract = draw(st.lists(st.one_of(word, st.sampled_from(HOSTILE).filter(lambda t: t.strip() and "\n" not in t)),
                                 min_size=32, max_size=60).map(" ".join))
        abstract = abstract.replace("\n", " ").replace("\r", " ")
        lines.append(title)
        first = len(lines)
        lines.extend(gap)
        lines.append(abstract)
        lines.extend(gap)
        expected.append(Expected(first, len(lines), clean(title), clean(abstract)))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return Document((newline.join(lines) + newline).encode("utf-8"), tuple(expected), ".txt")


# ---------------------------------------------------------------- arXiv Atom

ATOM_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">\n'


def _xml_text(draw, text: str) -> str:
    if "]]>" not in text and draw(st.booleans()):
        return f"<![CDATA[{text}]]>"
    return escape(text)


@st.composite
def atom_documents(draw) -> Document:
    parts = [ATOM_HEAD, "<title>feed</title>\n"]
    expected: list[Expected] = []
    for i in range(draw(st.integers(1, 6))):
        title = draw(free_text(keep=_xml_ok))
        abstract = draw(free_text(3, 30, keep=_xml_ok))
        first = "".join(parts).count("\n") + 1
        entry = [f"<entry>\n<id>http://arxiv.org/abs/2401.{i:05d}v1</id>\n"]
        if draw(st.booleans()):
            entry.append("<!-- a comment -->\n")
        entry.append(f"<title>{_xml_text(draw, title)}</title>\n")
        if draw(st.integers(0, 5)):
            entry.append(f"<summary>{_xml_text(draw, abstract)}</summary>\n")
        else:
            abstract = ""
        entry.append(f"<author><name>{escape(draw(free_text(keep=_xml_ok)))}</name></author>\n</entry>\n")
        parts.append("".join(entry))
        last = "".join(parts).count("\n")
        if _good(title, abstract):
            expected.append(Expected(first, last, clean(title), clean(abstract)))
    parts.append("</feed>\n")
    return Document("".join(parts).encode("utf-8"), tuple(expected), ".xml")


# ---------------------------------------------------------------- BibTeX

BIB_TOKENS = ["{GAN}", "{\\'e}", "\\\"o", "\\&", "\\%", "\\emph{x}", "$\\alpha$", "--", "---", "~"]


def _bib_keep(char: str) -> bool:
    return char not in "{}\\"


@st.composite
def bibtex_documents(draw) -> Document:
    parts: list[str] = [draw(st.sampled_from(["", "% a comment line\n", "@comment{ignored}\n",
                                              '@string{jmlr = "Journal of ML Research"}\n']))]
    expected: list[Expected] = []
    bib_text = st.lists(st.one_of(free_text(keep=_bib_keep), st.sampled_from(BIB_TOKENS)), min_size=1, max_size=6).map(" ".join)
    for i in range(draw(st.integers(1, 6))):
        title, abstract = draw(bib_text), draw(bib_text)
        quoted = '"' not in title + abstract and draw(st.booleans())
        value = (lambda v: f'"{v}"') if quoted else (lambda v: "{" + v + "}")
        fields = [f"  title = {value(title)}", f"  abstract = {value(abstract)}"]
        if draw(st.booleans()):
            fields.append("  journal = jmlr" if "@string" in parts[0] else "  year = 2021")
        fields = draw(st.permutations(fields))
        first = "".join(parts).count("\n") + 1
        entry = f"@{draw(st.sampled_from(['article', 'inproceedings', 'Misc']))}{{key{i},\n" + ",\n".join(fields) + "\n}\n\n"
        parts.append(entry)
        last = "".join(parts).count("\n")
        expected_title, expected_abstract = latex_to_text(title), latex_to_text(abstract)
        if expected_title and expected_abstract:
            expected.append(Expected(first, last, expected_title, expected_abstract))
    return Document("".join(parts).encode("utf-8"), tuple(expected), ".bib")


DOCUMENTS = {
    "listing": listing_documents,
    "jsonl": jsonl_documents,
    "csv": csv_documents,
    "atom": atom_documents,
    "bibtex": bibtex_documents,
}


# ---------------------------------------------------------------- mutations

@st.composite
def mutated(draw, documents) -> bytes:
    """A document damaged by a few random edits: cuts, splices, byte flips, inserted tokens, truncation."""
    data = bytearray(draw(documents).data)
    for _ in range(draw(st.integers(1, 4))):
        size = len(data)
        op = draw(st.sampled_from(["delete", "insert", "flip", "truncate", "duplicate", "bytes"]))
        at = draw(st.integers(0, size))
        if op == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(HOSTILE + NEWLINES)).encode("utf-8", "surrogatepass")
        elif op == "flip" and size:
            data[min(at, size - 1)] = draw(st.integers(0, 255))
        elif op == "truncate":
            del data[at:]
        elif op == "duplicate" and size:
            start = draw(st.integers(0, size - 1))
            data[at:at] = data[start:start + draw(st.integers(1, 200))]
        elif op == "bytes":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data)
