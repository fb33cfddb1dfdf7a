"""Start, stop and inspect the project's own Neo4j process.

The server runs in its own session (so closing the terminal or ending pytest does not
kill it), logs to ``logs/console.log`` and is known by the pid in the state file. A file
lock serialises concurrent ``start``/``stop`` calls on one instance (parallel test runs).
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass

from kg.errors import Neo4jServerError
from kg.neo4jlocal import config
from kg.neo4jlocal.layout import Layout, default_layout, default_port
from kg.neo4jlocal.provision import find_java, provision, tail
from kg.neo4jlocal.state import InstanceState, pid_alive, read_state, write_state

START_TIMEOUT = 180.0
STOP_TIMEOUT = 60.0


@dataclass(frozen=True)
class Status:
    running: bool
    state: InstanceState | None
    layout: Layout

    @property
    def uri(self) -> str | None:
        return self.state.uri if self.state else None

    def describe(self) -> str:
        """The lines ``kg neo4j status`` prints."""
        if self.state is None:
            return f"not set up (home {self.layout.home}); run `kg neo4j start`"
        lines = [f"{'running' if self.running else 'stopped'}",
                 f"uri      {self.state.uri}",
                 f"pid      {self.state.pid if self.running else '-'}",
                 f"version  Neo4j Community {self.state.version}",
                 f"home     {self.state.home}",
                 f"log      {self.layout.console_log}"]
        return "\n".join(lines)


@dataclass(frozen=True)
class StartResult:
    state: InstanceState
    already_running: bool
    seconds: float


@contextlib.contextmanager
def _locked(layout: Layout):
    layout.home.mkdir(parents=True, exist_ok=True)
    with open(layout.lock_file, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def status(layout: Layout | None = None) -> Status:
    layout = layout or default_layout()
    state = read_state(layout.state_file)
    return Status(running=bool(state and pid_alive(state.pid)), state=state, layout=layout)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _answers(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _initial_state(java: str, layout: Layout, port: int) -> InstanceState:
    """The state to start with: the recorded one, or a new password set before the first start."""
    recorded = read_state(layout.state_file)
    fresh = not (layout.data / "dbms" / "auth.ini").exists() and not (layout.data / "databases").exists()
    if recorded is not None and not fresh:
        return InstanceState(version=layout.version, home=str(layout.home), port=port,
                             password=recorded.password, username=recorded.username)
    if recorded is None and not fresh:
        raise Neo4jServerError("the instance has data but its password record (state.json) is gone",
                               where=str(layout.home),
                               fix=f"delete {layout.data} to reset the instance (its graph is lost), then start again")
    # A new (or reset) data folder: set the password before the first start, as neo4j-admin does.
    password = recorded.password if recorded else "kg" + secrets.token_urlsafe(18)  # never starts with "-"
    command = config.admin_command(java, layout, "dbms", "set-initial-password", password)
    done = subprocess.run(command, env=config.admin_env(layout), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300)
    if done.returncode != 0:
        raise Neo4jServerError(f"could not set the initial password:\n{(done.stdout + done.stderr).strip()[-2000:]}",
                               where=str(layout.home), fix="check the Java install and the folder's permissions")
    state = InstanceState(version=layout.version, home=str(layout.home), port=port, password=password)
    write_state(layout.state_file, state)
    return state


def start(layout: Layout | None = None, port: int | None = None, *, timeout: float = START_TIMEOUT,
          echo=None) -> StartResult:
    """Provision (once), configure and start the instance; wait until Bolt accepts its credentials.

    Harmless when it is already running: returns the running instance's state.
    """
    layout = layout or default_layout()
    began = time.monotonic()
    with _locked(layout):
        current = status(layout)
        if current.running:
            return StartResult(current.state, already_running=True, seconds=0.0)
        port = port or default_port()
        java = find_java()
        provision(layout, echo=echo)
        if not port_is_free(port):
            raise Neo4jServerError(f"port {port} on 127.0.0.1 is already in use", where=f"127.0.0.1:{port}",
                                   fix=f"stop what listens there, or pick another port: kg neo4j start --port {port + 1}")
        config.write_config(layout, port)
        state = _initial_state(java, layout, port)
        layout.logs.mkdir(parents=True, exist_ok=True)
        log_offset = layout.console_log.stat().st_size if layout.console_log.exists() else 0
        if echo:
            echo(f"Starting Neo4j {layout.version} on 127.0.0.1:{port} (log: {layout.console_log}) ...")
        with open(layout.console_log, "ab") as log:
            process = subprocess.Popen(config.server_command(java, layout), stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, cwd=layout.home, start_new_session=True)
        state = state.with_pid(process.pid, started_at=time.time())
        write_state(layout.state_file, state)
        try:
            _wait_until_ready(process, state, layout, log_offset, timeout)
        except BaseException:
            _terminate(process.pid, STOP_TIMEOUT)
            write_state(layout.state_file, state.with_pid(None))
            raise
        return StartResult(state, already_running=False, seconds=time.monotonic() - began)


def _log_since(layout: Layout, offset: int, lines: int = 20) -> str:
    try:
        with open(layout.console_log, "rb") as handle:
            handle.seek(offset)
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return tail(layout.console_log, lines)
    return "\n".join(text.rstrip("\n").splitlines()[-lines:]) or "(the log is empty)"


def _wait_until_ready(process: subprocess.Popen, state: InstanceState, layout: Layout,
                      log_offset: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            raise Neo4jServerError(
                f"Neo4j exited during start-up (exit {code}); last lines of its log:\n{_log_since(layout, log_offset)}",
                where=str(layout.console_log), fix="fix the cause shown in the log, then run `kg neo4j start` again")
        if _answers(state.port) and _bolt_accepts(state):
            return
        time.sleep(0.5)
    raise Neo4jServerError(
        f"Neo4j did not answer on {state.uri} within {timeout:.0f} s; last lines of its log:\n"
        f"{_log_since(layout, log_offset)}",
        where=str(layout.console_log), fix="see the log; a slow machine may need `kg neo4j start --timeout 600`")


def _bolt_accepts(state: InstanceState) -> bool:
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, ServiceUnavailable

    try:
        with GraphDatabase.driver(state.uri, auth=(state.username, state.password),
                                  connection_timeout=5.0) as driver:
            driver.verify_connectivity()
        return True
    except ServiceUnavailable:
        return False
    except AuthError:
        raise Neo4jServerError("the instance refuses the recorded password", where=str(state.home),
                               fix="delete its data folder to reset it (its graph is lost), then start again") from None


def _terminate(pid: int, timeout: float) -> bool:
    """SIGTERM, wait up to ``timeout`` s, then SIGKILL. True if it had to be killed."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return False
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    for _ in range(50):
        if not pid_alive(pid):
            break
        time.sleep(0.1)
    return True


