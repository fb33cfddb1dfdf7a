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
import random
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



class Chooser:
    """The choices a document builder makes; one builder serves hypothesis and plain ``random``."""

    def integers(self, low: int, high: int) -> int: ...
    def choice(self, items): ...
    def boolean(self) -> bool: ...
    def text(self, max_size: int) -> str: ...
    def letters(self, max_size: int) -> str: ...

    def shuffled(self, items: list) -> list:
        items = list(items)
        for i in range(len(items) - 1, 0, -1):
            j = self.integers(0, i)
            items[i], items[j] = items[j], items[i]
        return items


class Drawn(Chooser):
    """Choices drawn by hypothesis (so failures shrink)."""

    def __init__(self, draw):
        self.draw = draw

    def integers(self, low, high):
        return self.draw(st.integers(low, high))

    def choice(self, items):
        return self.draw(st.sampled_from(items))

    def boolean(self):
        return self.draw(st.booleans())

    def text(self, max_size):
        return self.draw(st.text(max_size=max_size))

    def letters(self, max_size):
        return self.draw(st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=max_size))


class Random(Chooser):
    """Choices from ``random.Random``: fast enough for tens of thousands of cases."""

    ALPHABET = ([chr(code) for code in range(0x20, 0x250)] + list("\n\t\r\x00\x01\x0b\x0c\x1c\x85\u2028\u202e\u200b\ufeff\uffff")
                + ["\U0001F600", "\U00010400", "\u05d0", "\u0627"])

    def __init__(self, rng: random.Random):
        self.rng = rng

    def integers(self, low, high):
        return self.rng.randint(low, high)

    def choice(self, items):
        return self.rng.choice(items)

    def boolean(self):
        return self.rng.random() < 0.5

    def text(self, max_size):
        return "".join(self.rng.choice(self.ALPHABET) for _ in range(self.rng.randint(0, max_size)))

    def letters(self, max_size):
        return "".join(self.rng.choice("abcdefghijXYZéßΩ0123") for _ in range(self.rng.randint(1, max_size)))


def word(c: Chooser) -> str:
    return c.choice(WORDS) if c.boolean() else c.letters(8)


def token(c: Chooser) -> str:
    kind = c.integers(0, 3)
    return word(c) if kind < 2 else c.choice(HOSTILE) if kind == 2 else c.text(6)


def _xml_ok(char: str) -> bool:
    """Characters XML 1.0 allows (CR left out: expat counts a lone CR as a line break)."""
    code = ord(char)
    return char in "\t\n" or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


def free_text(c: Chooser, min_tokens: int = 1, max_tokens: int = 12, newlines: bool = True, keep=None) -> str:
    """Words and hostile tokens joined by spaces (and, if allowed, line breaks)."""
    pieces = [c.choice(NEWLINES) if newlines and c.integers(0, 5) == 0 else token(c)
              for _ in range(c.integers(min_tokens, max_tokens))]
    text = " ".join(pieces)
    return "".join(ch for ch in text if keep(ch)) if keep else text


@dataclass(frozen=True)
class Document:
    data: bytes
    expected: tuple[Expected, ...]
    suffix: str


def _good(title: str, abstract: str) -> bool:
    return bool(clean(title)) and bool(clean(abstract))


# ---------------------------------------------------------------- JSON Lines

def _noise_line(c: Chooser) -> str:
    kind = c.choice(["blank", "garbage", "list", "no_abstract", "escapes", "nested", "number"])
    if kind == "blank":
        return c.choice(["", "   ", "\t"])
    if kind == "garbage":
        return "x" + free_text(c, newlines=False).replace("\n", " ")
    if kind == "list":
        return json.dumps([free_text(c)])
    if kind == "no_abstract":
        return json.dumps({"title": free_text(c)})
    if kind == "escapes":  # JSON escapes of lone surrogates and controls: legal JSON, not writable text
        escape_ = c.choice(["\\ud800", "\\udc80", "\\udfff", "\\u0000", "\\ud83d\\ude42"])
        return '{"title": "Lone ' + escape_ + ' surrogate", "abstract": "An abstract ' + escape_ + ' here."}'
    if kind == "nested":
        return json.dumps({"title": {"a": 1}, "abstract": ["b"]})
    return c.choice(["1", "null", "true", '"text"', "{}", "{", "}", "{\"title\": 1e999}"])


