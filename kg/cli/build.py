"""``kg build``: load -> extract -> resolve -> graph -> validate -> snapshot (+ page, RDF, Neo4j).

A thin wrapper over :func:`kg.pipeline.build_graph`. Every file goes through ``kg.atomic``,
so an interrupted build leaves the previous outputs whole.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click

from kg.cli.options import neo4j_options, quiet_option, show_progress

FORMAT_CHOICES = ("listing", "jsonl", "csv", "atom", "bibtex")


def neo4j_settings(params: dict):
    """Connection settings from the shared options' values, flags before environment."""
    from kg.connection import resolve_settings

    return resolve_settings(**params)


# Above this many papers ``--rdf auto`` streams N-Triples: rdflib's Turtle writer holds the whole
# graph in memory (the 41k-abstract graph took over 4 GB and minutes that way).
STREAM_RDF_ABOVE = 20000


# From this many papers on, extraction uses every core unless --processes says otherwise: below it,
# starting the worker processes costs more than it saves.
AUTO_PARALLEL_PAPERS = 1000


def rdf_format(choice: str, papers: int) -> str | None:
    """The RDF format to write: ``auto`` is Turtle for small graphs, streamed N-Triples for big ones."""
    if choice == "none":
        return None
    if choice == "auto":
        return "nt" if papers > STREAM_RDF_ABOVE else "turtle"
    return choice


def write_page_file(graph, out, seconds: dict) -> list[str]:
    """The HTML page, when its module is present (``seconds["page"]`` gets its time)."""
    clock = time.perf_counter()
    try:
        from kg.viz import write_page
    except ImportError:
        return []
    write_page(graph, out / "graph.html")
    seconds["page"] = time.perf_counter() - clock
    return [str(out / "graph.html")]


def rdf_path(out, rdf: str):
    """Where the RDF file of format ``rdf`` goes: ``OUT/graph`` and the format's extension."""
    from kg.rdf import FORMATS

    return out / ("graph" + FORMATS[rdf][1])


def write_rdf_file(graph, out, rdf: str | None, seconds: dict, state=None, change=None) -> list[str]:
    """The RDF file, when its module is present (``seconds["rdf"]`` gets its time). With a build
    ``state``, a streamed RDF file is written by blocks and its index kept in the state; with a
    ``change`` too, unchanged blocks are copied from the last one."""
    try:
        from kg.rdf import write_export
    except ImportError:
        write_export = None
    if state is not None and (write_export is None or rdf is None):
        state.rdf = None
    if write_export is None or rdf is None:
        return []
    from kg.rdf import FORMATS

    clock = time.perf_counter()
    path = rdf_path(out, rdf)
    if state is not None and FORMATS[rdf][2]:
        from kg.rdf.lines_patch import write_streamed_export

        state.rdf = write_streamed_export(
            graph, path, rdf, last=state.rdf if change is not None else None,
            changed_nodes=change.touched_nodes if change is not None else frozenset(),
            changed_sources=change.changed_sources if change is not None else frozenset())
    else:
        write_export(graph, path, format=rdf)
        if state is not None:
            state.rdf = None   # no index of this file: the next build writes its export whole
    seconds["rdf"] = time.perf_counter() - clock
    return [str(path)]


def _unchanged_files(out, snapshot, rdf: str | None, state) -> dict[str, str]:
    """The outputs an unchanged build keeps, by kind: graph.json (the state checked its digest)
    and the RDF file when the state's index still describes it in this format. The page is
    always written: nothing records which graph it shows (an interrupted build can leave an
    older one beside a new graph.json)."""
    kept = {"snapshot": str(snapshot)}
    path = rdf_path(out, rdf) if rdf is not None else None
    if path is not None and state is not None and state.rdf is not None and state.rdf.describes(path, rdf):
        kept["rdf"] = str(path)
    return kept


@dataclass
class BuildJob:
    """What ``kg build`` was asked, checked once: :func:`run_build` runs it (again, with ``--watch``)."""

    inputs: tuple
    out: Path
    cache: Path | None              # None: --no-cache
    settings: object                # kg.connection settings with --neo4j, else None
    n_process: int | None           # None: by corpus size
    use_model: bool
    strict: bool
    fmt: str | None
    fields: dict | None
    scheduler: str | None
    admin_csv: str | None
    rdf_choice: str
    progress: bool
    rebuild: bool
    parsed_memory: dict | None = None   # input files parsed by earlier builds of this process (--watch)

    @property
    def to_neo4j(self) -> bool:
        return self.settings is not None


