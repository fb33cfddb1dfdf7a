"""Write an output from pieces of the last one: new bytes, and byte ranges copied from the last file.

The incremental writers of graph.json and of the streamed RDF file both rewrite a sorted file
in which most blocks did not change. :func:`mapped` maps the last file (the new one replaces it
by a rename, so the mapping keeps the old bytes), and a :class:`Splicer` writes the new one:
a range that continues the previous one in the last file grows it, so a run of unchanged
blocks leaves in one write straight from the mapping.
"""
from __future__ import annotations

import contextlib
import mmap
import os
from pathlib import Path
from typing import Iterator

_JOINED = 1 << 23   # new bytes are gathered into writes of about this size


@contextlib.contextmanager
def mapped(path: str | os.PathLike | None) -> Iterator[mmap.mmap | None]:
    """The file at ``path`` mapped read-only (None for no path or an empty file). The new file
    replaces it by a rename (:func:`kg.atomic.atomic_open`), so the mapping keeps the old bytes
    until it is closed."""
    if path is None or Path(path).stat().st_size == 0:
        yield None
        return
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
        yield view


class Splicer:
    """Writes items through ``write``: new bytes (:meth:`add`) or ranges of the last file
    (:meth:`copy`, from ``view``, its mapping), with ``separator`` between two items. A range
    that starts where the previous one ends, past the separator, lengthens it. Call
    :meth:`flush` at the end."""

    def __init__(self, write, view=None, separator: bytes = b""):
        self.write, self.view, self.separator = write, view, separator
        self.started = False
        self.pending: list = []   # new bytes, and [start, end] ranges of the last file, in order
        self.size = 0

    def add(self, data: bytes) -> None:
        self._separate()
        self.pending.append(data)
        self._grew(len(data))

    def copy(self, start: int, end: int) -> None:
        last = self.pending[-1] if self.pending else None
        if type(last) is list and last[1] + len(self.separator) == start:   # the next block of the last file
            grown, last[1] = end - last[1], end
            self._grew(grown)
            return
        self._separate()
        self.pending.append([start, end])
        self._grew(end - start)

    def flush(self) -> None:
        new: list[bytes] = []
        for piece in self.pending:
            if type(piece) is list:
                if new:
                    self.write(b"".join(new))
                    new.clear()
                self.write(self.view[piece[0]:piece[1]])
            else:
                new.append(piece)
        if new:
            self.write(b"".join(new))
        self.pending.clear()
        self.size = 0

    def _separate(self) -> None:
        if self.started and self.separator:
            self.pending.append(self.separator)
            self.size += len(self.separator)
        self.started = True

    def _grew(self, size: int) -> None:
        self.size += size
        if self.size >= _JOINED:
            self.flush()
