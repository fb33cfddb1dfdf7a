"""Rows as text: an aligned table for people, JSON and CSV for programs.

Why here and not in a command: ``kg query`` and anything else that prints rows
(columns + lists of plain values) should look the same.

>>> print(format_rows(["name", "papers"], [["BERT", 3], ["ResNet", 12]]))
name    papers
------  ------
BERT         3
ResNet      12
"""
from __future__ import annotations

import csv
import io
import json

FORMATS = ("table", "json", "csv")
MAX_CELL = 80
WIDE = 8


def cell_text(value, joiner: str = ", ") -> str:
    """One value as a short string: nothing for null, lists joined, maps as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (list, tuple, dict)) for v in value):
            return joiner.join(cell_text(v) for v in value)
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(columns: list[str], rows: list[list], max_cell: int = MAX_CELL) -> str:
    """Aligned columns (numbers right-aligned), long cells clipped to ``max_cell``.

    A single row with more than :data:`WIDE` columns (a profile, a document) reads
    better turned on its side: one ``column  value`` line each.
    """
    if not columns:
        return "(no columns)"
    if len(rows) == 1 and len(columns) > WIDE:
        width = max(map(len, columns))
        return "\n".join(f"{c.ljust(width)}  {_clip(cell_text(v), max_cell * 2)}".rstrip()
                         for c, v in zip(columns, rows[0]))
    cells = [[_clip(cell_text(v), max_cell) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [bool(rows) and all(isinstance(r[i], (int, float)) and not isinstance(r[i], bool)
                                  or r[i] is None for r in rows) for i in range(len(columns))]

    def line(values):
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(parts).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out)


def format_json(columns: list[str], rows: list[list]) -> str:
    """A JSON array with one object per row, keys in column order."""
    return json.dumps([dict(zip(columns, row)) for row in rows], ensure_ascii=False, indent=2)


def format_csv(columns: list[str], rows: list[list]) -> str:
    """RFC 4180 CSV with a header row; lists are joined with ``; ``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell_text(v, joiner="; ") for v in row])
    return buffer.getvalue().rstrip("\n")


def format_rows(columns: list[str], rows: list[list], fmt: str = "table") -> str:
    return {"table": format_table, "json": format_json, "csv": format_csv}[fmt](columns, rows)
