#!/usr/bin/env python
"""Benchmark every stage of a build on one corpus, in one run (by hand, never in CI).

    python bench/run.py CORPUS [--out results.json] [--processes N] [--neo4j] [--limit N]
                        [--sizes 10000,20000,41422] [--single-sample 1000] [--cache-dir DIR]

Stages: loading, a bare ``spacy.blank("en")`` + sentencizer pass (the yardstick), extraction in
one process (on a sample) and in N processes (on everything), resolution, graph building,
snapshot writing, RDF export (streamed N-Triples), Neo4j writing (``--neo4j``: the database is
WIPED first; it holds the test suite's lock while wiping and writing, so it never clashes with
a test session — and a later test session may wipe what it wrote).
Machines are noisy, so extraction is also given as a ratio to the bare pass measured in the
same run. Peak memory is the resident-set high-water mark (getrusage) of this process and,
separately, of the largest worker process.

``--sizes`` repeats resolution -> Neo4j on the first N papers of each size (extractions from
the N-process pass, so each size costs only its downstream stages) and prints time per 10k.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def peak_mb() -> dict:
    """Resident-set high-water marks in MB: this process, and the largest finished child."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self": round(own), "children": round(children)}


def machine() -> dict:
    load = os.getloadavg()
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "loadavg": [round(x, 2) for x in load],
            "platform": platform.platform()}


class Bench:
    """Rows of (stage, items, unit, seconds) with the peak memory after each stage."""

    def __init__(self):
        self.rows: list[dict] = []

    def run(self, stage: str, func, items=None, unit: str = "papers", note: str = ""):
        clock = time.perf_counter()
        value = func()
        seconds = time.perf_counter() - clock
        count = items(value) if callable(items) else items
        row = {"stage": stage, "items": count, "unit": unit, "seconds": round(seconds, 3),
               "per_second": round(count / seconds, 1) if count and seconds else None,
               "peak_mb": peak_mb(), "note": note}
        self.rows.append(row)
        print(f"  {stage:<28} {seconds:8.1f} s  {row['per_second'] or '':>10} {unit}/s  {note}", file=sys.stderr,
              flush=True)
        return value


def bare_nlp():
    """The yardstick: spaCy's tokenizer plus the rule sentencizer, nothing else."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def bare_pass(nlp, texts: list[str]) -> None:
    for _ in nlp.pipe(texts, batch_size=64):
        pass


def load_pipeline(use_model: bool):
    """Load the extraction pipeline once here, so that timings below leave loading out (and
    forked worker processes inherit it instead of loading their own)."""
    from kg.extract.pipeline import _cached, model_available

    return _cached(bool(use_model and model_available()))


CACHE_REPORTS: list = []


def extract(papers, processes: int, use_model: bool, cache_dir=None):
    from kg.extract.cache import CacheReport
    from kg.pipeline import extract_all

    report = CacheReport()
    CACHE_REPORTS.append(report)
    return extract_all(papers, n_process=processes, use_model=use_model, cache_dir=cache_dir, cache_report=report)


def neo4j_lock(settings):
    """The test suite's lock for this database (tests/conftest.py): wait for running test sessions."""
    import fcntl
    import hashlib
    import tempfile

    digest = hashlib.sha1(f"{settings.uri}/{settings.database}".encode()).hexdigest()[:12]
    handle = open(os.path.join(tempfile.gettempdir(), f"kg-neo4j-tests-{digest}.lock"), "w")
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def wipe(settings) -> None:
    from kg.connection import open_driver

    with open_driver(settings) as driver:
        with driver.session(database=settings.database) as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def server_cpu_seconds(settings) -> float | None:
    """CPU seconds used so far by the project's own Neo4j (``kg neo4j start``), when ``settings`` point at it."""
    from kg.neo4jlocal.server import status

    found = status()
    if not found.running or found.state.uri != settings.uri:
        return None
    state = found.state
    try:
        fields = Path(f"/proc/{state.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def downstream(bench: Bench, papers, extractions, out: Path, prefix: str, settings, batch_size: int,
               writers: int) -> dict:
    """Resolution, graph, snapshot, RDF and (with settings) Neo4j for one set of papers."""
    from kg.graph.build import build_graph as typed_graph
    from kg.graph.snapshot import write_snapshot
    from kg.graph.validate import validate
    from kg.rdf import write_export
    from kg.resolve import resolve

    n = len(papers)
    resolution = bench.run(f"{prefix}resolve", lambda: resolve(extractions), n)
    graph = bench.run(f"{prefix}graph + validate", lambda: _graph(typed_graph, validate, papers, extractions,
                                                                  resolution), n)
    figures = {"papers": n, "nodes": graph.number_of_nodes(), "relationships": graph.number_of_edges()}
    bench.run(f"{prefix}snapshot", lambda: write_snapshot(graph, out / "graph.json"), n)
    bench.run(f"{prefix}rdf (n-triples)", lambda: write_export(graph, out / "graph.nt", format="nt"),
              lambda r: r["triples"], unit="triples")
    if settings is not None:
        from kg.store import write_graph

        lock = neo4j_lock(settings)  # held only while wiping and writing
        try:
            wipe(settings)
            server_before, client_before = server_cpu_seconds(settings), time.process_time()
            report = bench.run(f"{prefix}neo4j write", lambda: write_graph(graph, settings, batch_size=batch_size,
                                                                            writers=writers),
                               lambda r: r.relationships_created, unit="rels",
                               note=f"batch {batch_size} papers, {writers} writers, empty database")
            server_after, client_after = server_cpu_seconds(settings), time.process_time()
            rewrite = bench.run(f"{prefix}neo4j rewrite (unchanged)",
                                lambda: write_graph(graph, settings, batch_size=batch_size, writers=writers),
                                lambda r: r.papers_unchanged, unit="papers", note="every paper skipped by digest")
        finally:
            lock.close()
        figures["neo4j_nodes_created"] = report.nodes_created
        figures["neo4j_relationships_created"] = report.relationships_created
        figures["neo4j_rewrite_papers_unchanged"] = rewrite.papers_unchanged
        # Client and server share the cores: where the write's CPU time went.
        figures["neo4j_write_cpu_seconds"] = {
            "client": round(client_after - client_before, 1),
            "server": round(server_after - server_before, 1) if server_before is not None else None}
    return figures


