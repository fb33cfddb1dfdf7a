"""One call run by a forked child, while this process goes on with other work.

A build's last stages each hold the interpreter lock for seconds: pickling the build state,
writing Neo4j (the client plans and encodes every row), writing the snapshot, RDF and page. In
threads they would take turns on one core (and a thread waiting on the network queues behind
the lock at every reply); a child forked after the graph is built sees the parent's memory as
it was at the fork (copy-on-write), needs nothing sent to it, and runs on the other core.

The call's return value, or the error it raised, comes back pickled through a pipe: keep it
small (a report, a path), not a graph: one bigger than the pipe's buffer (64 KB on Linux) keeps
the child waiting, and :meth:`Forked.done` false, until :meth:`Forked.result` reads it. Where
there is no ``fork`` the call runs at once, here.

>>> def answer():
...     return 6 * 7
>>> fork_call(answer).result()
42
"""
from __future__ import annotations

import os
import pickle
import signal
import traceback
from typing import Any, Callable

from kg.errors import KGError


class ForkedFailure(Exception):
    """An error of a forked call that is not one of kg's own: ``TypeName: message``, with the
    child's traceback as a note (shown under the parent's)."""


def _transportable(error: BaseException) -> BaseException:
    """The error as it can cross the pipe: kg's errors and interruptions as they are, anything
    else (whose class may not unpickle) as a :class:`ForkedFailure`."""
    if isinstance(error, (KGError, KeyboardInterrupt)):
        return error
    failure = ForkedFailure(f"{type(error).__name__}: {error}")
    failure.add_note("in the forked child:\n" + "".join(traceback.format_exception(error)).rstrip())
    return failure


class Forked:
    """A call running in a child (or already run, where there is no fork)."""

    def __init__(self, pid: int | None = None, pipe: int | None = None, outcome: tuple | None = None):
        self.pid, self.pipe, self.outcome = pid, pipe, outcome
        self.data = b""
        self.status: int | None = None   # the child's wait status, once it was seen to end

    def done(self) -> bool:
        """Whether the child has ended (without waiting); :meth:`result` then returns at once."""
        if self.outcome is not None or self.status is not None:
            return True
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid == 0:
            return False
        self.status = status
        return True

    def result(self) -> Any:
        """Wait for the call to end; its return value, or its error raised here. Interrupted
        (Ctrl-C), it can be called again: it then waits for the child to end."""
        if self.outcome is None:
            if self.pipe is not None:
                reader, self.pipe = os.fdopen(self.pipe, "rb"), None   # read once: what an interruption cut off is lost
                with reader:
                    self.data = reader.read()
            if self.status is None:
                self.status = os.waitpid(self.pid, 0)[1]
            try:
                self.outcome = pickle.loads(self.data)
            except Exception:   # noqa: BLE001 - the child died before it could say (killed, out of memory)
                self.outcome = ("error", ForkedFailure(
                    f"the child process ended with exit code {os.waitstatus_to_exitcode(self.status)} "
                    "before it returned anything"))
        kind, value = self.outcome
        if kind == "error":
            raise value
        return value


def fork_call(call: Callable[[], Any], *, ignore_interrupt: bool = False) -> Forked:
    """Start ``call()`` in a forked child; :meth:`Forked.result` waits for what it returns.

    ``ignore_interrupt``: Ctrl-C, which a terminal sends to the whole process group, does not
    stop the child (a state being saved is finished, so it fits the files already written)."""
    if not hasattr(os, "fork"):
        try:
            return Forked(outcome=("value", call()))
        except Exception as error:   # noqa: BLE001 - raised again by result(), like a child's
            return Forked(outcome=("error", error))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:   # the child: run, report, and leave without the parent's cleanups
        try:
            if ignore_interrupt:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
            os.close(read_end)
            try:
                outcome = ("value", call())
            except BaseException as error:   # noqa: BLE001 - reported by the parent
                outcome = ("error", _transportable(error))
            try:
                data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as error:   # noqa: BLE001 - a value that cannot be pickled is a bug to report
                data = pickle.dumps(("error", _transportable(error)))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)
    os.close(write_end)
    return Forked(pid, read_end)
