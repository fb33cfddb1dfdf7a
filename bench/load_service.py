"""Load test of the HTTP query service: N concurrent clients for T seconds, mixed requests.

    python bench/load_service.py --url http://127.0.0.1:8000 [--clients 50] [--seconds 60]
    python bench/load_service.py --serve [--port 8765] ...   # starts `kg serve` itself (NEO4J_* from the env)

The mix: named queries (top_entities, papers_for_entity, methods_on_dataset), entity search,
entity and paper documents, the query list and /health. Names and ids are discovered from the
graph first (top entities, their papers), so it runs on any built graph. Every answer other
than 2xx, and every transport failure, counts as an error. Prints (and with --out saves as JSON)
requests, errors, throughput and p50/p95/p99/max latency, overall and per kind.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def discover(client: httpx.Client) -> dict:
    """Entity names, search words and paper ids of the graph behind the service."""
    rows = client.post("/queries/top_entities", json={"params": {"type": "all", "limit": 40}}).raise_for_status().json()
    names = [row["name"] for row in rows["rows"]] or ["BERT"]
    datasets = [row["name"] for row in rows["rows"] if row["type"] in ("dataset", "benchmark")] or names[:1]
    papers, entity_ids = [], []
    for name in names[:8]:
        found = client.post("/queries/papers_for_entity", json={"params": {"name": name, "limit": 5}}).json()
        papers += [row["paper_id"] for row in found.get("rows", [])]
        hits = client.get("/entities/search", params={"q": name, "limit": 1}).json()
        entity_ids += [hit["id"] for hit in hits.get("results", [])]
    return {"names": names, "datasets": datasets, "papers": sorted(set(papers)) or ["none"],
            "entity_ids": sorted(set(entity_ids)) or ["none"],
            "words": sorted({w for n in names for w in n.split() if len(w) > 2}) or ["net"]}


def request_for(kind: str, targets: dict, rng: random.Random) -> tuple[str, str, dict]:
    """(method, path, httpx keyword arguments) for one request of ``kind``."""
    if kind == "top_entities":
        return "POST", "/queries/top_entities", {"json": {"params": {"type": rng.choice(
            ["method", "dataset", "task", "all"]), "limit": 20}}}
    if kind == "papers_for_entity":
        return "POST", "/queries/papers_for_entity", {"json": {"params": {"name": rng.choice(targets["names"])}}}
    if kind == "methods_on_dataset":
        return "POST", "/queries/methods_on_dataset", {"json": {"params": {"dataset": rng.choice(targets["datasets"])}}}
    if kind == "search":
        word = rng.choice(targets["words"])
        return "GET", "/entities/search", {"params": {"q": word[: rng.randint(3, len(word))]}}
    if kind == "entity":
        return "GET", f"/entities/{rng.choice(targets['entity_ids'])}", {}
    if kind == "paper":
        return "GET", f"/papers/{rng.choice(targets['papers'])}", {}
    if kind == "queries":
        return "GET", "/queries", {}
    return "GET", "/health", {}


MIX = {"top_entities": 3, "papers_for_entity": 3, "methods_on_dataset": 2, "search": 4, "entity": 2, "paper": 2,
       "queries": 1, "health": 1}


async def client_loop(base_url: str, targets: dict, deadline: float, seed: int, results: list) -> None:
    rng = random.Random(seed)
    kinds, weights = list(MIX), list(MIX.values())
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            method, path, kwargs = request_for(kind, targets, rng)
            began = time.perf_counter()
            try:
                response = await client.request(method, path, **kwargs)
                ok, status = 200 <= response.status_code < 300, response.status_code
            except httpx.HTTPError as error:
                ok, status = False, type(error).__name__
            results.append((kind, time.perf_counter() - began, ok, status))


def summarise(results: list, seconds: float, clients: int) -> dict:
    def figures(rows) -> dict:
        latencies = [r[1] * 1000 for r in rows]
        return {"requests": len(rows), "errors": sum(1 for r in rows if not r[2]),
                "p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1),
                "p99_ms": round(percentile(latencies, 99), 1), "max_ms": round(max(latencies, default=0), 1),
                "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0}

    by_kind = defaultdict(list)
    for row in results:
        by_kind[row[0]].append(row)
    errors = defaultdict(int)
    for kind, _, ok, status in results:
        if not ok:
            errors[f"{kind} {status}"] += 1
    return {"clients": clients, "seconds": round(seconds, 1), **figures(results),
            "throughput_rps": round(len(results) / seconds, 1) if seconds else 0.0,
            "by_kind": {kind: figures(rows) for kind, rows in sorted(by_kind.items())},
            "error_kinds": dict(errors)}


def run_load(base_url: str, clients: int = 50, seconds: float = 60.0, seed: int = 1) -> dict:
    """Discover targets, then ``clients`` concurrent clients for ``seconds``; the summary."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        targets = discover(client)
    results: list = []
    began = time.monotonic()
    deadline = began + seconds

    async def main():
        await asyncio.gather(*(client_loop(base_url, targets, deadline, seed * 1000 + i, results)
                               for i in range(clients)))

    asyncio.run(main())
    return summarise(results, time.monotonic() - began, clients)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, env: dict | None = None, timeout: float = 60.0) -> subprocess.Popen:
    """`kg serve` on loopback in its own process (so clients and server do not share a GIL)."""
    command = [sys.executable, "-c", "from kg.cli import main; main()", "serve", "--port", str(port),
               "--log-level", "warning"]
    process = subprocess.Popen(command, env=env or dict(os.environ), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kg serve exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("kg serve did not answer /health in time")


def print_summary(summary: dict) -> None:
    print(f"{summary['clients']} clients, {summary['seconds']} s: {summary['requests']} requests, "
          f"{summary['errors']} errors, {summary['throughput_rps']} req/s; latency p50 {summary['p50_ms']} ms, "
          f"p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms, max {summary['max_ms']} ms")
    for kind, row in summary["by_kind"].items():
        print(f"  {kind:<20} {row['requests']:>7} req  {row['errors']:>4} err  p50 {row['p50_ms']:>7} ms  "
              f"p95 {row['p95_ms']:>7} ms  p99 {row['p99_ms']:>7} ms")
    if summary["error_kinds"]:
        print("  errors: " + ", ".join(f"{k} x{v}" for k, v in summary["error_kinds"].items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="Base URL of a running `kg serve`.")
    parser.add_argument("--serve", action="store_true", help="Start `kg serve` on a free loopback port.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="Save the summary as JSON here.")
    args = parser.parse_args(argv)
    if bool(args.url) == args.serve:
        parser.error("give exactly one of --url and --serve")
    server = None
    url = args.url
    if args.serve:
        port = args.port or free_port()
        server = start_server(port)
        url = f"http://127.0.0.1:{port}"
    try:
        summary = run_load(url, args.clients, args.seconds, args.seed)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    print_summary(summary)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return 0 if summary["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