def _graph(typed_graph, validate, papers, extractions, resolution):
    graph = typed_graph(papers, extractions, resolution)
    validate(graph)
    return graph


def table(bench: Bench) -> str:
    lines = [f"{'stage':<30} {'items':>9} {'seconds':>9} {'per s':>10}  {'unit':<8} {'peak MB':>8}",
             "-" * 80]
    for row in bench.rows:
        lines.append(f"{row['stage']:<30} {row['items'] or '':>9} {row['seconds']:>9.1f} "
                     f"{row['per_second'] or '':>10}  {row['unit']:<8} {row['peak_mb']['self']:>8}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="+", help="input files or folders (any format kg reads)")
    parser.add_argument("--out", help="save the results as JSON here")
    parser.add_argument("--work", default=None, help="folder for the written graph files [default: a temp folder]")
    parser.add_argument("--processes", type=int, default=None, help="extraction processes [default: all cores]")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N papers (by id)")
    parser.add_argument("--single-sample", type=int, default=1000,
                        help="papers for the fresh one-process and N-process extraction measurements [default 1000]")
    parser.add_argument("--sizes", default=None, help="comma-separated sizes for time per 10k, e.g. 10000,20000,41422")
    parser.add_argument("--neo4j", action="store_true", help="also measure Neo4j writing (WIPES the database)")
    parser.add_argument("--batch-size", type=int, default=None, help="papers per Neo4j transaction")
    parser.add_argument("--writers", type=int, default=None, help="Neo4j transactions at once [default: the writer's]")
    parser.add_argument("--no-model", action="store_true", help="rules and gazetteers only")
    parser.add_argument("--cache-dir", default=None,
                        help="take the N-process extractions from (and store them in) this cache; "
                             "the one-process sample is always extracted fresh")
    args = parser.parse_args(argv)

    import tempfile

    from kg.distributed import default_processes
    from kg.loaders import read_corpus
    from kg.store import DEFAULT_BATCH_SIZE
    from kg.store.writer import DEFAULT_WRITERS

    processes = args.processes or default_processes()
    batch_size = args.batch_size or DEFAULT_BATCH_SIZE
    args.writers = args.writers or DEFAULT_WRITERS
    use_model = not args.no_model
    work = Path(args.work or tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    settings = None
    if args.neo4j:
        from kg.connection import resolve_settings

        settings = resolve_settings()

    started = time.perf_counter()
    info = {"machine": machine(), "corpus": args.corpus, "processes": processes, "use_model": use_model}
    bench = Bench()
    print(f"kg bench: {', '.join(args.corpus)}; {processes} processes; load {info['machine']['loadavg']}",
          file=sys.stderr)
    loaded = bench.run("load", lambda: read_corpus(args.corpus), lambda r: len(r.papers))
    papers = sorted(loaded.papers, key=lambda p: p.id)
    if args.limit:
        papers = papers[:args.limit]
    sample = papers[:args.single_sample]
    texts = [p.text for p in papers]

    nlp = bare_nlp()
    bare_pass(nlp, texts[:50])  # warm up
    bench.run("load pipeline", lambda: load_pipeline(use_model), 1, unit="loads")
    bench.run("bare pass (sample)", lambda: bare_pass(nlp, [p.text for p in sample]), len(sample))
    bench.run("extract 1 process (sample)", lambda: extract(sample, 1, use_model), len(sample))
    bench.run(f"extract {processes} processes (sample)", lambda: extract(sample, processes, use_model), len(sample))
    bench.run("bare pass (all)", lambda: bare_pass(nlp, texts), len(papers))
    note = "cached where present" if args.cache_dir else ""
    extractions = bench.run(f"extract {processes} processes", lambda: extract(papers, processes, use_model,
                                                                                args.cache_dir), len(papers),
                            note=note)
    figures = downstream(bench, papers, extractions, work, "", settings, batch_size, args.writers)

    rate = {row["stage"]: row["per_second"] for row in bench.rows}
    bare_sample, bare_all = rate["bare pass (sample)"], rate["bare pass (all)"]
    one, many = rate["extract 1 process (sample)"], rate[f"extract {processes} processes"]
    many_sample = rate[f"extract {processes} processes (sample)"]
    summary = {
        "abstracts_per_s_1_process": one,
        f"abstracts_per_s_{processes}_processes": many,
        "bare_pass_per_s": bare_all,
        "ratio_1_process_to_bare": round(one / bare_sample, 4),
        f"abstracts_per_s_{processes}_processes_sample": many_sample,
        "ratio_per_process_to_bare": round(many / processes / bare_all, 4),
        "speedup_all_cores": round(many_sample / one, 2),
        "peak_rss_mb": peak_mb(),
        **figures,
    }
    hits = CACHE_REPORTS[-1].hits
    if hits:
        summary["note"] = f"the N-process pass read {hits} extractions from the cache: its rate is not an extraction rate"
    neo4j_rows = [r for r in bench.rows if r["stage"] == "neo4j write"]
    if neo4j_rows:
        summary["neo4j_relationships_per_s"] = neo4j_rows[0]["per_second"]

    per_10k = []
    if args.sizes:
        by_id = {e.paper_id: e for e in extractions}
        for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
            subset = papers[:size]
            first = len(bench.rows)
            sized = downstream(bench, subset, [by_id[p.id] for p in subset], work / f"size-{size}",
                               f"[{len(subset)}] ", settings, batch_size, args.writers)
            seconds = {r["stage"].split("] ", 1)[1]: r["seconds"] for r in bench.rows[first:]}
            extract_s = len(subset) / one  # one process, from the fresh sample's rate
            total = sum(seconds.values())
            per_10k.append({"papers": len(subset), "relationships": sized["relationships"],
                            "downstream_seconds": round(total, 1),
                            "downstream_seconds_per_10k": round(total * 10000 / len(subset), 1),
                            "extract_seconds_per_10k_1_process": round(extract_s * 10000 / len(subset), 1),
                            "stages": seconds})
    info.update(rows=bench.rows, summary=summary, per_10k=per_10k,
                total_seconds=round(time.perf_counter() - started, 1), loadavg_end=list(os.getloadavg()))

    print(table(bench))
    print()
    for key, value in summary.items():
        print(f"{key:<36} {value}")
    if per_10k:
        print()
        print(f"{'papers':>8} {'rels':>9} {'downstream s':>13} {'s per 10k':>10} {'extract s/10k (1 proc)':>23}")
        for row in per_10k:
            print(f"{row['papers']:>8} {row['relationships']:>9} {row['downstream_seconds']:>13} "
                  f"{row['downstream_seconds_per_10k']:>10} {row['extract_seconds_per_10k_1_process']:>23}")
    if args.out:
        Path(args.out).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
        print(f"\nsaved {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
