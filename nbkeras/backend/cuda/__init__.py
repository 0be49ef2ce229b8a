"""The CUDA device: CuPy arrays, cuBLAS GEMMs and numba.cuda kernels (the `numba-cuda` package).

This module is the device object that `nbkeras.backend.device()` returns after
`set_device("cuda")` (whose probe, `nbkeras.backend.cuda_check`, has said what is missing
when the device cannot run). It exports exactly the names of `nbkeras.backend.interface`,
with the CPU kernels' names and arguments. Under Numba's CUDA simulator
(`NUMBA_ENABLE_CUDASIM=1`, set before Numba is imported) its arrays are NumPy arrays;
every kernel is tested there against its CPU twin.

Example:
    >>> import nbkeras
    >>> nbkeras.config.set_device("cuda")
    >>> from nbkeras.backend import device
    >>> device().name
    'cuda'
"""

import os as _os

from nbkeras.backend.cuda_check import simulated as _simulated
from nbkeras.backend.cuda.runtime import (  # noqa: F401
    kernel_cache_dir, kernel_cache_is_cold, on_kernel_compiled, threads_for_inference,
    threads_for_load,
)
from nbkeras.backend.interface import NAMES as _NAMES
from nbkeras.backend.kernel_table import load as _load_kernels

if not _simulated():
    # Drop kernels cached from older sources before numba-cuda can load any of them.
    from nbkeras.backend.cpu._cache_stamp import ensure_fresh as _ensure_fresh

    _ensure_fresh(kernel_cache_dir(), _os.path.dirname(__file__))

from nbkeras.backend.cuda.arrays import (  # noqa: E402,F401
    asarray, empty, empty_like, matmul, to_numpy, xp, zeros,
)
from nbkeras.backend.cuda.transfer import prefetch  # noqa: E402,F401

globals().update(_load_kernels(__name__))  # the kernels, each from the module the table names
name = "cuda"
__all__ = sorted(_NAMES)

# Each kernel launch costs microseconds of host time, while copying the gradients into the
# optimizer's flat buffer runs at the GPU's memory bandwidth (64M float32 parameters read
# and written: about 0.1 ms on an H200, the cost of a handful of launches). An estimate,
# not yet measured on a GPU; the buffers also double the gradients' memory.
flat_update_max_size = 1 << 26
