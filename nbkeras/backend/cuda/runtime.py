"""The CUDA kernels' compile cache and compile events (the first-fit notice uses them)."""

import os


def kernel_cache_dir():
    """Where numba-cuda keeps nbkeras's compiled CUDA kernels (`NUMBA_CACHE_DIR`, else
    `__pycache__` of `nbkeras/backend/cuda`).

    Example:
        >>> os.path.isabs(kernel_cache_dir())
        True
    """
    return os.environ.get("NUMBA_CACHE_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "__pycache__")


def kernel_cache_is_cold():
    """True when the fused activation kernels are not cached yet (never under the
    simulator, which compiles nothing)."""
    from nbkeras.backend.cuda_check import simulated

    if simulated():
        return False
    for _, _, files in os.walk(kernel_cache_dir()):
        if any(f.startswith("activations.") and f.endswith(".nbi") for f in files):
            return False
    return True


def on_kernel_compiled(callback):
    """Call `callback()` each time a kernel finishes compiling; returns a stop function.

    Example:
        >>> stop = on_kernel_compiled(lambda: print("compiled one"))
        >>> stop()
    """
    stops = []
    for path in ("numba.core.event", "numba.cuda.core.event"):
        try:
            event = __import__(path, fromlist=["Listener"])
        except ImportError:
            continue

        class _Listener(event.Listener):
            def on_start(self, ev):
                pass

            def on_end(self, ev):
                callback()

        listener = _Listener()
        event.register("numba:compile", listener)
        stops.append((event, listener))
    return lambda: [event.unregister("numba:compile", listener) for event, listener in stops]
