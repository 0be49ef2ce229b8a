"""The CUDA kernels' compile cache and compile events (the first-fit notice uses them)."""

import contextlib
import os

from nbkeras.backend.cpu.runtime import cache_dir_beside, holds_cached_activations, listen_compiles


def kernel_cache_dir():
    """Where numba-cuda keeps nbkeras's compiled CUDA kernels (`NUMBA_CACHE_DIR`, else
    `__pycache__` of `nbkeras/backend/cuda`).

    Example:
        >>> os.path.isabs(kernel_cache_dir())
        True
    """
    return cache_dir_beside(__file__)


def kernel_cache_is_cold():
    """True when the fused activation kernels are not cached yet (never under the
    simulator, which compiles nothing)."""
    from nbkeras.backend.cuda_check import simulated

    return not simulated() and not holds_cached_activations(kernel_cache_dir())


def on_kernel_compiled(callback):
    """Call `callback()` each time a kernel finishes compiling; returns a stop function.

    Example:
        >>> stop = on_kernel_compiled(lambda: print("compiled one"))
        >>> stop()
    """
    return listen_compiles(callback, ("numba.core.event", "numba.cuda.core.event"))


@contextlib.contextmanager
def threads_for_load():
    """While training on the GPU: a `resize()` that changes nothing (the GEMMs run on
    the device, not in a host BLAS pool that could wait on a busy core).

    Example:
        >>> with threads_for_load() as resize:
        ...     resize() is None
        True
    """
    yield lambda: None


@contextlib.contextmanager
def threads_for_inference():
    """While predict or evaluate run on the GPU: nothing to size (the GEMMs run on the
    device); yields None.

    Example:
        >>> with threads_for_inference() as n:
        ...     n is None
        True
    """
    yield None
