#!/usr/bin/env python
"""Time ``kg build --neo4j`` from files, then growing the built graph by new papers (by hand, never in CI).

    python bench/incremental.py CORPUS... --work DIR [--new 1000,2000] [--processes 2] [--rdf nt] [--check] [--skip-full] [--watch] [--out results.json]

Runs the real command line, as a user would:

1. ``kg build CORPUS --out DIR/full --neo4j`` on an emptied database: the end-to-end time
   from files to a queryable Neo4j (extraction cache cold: ``DIR/cache`` is removed first).
2. The corpus without its last ``sum(--new)`` papers (by id) is built into an emptied
   database again, from a copy of the cache that lacks the held-back papers.
3. Each ``--new`` slice is added in turn: ``kg build BASE NEW1 [NEW2 ...]``, so every step
   extracts only its slice (nothing else is missing from the cache) and starts from the last
   build's state (``build-state.pickle``): it resolves, rebuilds and writes only the change.
4. With ``--check``, the last step's input is built whole (no state, no Neo4j, extractions
   from the cache) and its graph.json, graph.nt and graph.html are compared byte for byte
   with the incremental ones.

With ``--watch`` steps 2 and 3 run in one ``kg build DIR/inbox --watch`` process instead: the
base papers are ``DIR/inbox/base.jsonl``, each slice is moved into the folder as
``new-N.jsonl`` (written beside it first, so it appears whole), and a step's wall time runs
from that move to the end of the build it starts (noticing the file: up to two looks, 0.2 s
apart). The build state is saved after each build, while the folder is watched; a slice is
moved in once that is done (``state_saved_after_seconds``: how long it took), as when files
arrive minutes apart. ``--check`` then builds the folder whole.

Prints the seconds of each stage of each run (the ``time:`` line of ``kg build``) and the
peak resident memory of the largest run. ``--neo4j`` settings come from the environment
(``NEO4J_URI``...) or the project's own server; the database is WIPED.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _command(inputs: list[str], out: Path, cache: Path, processes: int, rdf: str) -> list[str]:
    return [sys.executable, "-c", "from kg.cli import main; main()", "build", *inputs, "--out", str(out),
            "-q", "--processes", str(processes), "--cache-dir", str(cache), "--rdf", rdf]


def _report(lines: list[str]) -> dict:
    """What one build printed: the stage times of its ``time:`` line, its Neo4j and incremental
    notes, its paper count."""
    row: dict = {"stages": {}, "neo4j": [], "papers": None}
    for line in lines:
        if line.startswith("time: "):
            row["stages"] = {k: float(v.rstrip("s")) for k, v in
                             (part.split(" ") for part in line[6:].strip().split(", "))}
        elif line.startswith(("neo4j:", "Neo4j:", "incremental:")):
            row["neo4j"].append(line.rstrip())
        elif re.match(r"papers: \d+", line):
            row["papers"] = int(line.split()[1])
    return row


def run_build(inputs: list[str], out: Path, cache: Path, processes: int, neo4j: bool = True, rdf: str = "auto") -> dict:
    """One ``kg build --neo4j`` run: wall seconds, the stage times it printed, its Neo4j note."""
    command = _command(inputs, out, cache, processes, rdf) + (["--neo4j"] if neo4j else [])
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"kg build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return {"wall_seconds": round(seconds, 1), **_report(done.stdout.splitlines()),
            "peak_rss_mb_largest_run": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}


def watch_builds(inbox: Path, out: Path, cache: Path, processes: int, rdf: str, slices: list) -> tuple[dict, list]:
    """The base build and one step per slice in one ``kg build INBOX --watch`` process; each step
    starts when its file is moved into ``inbox``."""
    command = _command([str(inbox)], out, cache, processes, rdf) + \
        ["--neo4j", "--watch", "--interval", "0.2", "--max-updates", str(len(slices))]
    began = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)

    def next_build(since: float) -> dict:
        """Read the child's output up to its next ``watch: watching`` line (or its end)."""
        lines: list[str] = []
        timing: dict = {}
        built = None
        for line in child.stdout:
            lines.append(line)
            if line.startswith("time: "):
                built = time.perf_counter()
                timing["wall_seconds"] = round(built - since, 1)
            elif line.startswith("watch: build state saved") and built is not None:   # the last build's
                timing["state_saved_after_seconds"] = round(time.perf_counter() - built, 1)
            elif line.startswith("watch: build failed"):
                raise SystemExit("a watched build failed:\n" + "".join(lines))
            elif line.startswith("watch: watching"):
                return {**_report(lines), **timing}
        row = {**_report(lines), **timing}
        if child.wait() != 0 or not row["stages"]:
            raise SystemExit(f"kg build --watch failed ({child.returncode}):\n" + "".join(lines))
        return row

    def state_saved(row: dict) -> None:
        """Read on to the line saying the last build's state is on disk (saved while watching)."""
        if "state_saved_after_seconds" in row:
            return
        since = time.perf_counter()
        for line in child.stdout:
            if line.startswith("watch: build state saved"):
                row["state_saved_after_seconds"] = round(time.perf_counter() - since, 1)
                return
        raise SystemExit("kg build --watch ended before saving its state")

    base = next_build(began)
    steps = []
    last = base
    for number, papers in enumerate(slices, 1):
        state_saved(last)   # each step starts on a quiet machine, as it does when files come hours apart
        staged = inbox.parent / f"new-{number}.jsonl"
        write_jsonl(papers, staged)
        since = time.perf_counter()
        os.replace(staged, inbox / staged.name)
        print(f"3.{number} adding {len(papers)} new papers (watching) ...", file=sys.stderr, flush=True)
        step = next_build(since)
        step["added"] = len(papers)
        steps.append(step)
        last = step
        print(f"   {step['wall_seconds']} s  {step['stages']}  {step['neo4j']}", file=sys.stderr)
    state_saved(last)
    child.stdout.read()
    if child.wait() != 0:
        raise SystemExit(f"kg build --watch ended with {child.returncode}")
    peak = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    for row in [base] + steps:
        row["peak_rss_mb_largest_run"] = peak
    return base, steps


