"""Splicing an output from new bytes and ranges of the last one: the kernel copy writes the same
bytes as writing the mapped ranges, and falls back to that where the kernel cannot copy."""
from __future__ import annotations

import errno
import hashlib
import os
import sys

import pytest

from kg.splice import Splicer, _sync_file_range, kernel_copier, mapped, start_writeback

LAST = b"".join(b"line %05d of the last file\n" % i for i in range(5000))
# (new bytes) or (start, end) of LAST, in the order the new file has them
PIECES = [b"head\n", (0, 2700), (2700, 27000), b"new block\n", (40000, 40001), (50000, len(LAST)), b"tail\n"]
EXPECTED = b"".join(p if isinstance(p, bytes) else LAST[p[0]:p[1]] for p in PIECES)


def splice(tmp_path) -> bytes:
    """Write PIECES into a new file from the last one on disk, checking that ``seen`` got exactly
    the copied ranges; return the new file's bytes."""
    last = tmp_path / "last.nt"
    last.write_bytes(LAST)
    seen = hashlib.sha256()
    with mapped(last) as old, open(tmp_path / "new.nt", "wb") as handle:
        view = memoryview(old.data)
        try:
            out = Splicer(handle.write, view, copy_range=kernel_copier(handle, old, view, seen.update))
            for piece in PIECES:
                if isinstance(piece, bytes):
                    out.add(piece)
                else:
                    out.copy(*piece)
            out.flush()
        finally:
            view.release()
    copied = hashlib.sha256(b"".join(LAST[p[0]:p[1]] for p in PIECES if not isinstance(p, bytes)))
    assert seen.digest() == copied.digest()
    return (tmp_path / "new.nt").read_bytes()


@pytest.mark.skipif(not hasattr(os, "copy_file_range"), reason="os.copy_file_range is Linux-only")
def test_the_kernel_copy_writes_the_ranges_in_place(tmp_path, monkeypatch):
    calls = []
    real = os.copy_file_range

    def counted(*args):
        calls.append(args[2])
        return real(*args)

    monkeypatch.setattr(os, "copy_file_range", counted)
    data = splice(tmp_path)
    assert data == EXPECTED
    # adjacent ranges grew into one: three copies for the four ranges
    assert sum(calls) == 27000 + 1 + len(LAST) - 50000 and len(calls) == 3


@pytest.mark.parametrize("code", [errno.EXDEV, errno.ENOSYS, errno.EINVAL])
def test_where_the_kernel_cannot_copy_the_mapped_bytes_are_written(tmp_path, monkeypatch, code):
    calls = []

    def refused(source, target, count, offset_src=None, offset_dst=None):
        calls.append(count)
        if len(calls) == 1:   # part of the first range lands, then the kernel gives up
            os.pwrite(target, LAST[offset_src:offset_src + 100], offset_dst)
            return 100
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "copy_file_range", refused, raising=False)
    data = splice(tmp_path)
    assert data == EXPECTED
    assert len(calls) == 2   # after the refusal no copy is tried again


def test_another_error_of_the_copy_is_raised(tmp_path, monkeypatch):
    def failing(*args):
        raise OSError(errno.EIO, "input/output error")

    monkeypatch.setattr(os, "copy_file_range", failing, raising=False)
    with pytest.raises(OSError) as raised:
        splice(tmp_path)
    assert raised.value.errno == errno.EIO


def test_a_last_file_shorter_than_its_index_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "copy_file_range", lambda *args: 0, raising=False)
    with pytest.raises(OSError, match="changed while it was being copied"):
        splice(tmp_path)


def test_write_back_is_started_on_linux_and_never_fails(tmp_path):
    if sys.platform.startswith("linux"):
        assert _sync_file_range() is not None
    path = tmp_path / "out.nt"
    with open(path, "wb") as handle:
        handle.write(LAST)
        handle.flush()
        start_writeback(handle.fileno(), 0, len(LAST))
        start_writeback(-1, 0, 10)   # a bad descriptor: best effort, the fsync decides
    assert path.read_bytes() == LAST
