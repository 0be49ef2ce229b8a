"""The CPU device: NumPy arrays, BLAS GEMMs and Numba-compiled kernels.

This module is the device object that `nbkeras.backend.device()` returns on the CPU. It
exports exactly the names of `nbkeras.backend.interface`. The array primitives are
plain NumPy and load at once; each kernel's module (and Numba with the first) is imported
on the first lookup of one of its kernels (see `kernel_table`), so selecting the device
and running NumPy-only ops stays light, and a Dense model's first fit sets up none of the
convolution or recurrent kernels.

Example:
    >>> from nbkeras.backend import cpu
    >>> cpu.name, cpu.xp.__name__
    ('cpu', 'numpy')
"""

import importlib as _importlib
import os as _os

# Numba's OpenMP pool and OpenBLAS's must not spin against each other on
# small machines (see the thread trap in the Numba recipe).
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from nbkeras.backend.cpu._cache_stamp import ensure_fresh as _ensure_fresh  # noqa: E402
from nbkeras.backend.kernel_table import MODULES as _KERNEL_MODULES  # noqa: E402
from nbkeras.backend.cpu.arrays import (  # noqa: E402,F401
    asarray, empty, empty_like, matmul, prefetch, to_numpy, xp, zeros,
)
from nbkeras.backend.cpu.runtime import (  # noqa: E402,F401
    kernel_cache_dir, kernel_cache_is_cold, on_kernel_compiled, preload,
)
from nbkeras.backend.cpu.threads import threads_for_inference, threads_for_load  # noqa: E402,F401
from nbkeras.backend.interface import NAMES as _NAMES  # noqa: E402

name = "cpu"
__all__ = sorted(_NAMES)

# Below this many parameters the per-step copy of the gradients into the optimizer's flat
# buffer stays in cache and costs far less than the per-variable calls it saves (Adam, 4-6
# variables: 1.5k parameters 86 against 185 us, 26k 209 against 243); at 85k and above
# the copy's memory traffic makes the flat step slower.
flat_update_max_size = 1 << 16

# Drop kernels cached from older sources before Numba can load any of them.
_ensure_fresh(kernel_cache_dir(), _os.path.dirname(__file__))


def __getattr__(attr):
    """Load a Numba kernel on its first lookup, importing only its module (PEP 562)."""
    if attr not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
    module = _KERNEL_MODULES.get(attr)
    if module is None:
        raise AttributeError(f"The CPU device has no kernel named {attr!r}.")
    from nbkeras.backend.memory import keep_freed_memory

    keep_freed_memory()
    value = getattr(_importlib.import_module(f"{__name__}.{module}"), attr)
    globals()[attr] = value
    return value