def stop(layout: Layout | None = None, *, timeout: float = STOP_TIMEOUT) -> InstanceState | None:
    """Stop the instance cleanly by its pid. Returns the stopped state, or None if it was not running."""
    layout = layout or default_layout()
    with _locked(layout):
        current = status(layout)
        if not current.running:
            if current.state and current.state.pid:
                write_state(layout.state_file, current.state.with_pid(None))
            return None
        killed = _terminate(current.state.pid, timeout)
        write_state(layout.state_file, current.state.with_pid(None))
        if killed:
            raise Neo4jServerError(f"Neo4j (pid {current.state.pid}) did not stop within {timeout:.0f} s and was killed",
                                   where=str(layout.console_log),
                                   fix="it will recover its store on the next start; see the log for why it hung")
        return current.state


def env_lines(state: InstanceState) -> list[str]:
    """``export`` lines for the driver's conventional variables (shell-quoted)."""
    import shlex

    return [f"export NEO4J_URI={shlex.quote(state.uri)}",
            f"export NEO4J_USERNAME={shlex.quote(state.username)}",
            f"export NEO4J_PASSWORD={shlex.quote(state.password)}"]


def local_state(layout: Layout | None = None) -> InstanceState | None:
    """The running instance's state, or None: what ``kg.connection`` falls back to."""
    current = status(layout)
    return current.state if current.running else None


__all__ = ["Status", "StartResult", "start", "stop", "status", "env_lines", "local_state", "port_is_free"]

