"""Past one machine: extraction on a Dask cluster gives the local graph byte for byte, an
unreachable scheduler says how to fix it, and a ``neo4j://`` routing URI writes and reads."""
from __future__ import annotations

import pytest

from kg.errors import ExtractionError
from kg.graph.snapshot import dumps
from kg.pipeline import build_graph

from seed_corpus import seed_papers


@pytest.fixture(scope="module")
def papers():
    return list(seed_papers()[:12])


def test_dask_local_cluster_gives_the_local_graph(papers, tmp_path):
    from dask.distributed import LocalCluster

    local, _ = build_graph(papers, use_model=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        remote, report = build_graph(papers, use_model=False, scheduler=cluster.scheduler_address,
                                     partition_size=4, cache_dir=tmp_path)
    assert report.cache.misses == len(papers)
    assert dumps(remote) == dumps(local)


def test_unreachable_scheduler_says_how_to_fix_it():
    from kg.distributed import connect

    with pytest.raises(ExtractionError) as caught:
        connect("tcp://127.0.0.1:9", timeout=1)
    message = caught.value.message
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in message and "dask scheduler" in message


def test_routing_uri_against_the_single_server(papers, clean_db):
    """``neo4j://`` (the routing scheme of clusters and Aura) works against one Neo4j 5 server."""
    import dataclasses

    from kg.connection import open_driver
    from kg.store import graph_counts, read_counts, write_graph

    scheme, rest = clean_db.uri.split("://", 1)
    routed = dataclasses.replace(clean_db, uri=f"neo4j://{rest}")
    graph, _ = build_graph(papers[:4], use_model=False)
    report = write_graph(graph, routed)
    assert report.relationships_created == graph.number_of_edges()
    assert read_counts(routed) == graph_counts(graph)
    with open_driver(routed) as driver:  # reads are routed too
        records, _, _ = driver.execute_query("MATCH (p:Paper) RETURN count(p) AS n", routing_="r",
                                             database_=routed.database)
    assert records[0]["n"] == 4


def test_partitions_are_balanced_over_the_workers():
    from kg.distributed import DEFAULT_PARTITION, MIN_BALANCED_PARTITION, balanced_size

    assert balanced_size(250, 2) == 125 and balanced_size(1200, 2) == 200 and balanced_size(41398, 2) == 250
    for papers in range(1, 20000, 37):
        assert balanced_size(papers, 1) == DEFAULT_PARTITION
        for workers in (2, 3, 4):
            size = balanced_size(papers, workers)
            count = -(-papers // size)
            assert size <= DEFAULT_PARTITION and (size >= MIN_BALANCED_PARTITION or size == DEFAULT_PARTITION)
            if size > MIN_BALANCED_PARTITION:
                assert count % workers == 0, (papers, workers, size)   # every worker the same number
    assert balanced_size(30, 2, size=5) == 5   # an asked-for size is never raised