@dataclass
class Built:
    """What :func:`run_build` leaves: the build state (None without a cache), and whether it is
    still to be saved (``save_later``)."""

    state: object = None
    unsaved: bool = False


class Neo4jWrite:
    """The Neo4j write of one build, started in a forked child (:func:`kg.forked.fork_call`) when
    made, while this process writes the snapshot, RDF and page: the whole 41k graph's write took
    as long as those three files, and a 1,000-paper step's about half as long."""

    def __init__(self, graph, settings, *, previous, change, progress: bool):
        from kg.forked import fork_call

        self.graph, self.settings, self.previous, self.change = graph, settings, previous, change
        self.progress = progress
        self.seconds = 0.0   # the write's own time, in the child
        self.forked = fork_call(self._write)

    def _write(self):
        """In the child: the write, with its progress bar, and how long it took."""
        from tqdm import tqdm

        from kg.pipeline import write_neo4j

        clock = time.perf_counter()
        bar = tqdm(desc="neo4j", unit="paper", leave=False) if self.progress else None
        try:
            outcome = write_neo4j(self.graph, self.settings, previous=self.previous, change=self.change,
                                  progress=bar.update if bar is not None else None)
        finally:
            if bar is not None:
                bar.close()
        return outcome, time.perf_counter() - clock

    def result(self):
        """``(WriteReport, note)`` once the write is over; its error, raised here, if it failed."""
        outcome, self.seconds = self.forked.result()
        return outcome

    def finish_quietly(self) -> None:
        """Wait for the write to end while another error is reported; say so if it failed too."""
        try:
            self.result()
        except BaseException as error:   # noqa: BLE001 - the caller's error is the one raised
            message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
            click.echo(f"the Neo4j write failed as well: {message}", err=True)


