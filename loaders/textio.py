"""Read an input file as text without losing track of undecodable bytes.

Files are UTF-8 (a byte-order mark is allowed). Bytes that are not UTF-8 are kept as
lone surrogates (``surrogateescape``) so that every loader can skip exactly the record
that holds them and name the line and column of the first bad byte, instead of failing
the whole file or silently replacing characters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_BAD = re.compile("[\udc80-\udcff]")

UNDECODABLE = "undecodable bytes"
UNDECODABLE_FIX = "re-save the file as UTF-8; the entry was skipped"


@dataclass
class DecodedText:
    """The decoded text and, per 1-based line, the column and value of its first bad byte."""

    text: str
    bad: dict[int, tuple[int, int]] = field(default_factory=dict)

    def first_bad(self, start: int, end: int) -> tuple[int, int, int] | None:
        """(line, column, byte) of the first bad byte on lines ``start..end``, if any."""
        for line in sorted(self.bad):
            if start <= line <= end:
                column, byte = self.bad[line]
                return line, column, byte
        return None


def decode(data: bytes) -> DecodedText:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", errors="surrogateescape")
    bad: dict[int, tuple[int, int]] = {}
    if _BAD.search(text):
        for number, line in enumerate(split_lines(text), start=1):
            match = _BAD.search(line)
            if match:
                bad[number] = (match.start() + 1, ord(match.group()) - 0xDC00)
    return DecodedText(text, bad)


def split_lines(text: str) -> list[str]:
    """Lines split at ``\n`` only (``\r\n`` too): str.splitlines would also split at
    U+2028, form feeds and other characters that may sit inside a JSON string or an abstract."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def read_text(path: Path) -> DecodedText:
    return decode(path.read_bytes())


def has_bad(text: str) -> bool:
    return _BAD.search(text) is not None


def bad_detail(column: int, byte: int) -> str:
    return f"byte 0x{byte:02x} at column {column} is not UTF-8"


def clean(text: str) -> str:
    """Whitespace collapsed to single spaces, ends stripped."""
    return " ".join(text.split())
