"""Matrix products for the tagger's network through numpy's BLAS, one thread at a time.

WHY: thinc multiplies with BLIS, which in the installed build runs its generic reference
kernel (about half the speed of numpy's OpenBLAS on these shapes: 12k x 256 by 256 x 192).
OpenBLAS, left to itself, starts a second thread whose spinning costs more CPU than it
saves and competes with the other extraction processes; so the products run with one
thread (``threadpoolctl``), and the thread count is put back afterwards. When numpy has no
BLAS that threadpoolctl can control, nothing is changed and BLIS stays in use.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache

import numpy
from thinc.api import NumpyOps


@lru_cache(maxsize=1)
def _controller():
    """threadpoolctl's view of the BLAS numpy loaded, or None when it finds none."""
    from threadpoolctl import ThreadpoolController

    numpy.ones((2, 2), dtype="float32") @ numpy.ones((2, 2), dtype="float32")  # numpy's BLAS is loaded
    controller = ThreadpoolController().select(user_api="blas")
    return controller if controller.lib_controllers else None


def available() -> bool:
    return _controller() is not None


def blas_threads() -> int | None:
    """The thread count numpy's BLAS uses now (None without one)."""
    controller = _controller()
    return min(c.num_threads for c in controller.lib_controllers) if controller is not None else None


@contextmanager
def one_thread():
    """numpy's BLAS limited to one thread inside the block, put back after."""
    controller = _controller()
    if controller is None:
        yield
        return
    with controller.limit(limits=1):
        yield


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
