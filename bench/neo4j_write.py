#!/usr/bin/env python
"""Choose the Neo4j batch size and writer count by measurement (by hand, never in CI).

    python bench/neo4j_write.py SNAPSHOT [--batch-sizes 500,1000,2000] [--writers 2,3] [--repeat 1]

Writes the graph of ``SNAPSHOT`` (a ``graph.json`` or the folder holding it) into an EMPTIED
database once per combination, round-robin over the combinations when ``--repeat`` > 1 so
that a noisy machine hurts them alike, and prints relationships per second with the CPU
seconds of this process (the client) and of the project's own server when it is the target.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("snapshot")
    parser.add_argument("--batch-sizes", default="500,1000,2000")
    parser.add_argument("--writers", default="2,3")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", help="save the rows as JSON here")
    args = parser.parse_args(argv)

    from bench.run import neo4j_lock, server_cpu_seconds, wipe
    from kg.connection import resolve_settings
    from kg.graph.snapshot import read_snapshot
    from kg.store import write_graph

    graph = read_snapshot(args.snapshot)
    settings = resolve_settings()
    combos = [(int(b), int(w)) for _ in range(args.repeat)
              for b in args.batch_sizes.split(",") for w in args.writers.split(",")]
    rows = []
    print(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} relationships; load {os.getloadavg()[0]:.1f}")
    print(f"{'batch':>6} {'writers':>7} {'seconds':>8} {'rel/s':>8} {'client cpu':>10} {'server cpu':>10}")
    for batch_size, writers in combos:
        lock = neo4j_lock(settings)
        try:
            wipe(settings)
            server, client, began = server_cpu_seconds(settings), time.process_time(), time.perf_counter()
            report = write_graph(graph, settings, batch_size=batch_size, writers=writers)
            seconds = time.perf_counter() - began
            server_after = server_cpu_seconds(settings)
        finally:
            lock.close()
        row = {"batch_size": batch_size, "writers": writers, "seconds": round(seconds, 1),
               "relationships_per_s": round(report.relationships_created / seconds),
               "client_cpu": round(time.process_time() - client, 1),
               "server_cpu": round(server_after - server, 1) if server is not None else None,
               "loadavg": round(os.getloadavg()[0], 2)}
        rows.append(row)
        print(f"{batch_size:>6} {writers:>7} {row['seconds']:>8} {row['relationships_per_s']:>8} "
              f"{row['client_cpu']:>10} {row['server_cpu'] if row['server_cpu'] is not None else '-':>10}",
              flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
