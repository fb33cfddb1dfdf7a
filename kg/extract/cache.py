"""An on-disk cache of extractions, so an unchanged paper is never extracted twice.

Each entry is keyed by a digest of the paper (id and ``Paper.text``) and of the *pipeline
version*: the trained model's version, a hash of every rule, gazetteer and code file of
``kg.extract``, and the rule-only/model switch. Changing any of those gives new keys, so a
stale extraction can never be served; old entries simply stop being read.

Storage is one SQLite file (``DIR/extractions.sqlite``, WAL mode): each ``put_many`` is one
transaction, so an interrupted build leaves every committed batch usable and no half entry.

    >>> import tempfile
    >>> from kg.paper import Paper, paper_id
    >>> from kg.extract.records import Extraction
    >>> p = Paper(paper_id("X"), "X", "We propose FooNet.", "doc", 1)
    >>> with ExtractionCache(tempfile.mkdtemp(), version="test") as cache:
    ...     cache.put_many([(p, Extraction(p.id, p.title))])
    ...     cache.get_many([p])[p.id].title
    1
    'X'
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from kg.errors import InputError
from kg.extract.records import Extraction
from kg.paper import Paper

CACHE_FILE = "extractions.sqlite"
# Folders of kg/extract that do not change what extraction produces.
_NOT_PIPELINE = {"training", "model", "__pycache__"}
# Modules outside kg/extract whose code extraction runs (relative to the kg package).
_ALSO_PIPELINE = ("paper.py", "resolve/keys.py")
_SCHEMA = """CREATE TABLE IF NOT EXISTS extractions (
    key TEXT PRIMARY KEY,
    paper_id TEXT NOT NULL,
    version TEXT NOT NULL,
    data BLOB NOT NULL
)"""


def _extract_dir() -> Path:
    return Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def data_fingerprint(root: Path | None = None) -> str:
    """SHA-256 over the code, rule and gazetteer files of ``kg.extract`` (names and bytes).

    Code counts as data here: a changed component changes extractions as surely as a
    changed rule file. This module itself is left out (the cache is not the pipeline).
    """
    root = Path(root) if root is not None else _extract_dir()
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or rel.parts[0] in _NOT_PIPELINE or path.name == "cache.py" \
                or path.suffix in (".pyc", ".pyo"):
            continue
        digest.update(str(rel.as_posix()).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for name in _ALSO_PIPELINE:
        outside = root.parent / name
        if outside.is_file():
            digest.update(name.encode() + b"\0" + outside.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def model_version(use_model: bool) -> str:
    """The trained model's version when it will run, ``rules-only`` when it will not."""
    if not use_model:
        return "rules-only"
    from kg.extract.pipeline import model_available

    if not model_available():
        return "rules-only"
    from kg.extract.statistical import MODEL_VERSION

    return MODEL_VERSION


def pipeline_version(use_model: bool = True) -> str:
    """What the extraction of a paper depends on besides its text: model, data files, code."""
    import spacy

    return f"model={model_version(use_model)};data={data_fingerprint()};spacy={spacy.__version__}"


def paper_key(paper: Paper, version: str) -> str:
    """The cache key of ``paper`` under ``version``: its id and text, nothing else."""
    digest = hashlib.sha256()
    for part in (version, paper.id, paper.title, paper.text):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


@dataclass
class CacheReport:
    """How many papers were served from the cache and how many had to be extracted."""

    hits: int = 0
    misses: int = 0
    stored: int = 0

    def as_dict(self) -> dict:
        return {"hits": self.hits, "misses": self.misses, "stored": self.stored}

    def describe(self) -> str:
        return f"cache: {self.hits} reused, {self.misses} extracted"


class ExtractionCache:
    """Extractions on disk under ``directory``, for one pipeline ``version``."""

    def __init__(self, directory: str | Path, version: str):
        self.directory = Path(directory)
        self.version = version
        self.path = self.directory / CACHE_FILE
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
        except (OSError, sqlite3.Error) as error:
            raise InputError(f"cannot open the extraction cache: {error}", where=str(self.path),
                             fix="pass another --cache-dir, delete the file, or build with --no-cache") from None

    def __enter__(self) -> "ExtractionCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM extractions WHERE version = ?", (self.version,)).fetchone()[0]

    def get_many(self, papers: Sequence[Paper], chunk: int = 500) -> dict[str, Extraction]:
        """Cached extractions of ``papers`` that exist under this version, by paper id."""
        keys = {paper_key(p, self.version): p.id for p in papers}
        found: dict[str, Extraction] = {}
        items = list(keys)
        try:
            for start in range(0, len(items), chunk):
                part = items[start:start + chunk]
                marks = ",".join("?" * len(part))
                for key, data in self._db.execute(f"SELECT key, data FROM extractions WHERE key IN ({marks})", part):
                    found[keys[key]] = Extraction.from_dict(json.loads(zlib.decompress(data)))
        except (sqlite3.Error, zlib.error, ValueError, TypeError, KeyError) as error:
            raise InputError(f"the extraction cache is unreadable: {error}", where=str(self.path),
                             fix="delete it (it is rebuilt on the next build) or build with --no-cache") from None
        return found

    def put_many(self, pairs: Iterable[tuple[Paper, Extraction]]) -> int:
        """Store extractions in one transaction; returns how many were written."""
        rows = [(paper_key(p, self.version), p.id, self.version,
                 zlib.compress(json.dumps(e.to_dict(), ensure_ascii=False, separators=(",", ":")).encode(), 3))
                for p, e in pairs]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO extractions (key, paper_id, version, data) "
                                 "VALUES (?, ?, ?, ?)", rows)
        return len(rows)
