"""Numba's CPU compile cache and compile events, without importing Numba up front."""

import os


def cache_dir_beside(source_file):
    """`NUMBA_CACHE_DIR`, else the `__pycache__` folder beside `source_file` (any device's).

    Example:
        >>> os.path.basename(cache_dir_beside(__file__))  # without NUMBA_CACHE_DIR
        '__pycache__'
    """
    return os.environ.get("NUMBA_CACHE_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(source_file)), "__pycache__")


def kernel_cache_dir():
    """Where Numba keeps nbkeras's compiled CPU kernels (`NUMBA_CACHE_DIR`, else `__pycache__`).

    Example:
        >>> os.path.isabs(kernel_cache_dir())
        True
    """
    return cache_dir_beside(__file__)


def kernel_cache_is_cold():
    """True when the training kernels (the fused activations) are not cached yet."""
    return not holds_cached_activations(kernel_cache_dir())


def holds_cached_activations(folder):
    """Whether `folder` (a kernel cache, any device's) holds compiled fused activations."""
    for _, _, files in os.walk(folder):
        if any(f.startswith("activations.") and f.endswith(".nbi") for f in files):
            return True
    return False


def on_kernel_compiled(callback):
    """Call `callback()` each time Numba finishes compiling a function; returns a stop function.

    Example:
        >>> stop = on_kernel_compiled(lambda: print("compiled one"))
        >>> stop()
    """
    return listen_compiles(callback, ("numba.core.event",))


def listen_compiles(callback, event_modules):
    """Call `callback()` after each "numba:compile" event of every importable module in
    `event_modules` (Numba's, numba-cuda's); returns a function that stops listening."""
    import importlib

    stops = []
    for path in event_modules:
        try:
            event = importlib.import_module(path)
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


def preload():
    """Do what the first kernel call of a process would: import Numba and the kernels, and
    set up Numba's CPU target (its lowering registries, which import SciPy's BLAS). About
    0.45 s on a 2-core EPYC, so a notebook pays it while its user writes the next cell;
    see `nbkeras.backend.start_preload`.

    Example:
        >>> preload()
    """
    from nbkeras.backend.kernel_table import load

    load("nbkeras.backend.cpu")  # every kernel module, and Numba
    from numba.core.compiler_lock import global_compiler_lock
    from numba.core.registry import cpu_target

    with global_compiler_lock:  # the main thread may be compiling or loading a kernel
        cpu_target.target_context.refresh()
