"""The CPU device's array primitives: NumPy arrays, GEMMs in BLAS through NumPy."""

import numpy as xp

from nbkeras.backend.cpu.gemm import matmul  # single-threaded BLAS in fixed blocks

__all__ = ["xp", "asarray", "to_numpy", "empty", "empty_like", "zeros", "matmul", "prefetch"]


def asarray(x, dtype=None):
    """Return x as a C-contiguous NumPy array (no copy when it already is one).

    Example:
        >>> asarray([1.0, 2.0], "float32").dtype
        dtype('float32')
    """
    return xp.asarray(x, dtype=dtype, order="C")  # ascontiguousarray would make 0-d arrays 1-d


def to_numpy(x):
    """Return x as a NumPy array on the host (no copy on the CPU)."""
    return xp.asarray(x)


# NumPy's own functions where their signature already is the contract's (no wrapper
# call on the hot path): empty(shape, dtype), zeros(shape, dtype).
empty = xp.empty
zeros = xp.zeros


def empty_like(x, dtype=None):
    """An uninitialized C-contiguous array shaped like x."""
    return xp.empty_like(x, dtype=dtype, order="C")


def prefetch(batches):
    """The batches unchanged: host arrays already are the CPU's arrays.

    Example:
        >>> list(prefetch([(1, 2)]))
        [(1, 2)]
    """
    return batches
