"""Input files already parsed, kept by content, so a build over inputs that mostly did not change
does not parse them again.

A file's papers and problems depend only on its bytes, its name, the format and field names it
is read with, and the loader code; the key is a digest of all of them. Hashing a 45 MB JSONL file
takes a tenth of the second that parsing it does (the 41k corpus: 1.7 s parsed, 0.3 s from here).
Entries are pickles in the build's own cache folder (load only folders you made yourself); those
a read did not use are removed after it, so the folder holds one entry per current input file.
"""
from __future__ import annotations

import hashlib
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from kg.atomic import atomic_write_bytes

from .problems import Problem

FOLDER = "parsed"
_FORMAT = 1


@lru_cache(maxsize=1)
def loader_version() -> str:
    """Digest of the loader code and data files and of the paper record (what parsing depends on)."""
    import kg.paper

    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"format={_FORMAT}".encode())
    for path in sorted(root.iterdir()) + [Path(kg.paper.__file__)]:
        if path.is_file() and path.suffix in (".py", ".toml", ".tsv"):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class ParsedFiles:
    """The parsed files under ``CACHE/parsed``; :meth:`get` and :meth:`put` by :meth:`key`.

    ``memory`` (a dict the caller keeps between reads, as ``kg build --watch`` does) remembers
    each file's key by what changes whenever its bytes may have (size, inode, modification and
    status-change times), and its papers: a file read before and not touched since is neither
    hashed nor unpickled again."""

    def __init__(self, cache_dir: str | Path, memory: dict | None = None):
        self.folder = Path(cache_dir) / FOLDER
        self.used: set[str] = set()
        self.memory = memory
        self._remembered: dict = {}   # what this read found or put, by the same keys as memory
        self._pending: dict = {}      # key -> the memory key of the file it was computed for

    def key(self, path: Path, format: str, fields: Mapping[str, str] | None) -> str | None:
        """The key of ``path`` read as ``format`` with ``fields``; None when it cannot be read
        (the reader then reports why)."""
        settings = f"{loader_version()}\0{path}\0{format}\0{sorted((fields or {}).items())}\0"
        remembered = None
        if self.memory is not None:
            try:
                stat = path.stat()
            except OSError:
                return None
            remembered = (settings, stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns)
            known = self.memory.get(remembered)
            if known is not None:
                self._remembered[remembered] = known
                self._pending[known[0]] = remembered
                return known[0]
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest = hashlib.sha256(settings.encode())
        digest.update(data)
        key = digest.hexdigest()
        if remembered is not None:
            self._pending[key] = remembered
        return key

    def get(self, key: str) -> tuple[list, list[Problem]] | None:
        """``(papers, problems)`` parsed under ``key`` before, or None."""
        remembered = self._pending.get(key)
        known = self._remembered.get(remembered) if remembered is not None else None
        if known is not None and known[0] == key and (self.folder / f"{key}.pickle").is_file():
            self.used.add(key)
            return known[1]
        try:
            found = pickle.loads((self.folder / f"{key}.pickle").read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None   # absent or unreadable: parse the file again
        self.used.add(key)
        self._remember(key, found)
        return found

    def put(self, key: str, papers: list, problems: list[Problem]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self.folder / f"{key}.pickle",
                               pickle.dumps((papers, problems), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            return   # a cache that cannot be written only means parsing again next time
        self.used.add(key)
        self._remember(key, (papers, problems))

    def _remember(self, key: str, found: tuple) -> None:
        remembered = self._pending.get(key)
        if remembered is not None:
            self._remembered[remembered] = (key, found)

    def prune(self) -> None:
        """Remove the entries this read did not use (files changed or no longer given); the
        memory keeps only the files of this read."""
        if self.memory is not None:
            self.memory.clear()
            self.memory.update(self._remembered)
        if not self.folder.is_dir():
            return
        for entry in self.folder.glob("*.pickle"):
            if entry.stem not in self.used:
                entry.unlink(missing_ok=True)
