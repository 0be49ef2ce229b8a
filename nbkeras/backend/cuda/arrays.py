"""The CUDA device's array primitives: CuPy arrays and cuBLAS GEMMs (NumPy under the simulator).

Under Numba's CUDA simulator (`NUMBA_ENABLE_CUDASIM=1`) the kernels run on NumPy arrays,
so the namespace is NumPy there; on a GPU it is CuPy, whose arrays the numba.cuda kernels
read and write in place through `__cuda_array_interface__` (no copy).
"""

import numpy as _np

from nbkeras.backend.cuda_check import simulated

if simulated():
    xp = _np
else:
    import cupy as xp

__all__ = ["xp", "asarray", "to_numpy", "empty", "empty_like", "zeros", "matmul"]


def asarray(x, dtype=None):
    """Return x as a C-contiguous device array (a host array is copied to the GPU).

    Example:
        >>> asarray([1.0, 2.0], "float32").dtype
        dtype('float32')
    """
    return xp.asarray(x, dtype=dtype, order="C")  # keeps 0-d arrays 0-d


def to_numpy(x):
    """Return x as a NumPy array on the host (copied from the GPU when it is a device array)."""
    if xp is not _np and isinstance(x, xp.ndarray):
        return xp.asnumpy(x)
    return _np.asarray(x)


# Allocation and GEMM are the namespace's own (C order is their default).
empty = xp.empty
zeros = xp.zeros
matmul = xp.matmul  # cuBLAS on CuPy


def empty_like(x, dtype=None):
    """An uninitialized C-contiguous device array shaped like x."""
    return xp.empty_like(x, dtype=dtype, order="C")
