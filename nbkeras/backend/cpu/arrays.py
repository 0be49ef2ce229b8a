"""The CPU device's array primitives: NumPy arrays, GEMMs in BLAS through NumPy."""

import numpy as xp

__all__ = ["xp", "asarray", "to_numpy", "empty", "empty_like", "zeros", "matmul"]


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


def empty(shape, dtype):
    """An uninitialized C-contiguous array."""
    return xp.empty(shape, dtype)


def empty_like(x, dtype=None):
    """An uninitialized C-contiguous array shaped like x."""
    return xp.empty_like(x, dtype=dtype, order="C")


def zeros(shape, dtype):
    """A C-contiguous array of zeros."""
    return xp.zeros(shape, dtype)


def matmul(a, b, out=None):
    """a @ b in BLAS, batched like `numpy.matmul`."""
    return xp.matmul(a, b, out=out)
