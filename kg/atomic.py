"""Write outputs whole or not at all.

Every file kg writes goes to a temporary name in the same folder and is moved into
place with ``os.replace``, so an interrupted run leaves the last good file untouched.
"""
from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path
from typing import IO, Iterator

from kg.errors import OutputError

_FIXES = {
    errno.EISDIR: "a folder has that name: move it away, or write the outputs elsewhere",
    errno.ENOTDIR: "a file stands where a folder of that path should be: move it away, or write elsewhere",
    errno.EEXIST: "a file stands where a folder of that path should be: move it away, or write elsewhere",
    errno.ENOSPC: "free space there, or write the outputs elsewhere",
    errno.EDQUOT: "free space there (the disk quota is used up), or write the outputs elsewhere",
    errno.EACCES: "make the folder writable for this user, or write the outputs elsewhere",
    errno.EPERM: "make the folder writable for this user, or write the outputs elsewhere",
    errno.EROFS: "the file system is read-only: write the outputs elsewhere",
}


def _current_umask() -> int:
    """The process umask (read by setting and restoring it; there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary sibling of ``path``; on success it replaces ``path``, on error it is removed.

    The file gets ordinary permissions (0666 less the umask), not the private 0600 it is created with.
    What the file system refuses (a folder in the way, no space, no permission) is an
    :class:`~kg.errors.OutputError` naming the file and the fix.
    """
    target = Path(path)
    binary = "b" in mode
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # The name is chosen before the file is created (O_EXCL), so a Ctrl-C that lands right
        # after the creation still knows what to remove; tempfile.mkstemp could be interrupted
        # after making the file and before returning its name, and leave it behind.
        while True:
            tmp = str(target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
                break
            except FileExistsError:
                tmp = None   # another writer's: never ours to remove
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else "") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, target)
    except BaseException as error:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if isinstance(error, OSError):   # the file system refused: say which file, and what to do
            raise OutputError(f"cannot be written: {error.strerror or error}", where=str(target),
                              fix=_FIXES.get(error.errno, "check that the folder exists, is writable and has "
                                                         "space")) from error
        raise


def remove_stale_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Delete temporaries a killed writer left in ``folder`` (``.NAME.XXXX.tmp``); the outputs stay.

    A SIGKILL cannot run the cleanup in :func:`atomic_open`, so the next run tidies up.
    """
    removed = []
    for stale in Path(folder).glob(".*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
            removed.append(stale)
    return removed


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_open(path, "w") as handle:
        handle.write(text)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_open(path, "wb") as handle:
        handle.write(data)

