"""``kg build --watch``: build, then build again whenever the inputs change, in one process.

A corpus that grows by a file a day is rebuilt by its change only (:mod:`kg.increment`), but a
new ``kg build`` process first starts Python, imports spaCy and reads the build state back
(1.2 s for the 41k graph's 200 MB), and that part grows with the corpus. A watching build keeps
the state it returned in memory and hands it to the next build, which still checks it against
the outputs on disk (:func:`kg.buildstate.load_state`). The state is saved once the build is
over, by a forked child while the inputs are watched (a one-off build saves it while it writes
the page and Neo4j, and there the child competed with them for the two cores); a change that
comes before the save ends is built at once, beside it.
The extraction pipeline is loaded once too, so the worker processes of each rebuild, forked
from this one, start with it.

The inputs are looked at every ``interval`` seconds: the files given and those under the
folders given that the loaders would read (hidden ones and files of no known format left out),
by size, modification time and inode.
A change is built once two looks in a row agree, so a file still being copied is not read
half-written. A build that fails is reported and watching goes on; its state is dropped (it
may have been changed half-way), so the next build reads the saved one.
"""
from __future__ import annotations

import dataclasses
import gc
import os
import time
from pathlib import Path
from typing import Callable, Iterable

import click

from kg.errors import KGError


def input_files(paths: Iterable[str | os.PathLike], format: str | None = None,
                known: dict | None = None) -> dict[str, tuple[int, int, int]]:
    """The files the loaders would read for these inputs, with what changes when one does:
    ``{path: (size, mtime_ns, inode)}``. Files named as inputs always count; a file under a folder
    counts when its format is ``format`` or can be told (the loaders' own :func:`plan`), so a
    README or a notes file put beside the papers starts no build. ``known`` (a dict kept between
    calls) remembers what each file was told to be, so only new or changed files are looked into."""
    from kg.loaders.corpus import plan, walk_folder

    found: dict[str, tuple[int, int, int]] = {}

    def identity(path: Path) -> tuple[int, int, int] | None:
        try:
            stat = path.stat()
        except OSError:
            return None   # gone between listing and looking: the next look sees it gone
        return stat.st_size, stat.st_mtime_ns, stat.st_ino

    def readable(path: Path, seen: tuple) -> bool:
        if format is not None:
            return True
        told = known.get(str(path)) if known is not None else None
        if told is None or told[0] != seen:
            told = (seen, bool(plan([path], None, lambda problem: None)))
            if known is not None:
                known[str(path)] = told
        return told[1]

    for given in paths:
        path = Path(given)
        if path.is_dir():
            for file in walk_folder(path):   # the loaders' own listing: hidden files left out
                seen = identity(file)
                if seen is not None and readable(file, seen):
                    found[str(file)] = seen
        else:
            seen = identity(path)
            if seen is not None:
                found[str(path)] = seen
    return found


def watch_inputs(job, *, interval: float, max_updates: int | None = None,
                 build: Callable | None = None, sleep: Callable[[float], None] = time.sleep) -> int:
    """Build ``job`` (a :class:`kg.cli.build.BuildJob`), then again after each change of its
    inputs, until Ctrl-C or ``max_updates`` rebuilds; returns how many rebuilds ran.
    ``build(job, kept, save_later=True)`` is :func:`kg.cli.build.run_build` unless given."""
    if build is None:
        from kg.cli.build import run_build as build
    known: dict = {}

    def look() -> dict:
        return input_files(job.inputs, job.fmt, known)

    seen = look()
    saver = _Saver(job.cache)
    updates = 0
    try:   # Ctrl-C while watching ends the command; during a build it interrupts that build
        kept = saver.after(_attempt(build, job, None))
        job = dataclasses.replace(job, rebuild=False)   # --rebuild is for the first build only
        if job.scheduler is None:
            _preload_pipeline(job.use_model)
        while max_updates is None or updates < max_updates:
            _say(f"watching {len(seen)} input file{'s' * (len(seen) != 1)} (Ctrl-C stops)")
            try:
                seen = _next_change(look, seen, interval, sleep, saver.poll)
            except KeyboardInterrupt:
                _say("stopped watching")
                break
            updates += 1
            kept = saver.after(_attempt(build, job, kept))
    finally:
        saver.wait()   # the last state is on disk before the command ends
    return updates


class _Saver:
    """Saves each build's state once the build is over (a forked child pickles it while the
    inputs are watched). A build may start while the last state is still being saved; the next
    save waits for that one (so an older state can never replace a newer one), and so does the
    end of the command."""

    def __init__(self, cache):
        self.cache, self.saving = cache, None

    def after(self, built):
        """The state to keep from ``built`` (None after a failed build), its save started.
        The last save is waited for first: no collection or second save runs beside it, and
        after a failed build, the next one reads the saved state only once it is complete."""
        self.wait()
        _collect()
        if built is None:
            return None
        if built.unsaved:
            self.saving = built.state.save_in_background(self.cache)
        return built.state

    def poll(self) -> None:
        """Say so once the save has ended (while watching)."""
        if self.saving is not None and self.saving.done():
            self.wait()

    def wait(self) -> None:
        saving, self.saving = self.saving, None
        if saving is not None:
            try:
                saving.wait()
                _say("build state saved")
            except KGError as error:   # the state in memory still fits the outputs: go on with it
                _say(f"{error.message}")


def _collect() -> None:
    """Free what the last build left in reference cycles, and freeze what lives on again.

    A build freezes everything alive when its graph is built (:func:`gc.freeze`: later
    collections need not walk the state), and frozen objects are never collected: a graph the
    next build replaced, or a page's subgraph, would stay in memory for good. Between builds,
    before the state is forked to be saved, the collector walks the heap once."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _preload_pipeline(use_model: bool) -> None:
    """The extraction pipeline, loaded here once: the workers of later builds are forked with it."""
    from kg.pipeline import _extraction_available

    if _extraction_available():
        from kg.distributed import preload

        preload(use_model)


def _next_change(look: Callable[[], dict], seen: dict, interval: float, sleep, tick: Callable[[], None]) -> dict:
    """Wait until ``look()`` differs from ``seen`` and then holds still for one ``interval``
    (``tick`` runs at every look)."""
    while True:
        sleep(interval)
        tick()
        now = look()
        if now == seen:
            continue
        sleep(interval)
        settled = look()
        if settled == now:
            return settled
        # still changing: wait for the next look that agrees with the one before


def _attempt(build, job, kept):
    """One build; a failure is reported (None), and the next build starts from the saved state."""
    try:
        return build(job, kept, save_later=True)
    except KGError as error:
        _say(f"build failed, still watching: {error.message}")
        return None


def _say(text: str) -> None:
    click.echo(f"watch: {text}", err=True)
