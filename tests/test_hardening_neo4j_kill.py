"""Neo4j dying mid-write: killed with SIGKILL, restarted, written again — nothing lost, nothing doubled.

These tests start their OWN Neo4j (a throw-away instance folder and a free port, through
kg.neo4jlocal), never the shared instance other tests use, and SIGKILL only that process.

- A typed graph of a few thousand papers (with results, keyed OUTPERFORMS and VARIANT_OF)
  is pushed with ``write_graph``; the server is killed at a random moment of the push
  (after a random number of committed paper batches, plus a random delay into the next).
  The push fails with ``Neo4jUnavailable``; after a restart (store recovery) every paper in
  Neo4j has all of its relationships and results and nothing of an absent paper exists;
  pushing again gives exactly the graph (``dumps(read_graph) == dumps(graph)``), and a
  third push changes nothing.
- ``kg build --neo4j`` against a server that goes away during the push exits 1 with one
  clear line; after a restart the same command completes, with counts equal to the graph's.
"""
from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import networkx as nx
import pytest

from kg.connection import Neo4jSettings
from kg.errors import Neo4jUnavailable

pytestmark = [pytest.mark.slow, pytest.mark.neo4j]

REPO = Path(__file__).resolve().parents[1]
SEED_FILE = REPO / "examples" / "corpus" / "001_3f636bcf444e6938.txt"
LABELS = ["Method", "Dataset", "Benchmark", "Metric", "Task"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnNeo4j:
    """A separate instance in ``home`` on its own port; only ever this process is killed."""

    def __init__(self, home: Path):
        from kg.neo4jlocal import default_layout

        self.layout = default_layout(home=home)
        self.port = free_port()
        self.state = None

    def start(self) -> float:
        from kg.neo4jlocal import start

        result = start(self.layout, self.port)
        self.state = result.state
        return result.seconds

    def kill(self) -> None:
        from kg.neo4jlocal.state import pid_alive

        pid = self.state.pid
        assert pid and pid_alive(pid)
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            if not pid_alive(pid):
                return
            time.sleep(0.05)
        raise AssertionError(f"Neo4j pid {pid} survived SIGKILL")

    def stop(self) -> None:
        from kg.neo4jlocal import stop

        stop(self.layout)

    @property
    def settings(self) -> Neo4jSettings:
        return Neo4jSettings(uri=self.state.uri, username=self.state.username, password=self.state.password)

    @property
    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
        env.update(NEO4J_URI=self.state.uri, NEO4J_USERNAME=self.state.username, NEO4J_PASSWORD=self.state.password)
        return env


@pytest.fixture(scope="module")
def own_neo4j(tmp_path_factory):
    saved = {k: os.environ.get(k) for k in ("KG_NEO4J_HEAP", "KG_NEO4J_PAGECACHE")}
    os.environ["KG_NEO4J_HEAP"], os.environ["KG_NEO4J_PAGECACHE"] = "512m", "128m"  # a second JVM on a small box
    server = OwnNeo4j(tmp_path_factory.mktemp("own-neo4j") / "instance")
    try:
        server.start()
        yield server
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _provenance(paper: str, sentence: int, rule: str) -> dict:
    return {"paper_id": paper, "sentence": sentence, "start": 3 * sentence, "end": 3 * sentence + 5,
            "evidence": f"Sentence {sentence} of {paper}.", "rule": rule, "confidence": 0.75}


def corpus_graph(papers: int = 3000, entities: int = 900, seed: int = 11) -> nx.MultiDiGraph:
    """A typed graph shaped like a built corpus: papers with mentions, evaluations, results,
    method comparisons (keyed by paper) and a few VARIANT_OF links (owned by no paper)."""
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    by_label: dict[str, list[str]] = {label: [] for label in LABELS}
    for i in range(entities):
        label = LABELS[i % len(LABELS)]
        node = f"{label.lower()}:e{i:04d}"
        graph.add_node(node, label=label, name=f"{label} {i}", type=label.lower(), aliases=[f"{label} {i}", f"E{i}"],
                       alias_counts=[3, 1], paper_count=0, mention_count=0)
        by_label[label].append(node)
    for p in range(papers):
        paper = f"p-{p:05d}"
        graph.add_node(paper, label="Paper", title=f"Paper {p}: a study", abstract=f"Abstract of paper {p}. " * 4,
                       source=f"corpus.jsonl:{p + 1}", year=2015 + p % 10)
        for target in set(rng.choices(sum(by_label.values(), []), k=rng.randint(2, 6))):
            graph.add_edge(paper, target, key="MENTIONS", type="MENTIONS", count=rng.randint(1, 3),
                           **_provenance(paper, 1, "gazetteer"))
            graph.nodes[target]["paper_count"] += 1
        method, other = rng.sample(by_label["Method"], 2)
        dataset, metric = rng.choice(by_label["Dataset"]), rng.choice(by_label["Metric"])
        graph.add_edge(paper, dataset, key="EVALUATES_ON", type="EVALUATES_ON", **_provenance(paper, 2, "evaluated_on"))
        graph.add_edge(method, other, key=f"OUTPERFORMS|{paper}", type="OUTPERFORMS", dataset=dataset,
                       **_provenance(paper, 3, "outperforms"))
        if p % 3 == 0:
            result = f"r-{p:05d}"
            graph.add_node(result, label="Result", value=f"{p % 97}.{p % 10}", number=p % 97 + (p % 10) / 10,
                           unit="%", paper_id=paper, sentence=3, evidence=f"Sentence 3 of {paper}.")
            graph.add_edge(paper, result, key="REPORTS", type="REPORTS", **_provenance(paper, 3, "result"))
            graph.add_edge(result, method, key="OF_METHOD", type="OF_METHOD")
            graph.add_edge(result, dataset, key="ON_DATASET", type="ON_DATASET")
            graph.add_edge(result, metric, key="MEASURED_BY", type="MEASURED_BY")
    for a, b in zip(by_label["Method"][:40:2], by_label["Method"][1:40:2]):
        graph.add_edge(a, b, key="VARIANT_OF", type="VARIANT_OF")
    return graph


def owner(graph: nx.MultiDiGraph, source: str, attrs: dict) -> str | None:
    """The paper an edge belongs to (and commits with), or None for shared edges."""
    if graph.nodes[source]["label"] == "Paper":
        return source
    return attrs.get("paper_id") or graph.nodes[source].get("paper_id")


def owned(graph: nx.MultiDiGraph) -> dict[str, set]:
    """paper -> its result nodes and its relationships, as comparable tuples."""
    parts: dict[str, set] = {n: set() for n, label in graph.nodes(data="label") if label == "Paper"}
    for node, attrs in graph.nodes(data=True):
        if attrs["label"] == "Result":
            parts.setdefault(attrs["paper_id"], set()).add(("node", node))
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        paper = owner(graph, source, attrs)
        if paper is not None:
            parts.setdefault(paper, set()).add((source, key, target))
    return parts


def test_kill_mid_write_restart_and_push_again_gives_the_clean_graph(own_neo4j):
    from kg.graph.snapshot import dumps
    from kg.store import graph_counts, read_counts, read_graph, write_graph

    graph = corpus_graph()
    seed = int(os.environ.get("KG_KILL_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)
    batch_size = 100
    paper_batches = 3000 // batch_size
    kill_after = rng.randint(0, paper_batches - 5)   # committed paper batches before the kill
    delay = rng.uniform(0.0, 0.3)                    # then this far into the next transaction
    committed, failure, done = [0], [], threading.Event()

    def push():
        try:
            write_graph(graph, own_neo4j.settings, batch_size=batch_size,
                        progress=lambda n: committed.__setitem__(0, committed[0] + 1))
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            failure.append(error)
        finally:
            done.set()

    began = time.monotonic()
    writer = threading.Thread(target=push)
    writer.start()
    while committed[0] < kill_after and not done.is_set():
        time.sleep(0.005)
    time.sleep(delay)
    assert not done.is_set(), "the push ended before the kill; lower kill_after"
    own_neo4j.kill()
    killed_at = time.monotonic() - began
    writer.join(timeout=120)
    assert not writer.is_alive(), "the push hung after the server died"
    failed_after = time.monotonic() - began - killed_at
    assert len(failure) == 1 and isinstance(failure[0], Neo4jUnavailable), failure
    assert "no Neo4j answers at" in failure[0].message and "kg neo4j start" in failure[0].message

    recovery = own_neo4j.start()
    partial = read_graph(own_neo4j.settings)
    full, found = owned(graph), owned(partial)
    present = {n for n, label in partial.nodes(data="label") if label == "Paper"}
    half = [p for p in present if found.get(p, set()) != full[p]]
    assert half == [], f"papers half-written after the kill: {half[:5]}"
    orphans = {p for p in found if p not in present and found[p]}
    assert orphans == set(), f"results or relationships of papers that are not in Neo4j: {sorted(orphans)[:5]}"

    report = write_graph(graph, own_neo4j.settings)
    assert dumps(read_graph(own_neo4j.settings)) == dumps(graph)
    assert read_counts(own_neo4j.settings) == graph_counts(graph)
    again = write_graph(graph, own_neo4j.settings)
    assert (again.nodes_created, again.relationships_created) == (0, 0)
    print(f"\nkill test (seed {seed}): {graph.number_of_nodes()} nodes, {graph.number_of_edges()} relationships; "
          f"killed at {killed_at:.1f} s after {committed[0]} of {paper_batches} paper batches (+{delay * 1000:.0f} ms); "
          f"the push failed {failed_after:.1f} s later; restart with recovery {recovery:.1f} s; "
          f"{len(present)} papers whole, none half-written; push again: {report.nodes_created} nodes and "
          f"{report.relationships_created} relationships created in {report.seconds:.1f} s; equals the clean graph")


def _first_sign_of_the_push(settings) -> bool:
    """True once the build has started writing: schema constraints or any node exist."""
    from neo4j import GraphDatabase

    try:
        with GraphDatabase.driver(settings.uri, auth=settings.auth, connection_timeout=2) as driver:
            constraints = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n").records[0]["n"]
            nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
        return constraints > 0 or nodes > 0
    except Exception:  # noqa: BLE001 - not up yet is "no"
        return False


def test_kg_build_against_a_server_that_goes_away_fails_clearly_then_resumes(own_neo4j, tmp_path):
    from kg.connection import open_driver
    from kg.graph.snapshot import read_snapshot
    from kg.store import graph_counts, read_counts

    with open_driver(own_neo4j.settings) as driver, driver.session() as session:  # empty it, schema too
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        for name in [r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name")]:
            session.run(f"DROP CONSTRAINT `{name}`").consume()
        for name in [r["name"] for r in session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")]:
            session.run(f"DROP INDEX `{name}`").consume()
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from kg.cli import main; main()", "build", str(SEED_FILE),
               "--out", str(out), "--neo4j", "-q"]
    build = subprocess.Popen(command, env=own_neo4j.env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while build.poll() is None and not _first_sign_of_the_push(own_neo4j.settings):
        time.sleep(0.05)
    assert build.poll() is None, "the build ended before its push could be interrupted"
    own_neo4j.kill()
    _, err = build.communicate(timeout=180)
    lines = err.decode().strip().splitlines()
    assert build.returncode == 1, err.decode()
    assert "Traceback" not in err.decode()
    assert lines[-1].startswith(f"Error: {own_neo4j.state.uri}: no Neo4j answers at {own_neo4j.state.uri}"), lines[-1]
    assert "kg neo4j start" in lines[-1]

    own_neo4j.start()
    again = subprocess.run(command, env=own_neo4j.env, cwd=REPO, capture_output=True, timeout=300)
    assert again.returncode == 0, again.stderr.decode()
    graph = read_snapshot(out)
    assert read_counts(own_neo4j.settings) == graph_counts(graph)  # unique keys: equal counts mean no duplicates
    rerun = subprocess.run(command, env=own_neo4j.env, cwd=REPO, capture_output=True, timeout=300)
    assert rerun.returncode == 0 and read_counts(own_neo4j.settings) == graph_counts(graph)