def _extra_value(c: Chooser):
    kind = c.integers(0, 3)
    return free_text(c) if kind == 0 else c.integers(-10**6, 10**6) if kind == 1 else None if kind == 2 else \
        [free_text(c) for _ in range(c.integers(0, 3))]


def jsonl_document(c: Chooser) -> Document:
    lines: list[str] = []
    expected: list[Expected] = []
    for _ in range(c.integers(1, 8)):
        for _ in range(c.integers(0, 2)):
            lines.append(_noise_line(c))
        title, abstract = free_text(c), free_text(c, 3, 30)
        record = {"title": title, "abstract": abstract}
        for extra in c.shuffled(["id", "url", "authors", "year", "venue", "arxiv_id"])[:c.integers(0, 3)]:
            record[extra] = _extra_value(c)
        lines.append(json.dumps(record, ensure_ascii=c.boolean()))
        if _good(title, abstract):
            number = len(lines)
            expected.append(Expected(number, number, clean(title), clean(abstract)))
    newline = c.choice(["\n", "\r\n"])
    bom = c.choice(["", "\ufeff"])
    return Document((bom + newline.join(lines) + newline).encode("utf-8"), tuple(expected), ".jsonl")


# ---------------------------------------------------------------- CSV

def csv_document(c: Chooser) -> Document:
    delimiter = c.choice([",", "\t", ";", "|"])
    columns = ["title", "abstract"] + c.shuffled(["year", "url", "authors", "notes"])[:c.integers(0, 2)]
    columns = c.shuffled(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([c.choice([name, name.upper(), f" {name} "]) for name in columns])
    expected: list[Expected] = []
    for _ in range(c.integers(1, 8)):
        if c.boolean():
            writer.writerow([free_text(c) for _ in range(c.integers(0, len(columns) - 1))])  # a short (or blank) row
        values = {name: free_text(c, 0 if name not in ("title", "abstract") else 1, 20) for name in columns}
        first = buffer.getvalue().count("\n") + 1
        writer.writerow([values[name] for name in columns])
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


_ONE_LINE_HOSTILE = [t for t in HOSTILE if t.strip() and "\n" not in t and "\r" not in t]


def listing_document(c: Chooser) -> Document:
    compact = c.boolean()
    gap = [""] if not compact else []
    lines = list(c.choice([[], ["Subscribe"], ["Get trending papers in your email inbox!", "", "Jun 6"]])) + gap
    expected: list[Expected] = []
    for _ in range(c.integers(1, 8)):
        title = "A Title"
        for _ in range(20):
            candidate = free_text(c, 1, 10, newlines=False, keep=lambda ch: ch not in "\n\r")
            if _title_line(candidate):
                title = candidate
                break
        abstract = " ".join(word(c) if c.integers(0, 2) else c.choice(_ONE_LINE_HOSTILE)
                            for _ in range(c.integers(32, 60)))
        if not lines:
            title = title.lstrip("\ufeff") or "A Title"  # at the very start it would be read as a byte-order mark
        lines.append(title)
        first = len(lines)
        lines.extend(gap)
        lines.append(abstract)
        lines.extend(gap)
        expected.append(Expected(first, len(lines), clean(title), clean(abstract)))
    newline = c.choice(["\n", "\r\n"])
    return Document((newline.join(lines) + newline).encode("utf-8"), tuple(expected), ".txt")


# ---------------------------------------------------------------- arXiv Atom

ATOM_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">\n'


def _xml_text(c: Chooser, text: str) -> str:
    if "]]>" not in text and c.boolean():
        return f"<![CDATA[{text}]]>"
    return escape(text)


def atom_document(c: Chooser) -> Document:
    parts = [ATOM_HEAD, "<title>feed</title>\n"]
    expected: list[Expected] = []
    for i in range(c.integers(1, 6)):
        title = free_text(c, keep=_xml_ok)
        abstract = free_text(c, 3, 30, keep=_xml_ok)
        first = "".join(parts).count("\n") + 1
        entry = [f"<entry>\n<id>http://arxiv.org/abs/2401.{i:05d}v1</id>\n"]
        if c.boolean():
            entry.append("<!-- a comment -->\n")
        entry.append(f"<title>{_xml_text(c, title)}</title>\n")
        if c.integers(0, 5):
            entry.append(f"<summary>{_xml_text(c, abstract)}</summary>\n")
        else:
            abstract = ""
        entry.append(f"<author><name>{escape(free_text(c, keep=_xml_ok))}</name></author>\n</entry>\n")
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


def _bib_text(c: Chooser) -> str:
    return " ".join(free_text(c, keep=_bib_keep) if c.integers(0, 2) else c.choice(BIB_TOKENS)
                    for _ in range(c.integers(1, 6)))


def bibtex_document(c: Chooser) -> Document:
    parts: list[str] = [c.choice(["", "% a comment line\n", "@comment{ignored}\n",
                                  '@string{jmlr = "Journal of ML Research"}\n'])]
    expected: list[Expected] = []
    for i in range(c.integers(1, 6)):
        title, abstract = _bib_text(c), _bib_text(c)
        quoted = '"' not in title + abstract and c.boolean()
        value = (lambda v: f'"{v}"') if quoted else (lambda v: "{" + v + "}")
        fields = [f"  title = {value(title)}", f"  abstract = {value(abstract)}"]
        if c.boolean():
            fields.append("  journal = jmlr" if "@string" in parts[0] else "  year = 2021")
        fields = c.shuffled(fields)
        first = "".join(parts).count("\n") + 1
        entry = f"@{c.choice(['article', 'inproceedings', 'Misc'])}{{key{i},\n" + ",\n".join(fields) + "\n}\n\n"
        parts.append(entry)
        last = "".join(parts).count("\n")
        expected_title, expected_abstract = latex_to_text(title), latex_to_text(abstract)
        if expected_title and expected_abstract:
            expected.append(Expected(first, last, expected_title, expected_abstract))
    return Document("".join(parts).encode("utf-8"), tuple(expected), ".bib")


BUILDERS = {
    "listing": listing_document,
    "jsonl": jsonl_document,
    "csv": csv_document,
    "atom": atom_document,
    "bibtex": bibtex_document,
}


def _strategy(builder):
    @st.composite
    def documents(draw) -> Document:
        return builder(Drawn(draw))

    return documents


DOCUMENTS = {fmt: _strategy(builder) for fmt, builder in BUILDERS.items()}


# ---------------------------------------------------------------- mutations

def damage(c: Chooser, document: Document) -> bytes:
    """A document damaged by a few random edits: cuts, splices, byte flips, inserted tokens, truncation."""
    data = bytearray(document.data)
    for _ in range(c.integers(1, 4)):
        size = len(data)
        op = c.choice(["delete", "insert", "flip", "truncate", "duplicate", "bytes"])
        at = c.integers(0, size)
        if op == "delete":
            del data[at:at + c.integers(1, 40)]
        elif op == "insert":
            data[at:at] = c.choice(HOSTILE + NEWLINES).encode("utf-8", "surrogatepass")
        elif op == "flip" and size:
            data[min(at, size - 1)] = c.integers(0, 255)
        elif op == "truncate":
            del data[at:]
        elif op == "duplicate" and size:
            start = c.integers(0, size - 1)
            data[at:at] = data[start:start + c.integers(1, 200)]
        elif op == "bytes":
            data[at:at] = bytes(c.integers(0, 255) for _ in range(c.integers(1, 8)))
    return bytes(data)


def mutated(fmt: str):
    """Strategy: a damaged document of format ``fmt``."""
    @st.composite
    def damaged(draw) -> bytes:
        chooser = Drawn(draw)
        return damage(chooser, BUILDERS[fmt](chooser))

    return damaged()
