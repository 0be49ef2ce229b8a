"""Numba's CPU compile cache and compile events, without importing Numba up front."""

import os


def kernel_cache_dir():
    """Where Numba keeps nbkeras's compiled CPU kernels (`NUMBA_CACHE_DIR`, else `__pycache__`).

    Example:
        >>> os.path.isabs(kernel_cache_dir())
        True
    """
    return os.environ.get("NUMBA_CACHE_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "__pycache__")


def kernel_cache_is_cold():
    """True when the training kernels (the fused activations) are not cached yet."""
    for _, _, files in os.walk(kernel_cache_dir()):
        if any(f.startswith("activations.") and f.endswith(".nbi") for f in files):
            return False
    return True


def on_kernel_compiled(callback):
    """Call `callback()` each time Numba finishes compiling a function; returns a stop function.

    Example:
        >>> stop = on_kernel_compiled(lambda: print("compiled one"))
        >>> stop()
    """
    from numba.core import event

    class _Listener(event.Listener):
        def on_start(self, ev):
            pass

        def on_end(self, ev):
            callback()

    listener = _Listener()
    event.register("numba:compile", listener)
    return lambda: event.unregister("numba:compile", listener)
