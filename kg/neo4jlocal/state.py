"""The instance's state file: address, credentials, version and the running pid.

It holds the generated password, so it is written with mode 600. Other parts of kg
(``kg.connection``) read it to find the project's own instance when no NEO4J_* variable
is set; reading it must stay cheap and free of the neo4j driver.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from kg.errors import Neo4jServerError

USERNAME = "neo4j"


@dataclass(frozen=True)
class InstanceState:
    """What ``kg neo4j start`` recorded about the instance."""

    version: str
    home: str
    port: int
    password: str
    username: str = USERNAME
    pid: int | None = None
    started_at: float | None = None

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def with_pid(self, pid: int | None, started_at: float | None = None) -> "InstanceState":
        return replace(self, pid=pid, started_at=started_at)


def read_state(path: Path) -> InstanceState | None:
    """The recorded state, or None when the instance was never set up."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise Neo4jServerError(f"cannot read the instance state ({error})", where=str(path),
                               fix="delete the file and run `kg neo4j start` again") from None
    try:
        return InstanceState(**data)
    except TypeError as error:
        raise Neo4jServerError(f"unexpected instance state ({error})", where=str(path),
                               fix="delete the file and run `kg neo4j start` again") from None


def write_state(path: Path, state: InstanceState) -> None:
    """Write atomically with mode 600 from the first byte (it holds a password)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(state), handle, indent=1, sort_keys=True)
        handle.write("\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def pid_alive(pid: int | None) -> bool:
    """True when ``pid`` is a live (not zombie) Neo4j server process.

    Checks the command line so that a recycled pid of some other program is not taken
    for the server (and never signalled by ``stop``).
    """
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # reap it if it is our own finished child, so it does not linger as a zombie
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    proc = Path(f"/proc/{pid}")
    if proc.exists():
        try:
            stat = (proc / "stat").read_text()
            if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                return False
            return b"CommunityEntryPoint" in (proc / "cmdline").read_bytes()
        except OSError:
            return False
    return True