def run_build(job: BuildJob, kept=None, save_later: bool = False) -> Built:
    """One build of ``job``, reported on stdout.

    ``kept``: the state the previous build of this process returned (``--watch``), used instead
    of reading the state file when it still fits the outputs on disk. ``save_later``: leave the
    changed state unsaved (``Built.unsaved``) for the caller to save once the build is over,
    rather than while the page and Neo4j are written."""
    from tqdm import tqdm

    from kg.errors import KGError
    from kg.graph.snapshot import SNAPSHOT_NAME, write_snapshot
    from kg.loaders import read_corpus
    from kg.pipeline import build_graph

    started = time.perf_counter()
    inputs, out, cache, settings, progress = job.inputs, job.out, job.cache, job.settings, job.progress
    to_neo4j, n_process, rdf_choice, admin_csv = job.to_neo4j, job.n_process, job.rdf_choice, job.admin_csv

    def on_problem(problem) -> None:
        tqdm.write(problem.message, file=sys.stderr)

    clock = time.perf_counter()
    loaded = read_corpus(inputs, format=job.fmt, fields=job.fields, on_problem=on_problem, progress=progress,
                         cache_dir=cache, parsed_memory=job.parsed_memory)
    load_seconds = time.perf_counter() - clock
    loaded.check(strict=job.strict)
    click.echo(loaded.summary(), err=True)
    if n_process is None:
        from kg.distributed import default_processes

        n_process = default_processes() if len(loaded.papers) >= AUTO_PARALLEL_PAPERS else 1
    from kg.buildstate import record_digest, recorded_digest

    snapshot = out / SNAPSHOT_NAME
    last_digest = recorded_digest(cache, snapshot) if cache is not None else None   # which build the state and Neo4j hold
    if to_neo4j:
        from kg.pipeline import neo4j_holds

        holds = neo4j_holds(cache, snapshot, settings, last_digest)   # Neo4j holds the last build: write the change
    state = change = None
    if cache is None:
        graph, report = build_graph(loaded.papers, n_process=n_process, use_model=job.use_model, progress=progress,
                                    scheduler=job.scheduler)
    else:   # from the last build's state when it fits: only the change is extracted, resolved and rebuilt
        from kg.increment import build_with_state

        graph, report, state, change = build_with_state(
            loaded.papers, cache_dir=cache, snapshot=snapshot, use_model=job.use_model, count_previous=to_neo4j,
            whole=job.rebuild, snapshot_digest=last_digest, n_process=n_process, progress=progress,
            scheduler=job.scheduler, kept=kept)
    report.seconds = {"load": load_seconds, **report.seconds}
    gc.freeze()   # the graph and the state live until the command ends: later collections need not walk them

    clock = time.perf_counter()
    if out.is_dir():
        from kg.atomic import remove_stale_temporaries

        remove_stale_temporaries(out)
    previous = None
    if to_neo4j and holds and change is None:   # a whole build: find the change by comparing graphs
        from kg.graph.snapshot import read_snapshot

        previous = read_snapshot(snapshot)
    # Nothing new, changed or removed: graph.json is the last build's (the state checked its
    # digest), and so is the RDF file the state indexes; rewriting them would give the same
    # bytes, so they stay as they are, and so does the state.
    unchanged = change is not None and change.unchanged
    rdf = rdf_format(rdf_choice, report.papers)
    kept = _unchanged_files(out, snapshot, rdf, state) if unchanged else {}
    unsaved = state is not None and not ("snapshot" in kept and "rdf" in kept)
    neo4j = None
    if to_neo4j:   # written by a child beside the files
        from kg.pipeline import forget_neo4j_holds, record_neo4j_holds

        # What Neo4j holds is said again only once the write and the files are both done, so a
        # build that fails on either side makes the next one write the whole graph.
        forget_neo4j_holds(cache)
        neo4j = Neo4jWrite(graph, settings, previous=previous, change=change if holds else None, progress=progress)
    written = []
    new_digest = last_digest
    saving = None
    try:
        if "snapshot" not in kept:   # with a change, the last snapshot is on disk: copy what did not change
            digest = hashlib.sha256()
            if state is None:
                write_snapshot(graph, snapshot, digest)
            elif change is not None:
                state.snapshot_index = change.write_snapshot(graph, snapshot, state.snapshot_index, digest)
            else:
                from kg.graph.snapshot_patch import write_indexed_snapshot

                state.snapshot_index = write_indexed_snapshot(graph, snapshot, digest)
            written.append(str(snapshot))
            new_digest = digest.hexdigest()
            record_digest(cache, snapshot, new_digest)
        report.seconds["snapshot"] = time.perf_counter() - clock
        if "rdf" not in kept:
            written += write_rdf_file(graph, out, rdf, report.seconds, state, change)
        if unsaved:
            # after the files it describes, so a build that fails before leaves no state claiming them
            clock = time.perf_counter()
            state.snapshot = new_digest
            # pickled by a child while the page and Neo4j are written
            saving = None if save_later else state.save_in_background(cache)
            report.seconds["state"] = report.seconds.get("state", 0.0) + time.perf_counter() - clock
        written += write_page_file(graph, out, report.seconds)
        if admin_csv:
            from kg.store.admin_import import write_admin_import

            clock = time.perf_counter()
            written.append(str(write_admin_import(graph, admin_csv).command_file))
            report.seconds["admin_csv"] = time.perf_counter() - clock
        if neo4j is not None:
            written_report, note = neo4j.result()
            report.seconds["neo4j"] = neo4j.seconds
            report.notes += [note, written_report.describe()]
            written.append("neo4j")
            record_neo4j_holds(cache, settings, new_digest)   # the files and Neo4j both hold this build
    except BaseException:
        if neo4j is not None:   # its transactions end before the command does; the error to report is this one
            neo4j.finish_quietly()
        if saving is not None:   # the child still finishes; the error to report is this one
            with contextlib.suppress(KGError):
                saving.wait()
        raise
    if saving is not None:
        clock = time.perf_counter()
        saving.wait()
        report.seconds["state"] = report.seconds.get("state", 0.0) + time.perf_counter() - clock
    report.seconds["total"] = time.perf_counter() - started
    click.echo(report.summary())
    if kept:
        click.echo("unchanged: " + ", ".join(kept.values()) + " (already this input's graph: not rewritten)")
    click.echo("wrote: " + (", ".join(written) or "nothing"))
    return Built(state, unsaved and save_later)


@click.command("build")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), metavar="DIR",
              help="Folder for graph.json (and graph.html, graph.ttl).")
@click.option("--neo4j", "to_neo4j", is_flag=True,
              help="Also write the graph into Neo4j (idempotent: unchanged papers are skipped, changed ones replaced).")
