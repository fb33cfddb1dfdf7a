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
    """The parsed files under ``CACHE/parsed``; :meth:`get` and :meth:`put` by :meth:`key`."""

    def __init__(self, cache_dir: str | Path):
        self.folder = Path(cache_dir) / FOLDER
        self.used: set[str] = set()

    def key(self, path: Path, format: str, fields: Mapping[str, str] | None) -> str | None:
        """The key of ``path`` read as ``format`` with ``fields``; None when it cannot be read
        (the reader then reports why)."""
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest = hashlib.sha256(f"{loader_version()}\0{path}\0{format}\0{sorted((fields or {}).items())}\0".encode())
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str) -> tuple[list, list[Problem]] | None:
        """``(papers, problems)`` parsed under ``key`` before, or None."""
        try:
            found = pickle.loads((self.folder / f"{key}.pickle").read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None   # absent or unreadable: parse the file again
        self.used.add(key)
        return found

    def put(self, key: str, papers: list, problems: list[Problem]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self.folder / f"{key}.pickle",
                               pickle.dumps((papers, problems), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            return   # a cache that cannot be written only means parsing again next time
        self.used.add(key)

    def prune(self) -> None:
        """Remove the entries this read did not use (files changed or no longer given)."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.glob("*.pickle"):
            if entry.stem not in self.used:
                entry.unlink(missing_ok=True)
