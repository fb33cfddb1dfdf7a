"""Matrix products for the tagger's network through numpy's BLAS, one thread at a time.

WHY: thinc multiplies with BLIS, which in the installed build runs its generic reference
kernel (about half the speed of numpy's OpenBLAS on these shapes: 12k x 256 by 256 x 192).
OpenBLAS, left to itself, starts a second thread whose spinning costs more CPU than it
saves and competes with the other extraction processes; so the products run with one
thread, and the thread count is put back afterwards. When the OpenBLAS controls cannot
be found (another numpy build), nothing is changed and BLIS stays in use.
"""
from __future__ import annotations

import ctypes
from contextlib import contextmanager
from functools import lru_cache

import numpy
from thinc.api import NumpyOps

_NAMES = ("scipy_openblas_{}_num_threads64_", "scipy_openblas_{}_num_threads", "openblas_{}_num_threads64_",
          "openblas_{}_num_threads")


@lru_cache(maxsize=1)
def _controls():
    """(get, set) of the OpenBLAS that numpy loaded, or None."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line})
    except OSError:
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _NAMES:
            get, put = getattr(lib, name.format("get"), None), getattr(lib, name.format("set"), None)
            if get is not None and put is not None:
                get.restype = ctypes.c_int
                put.argtypes = [ctypes.c_int]
                return get, put
    return None


def available() -> bool:
    numpy.ones((2, 2), dtype="float32") @ numpy.ones((2, 2), dtype="float32")  # numpy's BLAS is loaded
    return _controls() is not None


@contextmanager
def one_thread():
    """numpy's BLAS limited to one thread inside the block."""
    controls = _controls()
    if controls is None:
        yield
        return
    get, put = controls
    before = get()
    if before != 1:
        put(1)
    try:
        yield
    finally:
        if before != 1:
            put(before)


class MatmulOps(NumpyOps):
    """thinc's CPU ops with ``gemm`` done by ``numpy.matmul`` (use inside ``one_thread()``)."""

    def gemm(self, x, y, out=None, trans1=False, trans2=False):
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if out is None:
            return numpy.matmul(a, b)
        numpy.matmul(a, b, out=out)
        return out


def use_numpy_blas(model) -> bool:
    """Switch every layer of a thinc ``model`` to ``MatmulOps``; False (no change) without
    the OpenBLAS thread controls."""
    if not available():
        return False
    ops = MatmulOps()
    for node in model.walk():
        node.ops = ops
    return True