def write_jsonl(papers, path: Path) -> str:
    with path.open("w", encoding="utf-8") as handle:
        for paper in papers:
            handle.write(json.dumps({"title": paper.title, "abstract": paper.abstract}, ensure_ascii=False) + "\n")
    return str(path)


def forget(cache: Path, paper_ids: list[str]) -> int:
    """Remove these papers' extractions from a copy of the cache, so adding them extracts them."""
    from kg.extract.cache import CACHE_FILE

    with sqlite3.connect(cache / CACHE_FILE) as db:
        before = db.total_changes
        for start in range(0, len(paper_ids), 500):
            chunk = paper_ids[start:start + 500]
            db.execute(f"DELETE FROM extractions WHERE paper_id IN ({','.join('?' * len(chunk))})", chunk)
        return db.total_changes - before


def wipe_neo4j() -> None:
    from bench.run import neo4j_lock, wipe  # noqa: E402  (the same wipe and test lock as bench/run.py)
    from kg.connection import resolve_settings

    settings = resolve_settings()
    lock = neo4j_lock(settings)
    try:
        wipe(settings)
    finally:
        lock.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="+")
    parser.add_argument("--work", required=True, help="folder for outputs, caches and the split corpus")
    parser.add_argument("--new", default="1000,2000", help="sizes of the slices added one after another")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--skip-full", action="store_true", help="skip step 1 (the cold end-to-end build)")
    parser.add_argument("--check", action="store_true", help="step 4: compare the last step with a whole build")
    parser.add_argument("--rdf", default="auto", help="kg build --rdf (auto: Turtle up to 20,000 papers, else "
                                                      "N-Triples; pass nt to compare sizes across that line)")
    parser.add_argument("--watch", action="store_true", help="steps 2 and 3 in one `kg build --watch` process")
    parser.add_argument("--out", help="save the results as JSON here")
    args = parser.parse_args(argv)

    from kg.loaders import read_corpus

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.new.split(",") if s.strip()]
    papers = sorted(read_corpus(args.corpus).papers, key=lambda p: p.id)
    held = sum(sizes)
    base, rest = papers[:-held], papers[-held:]
    results: dict = {"corpus": args.corpus, "papers": len(papers), "watch": args.watch,
                     "loadavg_start": os.getloadavg()}

    cache = work / "cache"
    if not args.skip_full:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(work / "full", ignore_errors=True)
        wipe_neo4j()
        print(f"1. full build of {len(papers)} papers, cold cache ...", file=sys.stderr, flush=True)
        results["full"] = run_build(list(args.corpus), work / "full", cache, args.processes, rdf=args.rdf)
        print(f"   {results['full']['wall_seconds']} s  {results['full']['stages']}", file=sys.stderr)

    grow_cache = work / "grow-cache"
    shutil.rmtree(grow_cache, ignore_errors=True)
    shutil.copytree(cache, grow_cache)
    (grow_cache / "build-state.pickle").unlink(missing_ok=True)   # the full build's: another output folder
    forgotten = forget(grow_cache, [p.id for p in rest])
    shutil.rmtree(work / "grow", ignore_errors=True)
    wipe_neo4j()
    print(f"2. base build of {len(base)} papers (cached) ...", file=sys.stderr, flush=True)
    slices, offset = [], 0
    for size in sizes:
        slices.append(rest[offset:offset + size])
        offset += size
    if args.watch:
        inbox = work / "inbox"
        shutil.rmtree(inbox, ignore_errors=True)
        inbox.mkdir()
        inputs = [str(inbox)]
        write_jsonl(base, inbox / "base.jsonl")
        results["base"], results["steps"] = watch_builds(inbox, work / "grow", grow_cache, args.processes, args.rdf,
                                                         slices)
        print(f"   {results['base']['wall_seconds']} s  {results['base']['stages']}", file=sys.stderr)
    else:
        inputs = [write_jsonl(base, work / "base.jsonl")]
        results["base"] = run_build(inputs, work / "grow", grow_cache, args.processes, rdf=args.rdf)
        print(f"   {results['base']['wall_seconds']} s  {results['base']['stages']}", file=sys.stderr)
        results["steps"] = []
        for number, papers in enumerate(slices, 1):
            inputs.append(write_jsonl(papers, work / f"new-{number}.jsonl"))
            print(f"3.{number} adding {len(papers)} new papers ...", file=sys.stderr, flush=True)
            step = run_build(inputs, work / "grow", grow_cache, args.processes, rdf=args.rdf)
            step["added"] = len(papers)
            results["steps"].append(step)
            print(f"   {step['wall_seconds']} s  {step['stages']}  {step['neo4j']}", file=sys.stderr)
    if args.check:
        check_cache = work / "check-cache"
        shutil.rmtree(check_cache, ignore_errors=True)
        check_cache.mkdir()
        shutil.copy(grow_cache / "extractions.sqlite", check_cache)
        shutil.rmtree(work / "check", ignore_errors=True)
        print("4. whole build of the last step's input, compared ...", file=sys.stderr, flush=True)
        results["check"] = run_build(inputs, work / "check", check_cache, args.processes, neo4j=False, rdf=args.rdf)
        results["check"]["identical"] = {name: (work / "check" / name).read_bytes() == (work / "grow" / name).read_bytes()
                                         for name in ("graph.json", "graph.nt", "graph.html")}
        print(f"   {results['check']['wall_seconds']} s  identical: {results['check']['identical']}", file=sys.stderr)
    results["forgotten_extractions"] = forgotten
    results["loadavg_end"] = os.getloadavg()

    print(f"\n{'run':<24} {'papers':>7} {'wall s':>7}  stages")
    for name, row in [("full (cold)", results.get("full")), ("base (cached)", results["base"])] + \
            [(f"+{s['added']} new", s) for s in results["steps"]] + [("whole, same input", results.get("check"))]:
        if row:
            stages = ", ".join(f"{k} {v:.1f}" for k, v in row["stages"].items())
            print(f"{name:<24} {row['papers'] or '':>7} {row['wall_seconds']:>7}  {stages}")
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
