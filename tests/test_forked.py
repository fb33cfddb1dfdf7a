"""``kg.forked``: a call run by a forked child gives back its value, kg's errors whole, other
errors with the child's traceback, and a clear error when the child dies before answering."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from kg.errors import Neo4jUnavailable
from kg.forked import ForkedFailure, fork_call


def test_the_value_comes_back_and_the_child_saw_the_memory_at_the_fork():
    table = {"papers": [1, 2, 3]}
    forked = fork_call(lambda: (os.getpid(), sum(table["papers"])))
    table["papers"].append(100)   # after the fork: the child does not see it
    pid, total = forked.result()
    assert pid != os.getpid() and total == 6


def test_kg_errors_come_back_with_what_where_and_fix():
    def fail():
        raise Neo4jUnavailable("no Neo4j answers", where="bolt://db:7687", fix="start it")

    with pytest.raises(Neo4jUnavailable) as caught:
        fork_call(fail).result()
    error = caught.value
    assert (error.what, error.where, error.fix) == ("no Neo4j answers", "bolt://db:7687", "start it")
    assert caught.value.message == "bolt://db:7687: no Neo4j answers (start it)"


def test_other_errors_come_back_by_name_with_the_child_traceback():
    def broken():
        return {}["missing key"]

    with pytest.raises(ForkedFailure, match="KeyError: 'missing key'") as caught:
        fork_call(broken).result()
    assert any(note.startswith("in the forked child") and "in broken" in note for note in caught.value.__notes__)


def test_a_value_that_cannot_be_pickled_is_an_error_not_a_hang():
    with pytest.raises(ForkedFailure, match="pickle"):
        fork_call(lambda: (lambda: None)).result()


def test_a_child_killed_before_it_answers_is_reported():
    forked = fork_call(lambda: time.sleep(30))
    assert not forked.done()
    os.kill(forked.pid, signal.SIGKILL)
    with pytest.raises(ForkedFailure, match="ended with exit code -9 before it returned anything"):
        forked.result()


def test_done_turns_true_and_result_then_returns_at_once():
    forked = fork_call(lambda: "finished")
    deadline = time.monotonic() + 30
    while not forked.done() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert forked.done()
    assert forked.result() == "finished"


def test_result_interrupted_while_waiting_can_be_asked_again():
    # Ctrl-C, to this process only; with Python's own handler even where SIGINT was inherited
    # ignored (a test run started in the background)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        forked = fork_call(lambda: time.sleep(1.5) or "late")
        threading.Timer(0.1, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        with pytest.raises(KeyboardInterrupt):
            forked.result()
    finally:
        signal.signal(signal.SIGINT, previous)
    with pytest.raises(ForkedFailure, match="before it returned anything"):   # what it said was not read
        forked.result()
    assert forked.done()
