"""Where the project's own Neo4j keeps its jars and its instance, and which version it runs.

Two places, because they live differently: the jars (~125 MB from Maven Central) are a
cache shared by every instance of one version and survive between runs; the instance
(config, data, logs, password) is per user, so that `kg` finds it from any folder.

Environment overrides (all optional):
- ``KG_NEO4J_VERSION``  the Neo4j Community version (default :data:`NEO4J_VERSION`)
- ``KG_NEO4J_CACHE``    folder for the jars (default ``~/.cache/kg/neo4j-<version>``)
- ``KG_NEO4J_HOME``     the instance folder (default ``~/.local/state/kg/neo4j``)
- ``KG_NEO4J_PORT``     the Bolt port (default 7687; ``kg neo4j start --port`` wins)
- ``KG_NEO4J_HEAP``     JVM heap, as -Xmx takes it (default 2g)
- ``KG_NEO4J_PAGECACHE`` page cache size (default 512m)
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Newest 5.26 LTS patch that resolves on Maven Central (checked 2026-11; runs on Java 17 and 21).
NEO4J_VERSION = "5.26.31"
DEFAULT_PORT = 7687
# 2g: on the 41k graph a 1g heap spent ~3.4 s of each write in GC pauses (jstat GCT) against
# ~2.6 s, and wrote 15.1-16.3k rel/s against 17.0-19.5k (bench/neo4j_write.py, warm server).
DEFAULT_HEAP = "2g"
DEFAULT_PAGECACHE = "512m"


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / fallback


@dataclass(frozen=True)
class Layout:
    """The paths of one instance and of the jar cache it runs from."""

    version: str
    cache: Path
    home: Path

    @property
    def lib(self) -> Path:
        return self.cache / "lib"

    @property
    def lib_marker(self) -> Path:
        """Written last by provisioning, so a half-copied lib/ is never taken as complete."""
        return self.cache / "lib.complete"

    @property
    def conf(self) -> Path:
        return self.home / "conf"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def console_log(self) -> Path:
        return self.logs / "console.log"

    @property
    def state_file(self) -> Path:
        return self.home / "state.json"

    @property
    def lock_file(self) -> Path:
        return self.home / ".lock"


def default_layout(home: str | Path | None = None, version: str | None = None,
                   cache: str | Path | None = None) -> Layout:
    """The layout from arguments, else the ``KG_NEO4J_*`` variables, else the defaults."""
    version = version or os.environ.get("KG_NEO4J_VERSION") or NEO4J_VERSION
    cache = Path(cache or os.environ.get("KG_NEO4J_CACHE")
                 or _xdg("XDG_CACHE_HOME", ".cache") / "kg" / f"neo4j-{version}")
    home = Path(home or os.environ.get("KG_NEO4J_HOME")
                or _xdg("XDG_STATE_HOME", ".local/state") / "kg" / "neo4j")
    return Layout(version=version, cache=cache.expanduser().resolve(), home=home.expanduser().resolve())


def default_port() -> int:
    return int(os.environ.get("KG_NEO4J_PORT") or DEFAULT_PORT)
