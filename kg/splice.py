"""Write an output from pieces of the last one: new bytes, and byte ranges copied from the last file.

The incremental writers of graph.json and of the streamed RDF file both rewrite a sorted file
in which most blocks did not change. :func:`mapped` opens and maps the last file (the new one
replaces it by a rename, so the open file keeps the old bytes), and a :class:`Splicer` writes
the new one: a range that continues the previous one in the last file grows it, so a run of
unchanged blocks leaves in one copy. :func:`kernel_copier` makes that copy inside the kernel
(``os.copy_file_range``), so the bytes of a run never pass through Python, and starts their
write-back to disk at once (:func:`start_writeback`).
"""
from __future__ import annotations

import contextlib
import errno
import functools
import mmap
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

_JOINED = 1 << 23   # new bytes are gathered into writes of about this size


@dataclass(frozen=True)
class LastFile:
    """The last output while its successor is written: its bytes (a read-only mapping) and
    the descriptor it is open on, which the kernel copies from."""

    data: mmap.mmap
    fd: int


@contextlib.contextmanager
def mapped(path: str | os.PathLike | None) -> Iterator[LastFile | None]:
    """The file at ``path`` open and mapped read-only (None for no path or an empty file). The
    new file replaces it by a rename (:func:`kg.atomic.atomic_open`), so both keep the old
    bytes until they are closed."""
    if path is None or Path(path).stat().st_size == 0:
        yield None
        return
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        yield LastFile(data, handle.fileno())


# What copy_file_range raises where the kernel or the filesystem cannot copy between these two
# files (an old kernel, another OS's emulation, some network and overlay filesystems).
_NO_KERNEL_COPY = {errno.ENOSYS, errno.EXDEV, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EPERM}


def kernel_copier(handle, last: LastFile, view, seen=None):
    """A :class:`Splicer` ``copy`` that appends bytes ``start:end`` of ``last`` to ``handle`` (a
    binary file open for writing) with ``os.copy_file_range``: page cache to page cache, where
    writing the mapped bytes faulted in every page first (a 640 MB N-Triples file: 0.2 s against
    0.9 s). Every 64 MB written, their write-back to disk is started (:func:`start_writeback`):
    the fsync that ends the 640 MB file then took 0.02 s instead of 0.33. ``view`` is a
    memoryview of ``last.data``; ``seen``, when given, gets each range as a slice of it (to
    digest or count what is written). Where the kernel cannot copy, the bytes are written from
    the mapping instead, as before."""
    kernel = hasattr(os, "copy_file_range")
    unsent = 0   # where the bytes not yet sent to disk begin

    def copy(start: int, end: int) -> None:
        nonlocal kernel, unsent
        if seen is not None:
            seen(view[start:end])
        if kernel:
            handle.flush()
            at = handle.tell()
            try:
                _copy_range(last.fd, handle.fileno(), start, end, at)
            except OSError as error:
                if error.errno not in _NO_KERNEL_COPY:
                    raise
                kernel = False   # and the range is written below, over whatever part was copied
            else:
                written = at + end - start
                handle.seek(written)   # the copy wrote at an offset, not at the file position
                if written - unsent >= _WRITEBACK_STEP:
                    start_writeback(handle.fileno(), unsent, written - unsent)
                    unsent = written
                return
            handle.seek(at)
        handle.write(view[start:end])

    return copy


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Start writing bytes ``offset`` to ``offset + length`` of ``fd`` to disk, without waiting
    (Linux's ``sync_file_range`` with ``SYNC_FILE_RANGE_WRITE``), so the fsync that ends the file
    finds most of it written while the rest was being encoded. Best effort: where there is no
    such call, or it fails, the fsync does all the work as before."""
    function = _sync_file_range()
    if function is not None:
        function(fd, offset, length, _SYNC_FILE_RANGE_WRITE)


_SYNC_FILE_RANGE_WRITE = 2
# Bytes sent to disk at a time: a call per copied range was slower than none when a patch left
# thousands of short ranges (graph.json, 4,000 nodes touched: 0.80 s against 0.74).
_WRITEBACK_STEP = 1 << 26


@functools.lru_cache(maxsize=None)
def _sync_file_range():
    """The C library's ``sync_file_range``, or None (not Linux, or not found)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _copy_range(source: int, target: int, start: int, end: int, at: int) -> None:
    while start < end:
        done = os.copy_file_range(source, target, end - start, start, at)
        if done == 0:
            raise OSError(errno.EIO, f"the last output ended at byte {start}, before {end}: "
                                     "it changed while it was being copied; run the build again")
        start += done
        at += done


class Splicer:
    """Writes items through ``write``: new bytes (:meth:`add`) or ranges of the last file
    (:meth:`copy`, from ``view``, its mapping, or by ``copy_range(start, end)`` when given, e.g.
    a :func:`kernel_copier`), with ``separator`` between two items. A range that starts where
    the previous one ends, past the separator, lengthens it. Call :meth:`flush` at the end."""

    def __init__(self, write, view=None, separator: bytes = b"", copy_range=None):
        self.write, self.view, self.separator = write, view, separator
        self.copy_range = copy_range or (lambda start, end: self.write(self.view[start:end]))
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
                self.copy_range(piece[0], piece[1])
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
