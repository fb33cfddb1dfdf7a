"""Run extraction over partitions of papers: in this process, in local worker processes, or on Dask.

Every runner cuts the papers into partitions (in input order) and runs :func:`extract_partition`
on each: one ``nlp.pipe`` pass with batching, in a process that loaded the pipeline once
(``kg.extract.pipeline`` keeps one per process). A paper's extraction does not depend on its
neighbours, so the output is the same whatever the partitioning, the number of processes, or
the machines: the graph of a Dask build is byte-identical to a local one.

Runners yield ``(papers, extractions)`` per finished partition (not necessarily in order), so the
caller can store each partition in the cache and move a progress bar as it arrives.

Dask distributed (``pip install "dask[distributed]"``), on every machine::

    dask scheduler                      # prints tcp://HOST:8786
    dask worker tcp://HOST:8786 --nworkers 4 --nthreads 1   # on each worker machine, kg installed
    kg build papers/ --out out --scheduler tcp://HOST:8786
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence

from kg.errors import ExtractionError
from kg.extract.records import Extraction
from kg.paper import Paper

#: papers per partition: big enough for batching to pay, small enough to balance the workers
DEFAULT_PARTITION = 250
#: the smallest partition :func:`balanced_size` makes to keep every worker busy
MIN_BALANCED_PARTITION = 50

_LOCK = threading.Lock()  # threads of one process share one pipeline: run it one at a time


def partitions(papers: Sequence[Paper], size: int = DEFAULT_PARTITION) -> list[list[Paper]]:
    """Consecutive slices of ``size`` papers."""
    if size < 1:
        raise ExtractionError("partition size must be at least 1", fix="pass a positive partition size")
    return [list(papers[i:i + size]) for i in range(0, len(papers), size)]


def balanced_size(papers: int, workers: int, size: int = DEFAULT_PARTITION) -> int:
    """A partition size of at most ``size`` that gives every one of ``workers`` the same number
    of partitions, about as big: 250 new papers on 2 workers are 2 partitions of 125, not one
    of 250 while the other worker waits, and 1,200 are 6 of 200 rather than 5 of 250 (the
    last round one worker's). Never below :data:`MIN_BALANCED_PARTITION` unless ``size`` is."""
    if workers <= 1 or papers <= 0:
        return size
    rounds = -(-papers // (workers * size))
    return min(size, max(MIN_BALANCED_PARTITION, -(-papers // (workers * rounds))))


def extract_partition(papers: Sequence[Paper], use_model: bool = True, batch_size: int = 64) -> list[Extraction]:
    """Extractions of ``papers``, in order, with this process's pipeline (loaded on first use)."""
    from kg.extract.pipeline import extract_papers

    with _LOCK:
        return list(extract_papers(papers, n_process=1, batch_size=batch_size, use_model=use_model))


def _warm(use_model: bool) -> None:
    """Pool initializer: load the pipeline once per worker, before the first partition."""
    from kg.extract.pipeline import _cached, model_available

    _cached(bool(use_model and model_available()))


def preload(use_model: bool = True) -> None:
    """Load the pipeline into this process now: the workers of every later pool, forked from it,
    then start with it loaded (a long-running ``kg build --watch`` saves that on each rebuild)."""
    _warm(use_model)


def _run_indexed(args) -> tuple[int, list[Extraction]]:
    index, papers, use_model, batch_size = args
    return index, extract_partition(papers, use_model, batch_size)


def extract_local(papers: Sequence[Paper], *, n_process: int = 1, use_model: bool = True, batch_size: int = 64,
                  partition_size: int = DEFAULT_PARTITION) -> Iterator[tuple[list[Paper], list[Extraction]]]:
    """Partitions extracted here (``n_process`` 1) or by a pool of ``n_process`` worker processes
    (partitions of at most ``partition_size``, balanced over the workers)."""
    parts = partitions(papers, balanced_size(len(papers), n_process, partition_size))
    if n_process <= 1 or len(parts) <= 1:
        for part in parts:
            yield part, extract_partition(part, use_model, batch_size)
        return
    import multiprocessing

    # fork shares the parent's imported modules and starts fast; spawn where fork is missing
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    jobs = [(i, part, use_model, batch_size) for i, part in enumerate(parts)]
    with context.Pool(min(n_process, len(parts)), initializer=_warm, initargs=(use_model,)) as pool:
        for index, extractions in pool.imap_unordered(_run_indexed, jobs):
            yield parts[index], extractions


def default_processes() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def connect(address, timeout: float = 10.0):
    """A ``dask.distributed.Client`` for a scheduler address (or a cluster object), or one clear error."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise ExtractionError("Dask distributed is not installed", where="--scheduler",
                              fix='pip install "dask[distributed]" here and on every worker') from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise ExtractionError(f"no Dask scheduler answers at {address} ({error})", where="--scheduler",
                              fix="start one with `dask scheduler` and workers with `dask worker ADDRESS`, "
                                  "or build without --scheduler") from None


def extract_dask(papers: Sequence[Paper], address, *, use_model: bool = True, batch_size: int = 64,
                 partition_size: int = DEFAULT_PARTITION) -> Iterator[tuple[list[Paper], list[Extraction]]]:
    """Partitions extracted on the Dask cluster at ``address``; every worker needs kg installed."""
    parts = partitions(papers, partition_size)
    if not parts:
        return
    from dask.distributed import as_completed

    client = connect(address)
    try:
        futures = client.map(extract_partition, parts, use_model=use_model, batch_size=batch_size, pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        with client.as_current():
            finished = as_completed(futures, with_results=True)
        for future, extractions in finished:
            yield parts[index[future.key]], extractions
    except ExtractionError:
        raise
    except Exception as error:  # a worker died or could not import kg: say so, with the fix
        if type(error).__module__.startswith(("distributed", "dask")):
            raise ExtractionError(f"the Dask cluster at {address} failed: {error}", where="--scheduler",
                                  fix="check that every worker has kg installed (same version) and enough memory")
        raise
    finally:
        client.close()
