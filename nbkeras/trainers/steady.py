"""Steady step times while `fit` runs: garbage collection and thread sizing.

Python's cyclic garbage collector runs a full (generation 2) collection every so
often, and a full collection walks every tracked object of the process: after
`import nbkeras` (Numba, LLVM bindings) and a notebook's own work that is hundreds of
thousands of objects, a pause of tens of milliseconds inside one step of a 1-ms epoch.
`steady_training()` freezes what exists when `fit` starts (`gc.freeze()`: moved to a
permanent generation that collections skip, as servers and frameworks do), so
collections during training only see the objects training creates; the frozen ones
return to the collector when `fit` ends. The collector stays enabled, so reference
cycles made during training are still freed.

It also enters the device's `threads_for_load()`, whose `resize()` the trainer calls
before each batch (throttled to one load sample per 0.1 s) to size the threads that run
the CPU device's GEMM blocks to the cores other processes leave free. The blocks are
fixed by the GEMM's shape, so this changes the speed under load, never the numbers.

Example:
    >>> with steady_training() as resize:
    ...     threads = resize()
"""

import contextlib
import gc


@contextlib.contextmanager
def steady_training():
    """Freeze the collector's old objects and size the device's threads while training.

    Yields the device's `resize()` (call it before each batch; returns the GEMM lane count
    it chose, or None). Re-entrant: a `fit` inside a callback leaves the outer freeze alone, and a
    freeze the user made (`gc.freeze()`) is kept.

    Example:
        >>> with steady_training() as resize:
        ...     _ = resize()
    """
    from nbkeras import backend

    # Freeze only at the outermost fit, and never undo a freeze the user made.
    froze = _state["depth"] == 0 and gc.isenabled() and gc.get_freeze_count() == 0
    _state["depth"] += 1
    if froze:
        gc.collect(1)  # free the young garbage, leave gen 2's walk for later
        gc.freeze()
    try:
        with backend.kernels.threads_for_load() as resize:
            yield resize
    finally:
        _state["depth"] -= 1
        if froze:
            gc.unfreeze()


_state = {"depth": 0}