@click.option("--processes", "n_process", type=click.IntRange(min=1), default=None,
              help="Extraction worker processes [default: all cores for 1,000 papers or more, else 1].")
@click.option("--no-model", is_flag=True, help="Rules and gazetteers only; skip the trained NER model.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) if any input entry or file was skipped.")
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default=None,
              help="Read every input in this format (default: from extension and content).")
@click.option("--field", "field_specs", multiple=True, metavar="KEY=COLUMN",
              help="Field name in JSONL/CSV inputs, e.g. --field abstract=summary.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Cache folder: extractions, parsed input files, the build state [default: OUT/.cache]; "
                   "unchanged papers are not extracted again.")
@click.option("--no-cache", is_flag=True, help="Parse and extract everything; neither read nor write the cache.")
@click.option("--rebuild", is_flag=True,
              help="Build the whole corpus, ignoring the last build's state (extractions still come from the cache).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Extract on the Dask distributed scheduler at ADDRESS (e.g. tcp://10.0.0.5:8786).")
@click.option("--admin-import-csv", "admin_csv", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Also write CSV files for `neo4j-admin database import` (fresh large loads) into DIR.")
@click.option("--rdf", "rdf_choice", type=click.Choice(["auto", "turtle", "nt", "nquads", "none"]), default="auto",
              show_default=True, help=f"RDF file beside graph.json; auto = turtle up to {STREAM_RDF_ABOVE} papers, "
                                      "else streamed N-Triples (graph.nt).")
@click.option("--watch", is_flag=True,
              help="Keep running: whenever an input file changes, is added or removed, build again (only the "
                   "change; the build state stays in memory). Ctrl-C stops.")
@click.option("--interval", type=click.FloatRange(min=0.05), default=2.0, show_default=True, metavar="SECONDS",
              help="With --watch: how often the inputs are looked at; a change is built once it has held "
                   "still this long.")
@click.option("--max-updates", type=click.IntRange(min=0), default=None, metavar="N",
              help="With --watch: stop after N rebuilds (scripts, benchmarks).")
@quiet_option
@neo4j_options
def build(inputs, out_dir, to_neo4j, n_process, no_model, strict, fmt, field_specs, cache_dir, no_cache, rebuild,
          scheduler, admin_csv, rdf_choice, watch, interval, max_updates, quiet, **neo4j_params):
    """Build the knowledge graph of INPUT files and folders into DIR.

    \b
    Writes DIR/graph.json (node-link, byte-identical for the same input), and the
    HTML page and RDF export beside it; with --neo4j also writes into Neo4j.
    \b
    Examples:
      kg build examples/corpus --out out
      kg build examples/corpus --out out --neo4j
      kg build papers.csv --field abstract=summary --out out --no-model -q
      kg build big/ --out out --processes 2 --neo4j
      kg build big/ more/ --out out --neo4j        # later: only the change is built
      kg build big/ --out out --scheduler tcp://10.0.0.5:8786
      kg build big/ --out out --admin-import-csv out/import
      kg build inbox/ --out out --neo4j --watch      # rebuild as files arrive in inbox/
    """
    from kg.errors import UsageError
    from kg.loaders import parse_field_specs

    try:
        fields = parse_field_specs(field_specs)
    except UsageError as error:
        raise click.BadParameter(f"{error.what} ({error.fix})", param_hint="'--field'") from error
    if no_cache and cache_dir:
        raise click.UsageError("--no-cache and --cache-dir contradict each other: pass one of them")
    if watch and no_cache:
        raise click.UsageError("--watch keeps the build state in the cache: drop --no-cache")
    if max_updates is not None and not watch:
        raise click.UsageError("--max-updates counts the rebuilds of --watch: add --watch")
    out = Path(out_dir)
    job = BuildJob(inputs=tuple(inputs), out=out,
                   cache=None if no_cache else Path(cache_dir) if cache_dir else out / ".cache",
                   settings=neo4j_settings(neo4j_params) if to_neo4j else None, n_process=n_process,
                   use_model=not no_model, strict=strict, fmt=fmt, fields=fields, scheduler=scheduler,
                   admin_csv=admin_csv, rdf_choice=rdf_choice, progress=show_progress(quiet), rebuild=rebuild,
                   parsed_memory={} if watch else None)
    if not watch:
        run_build(job)
        return
    from kg.watch import watch_inputs

    watch_inputs(job, interval=interval, max_updates=max_updates)
