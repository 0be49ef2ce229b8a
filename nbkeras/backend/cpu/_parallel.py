"""Run a memory-bound kernel over the batch on the cores the thread governor allows.

Each such kernel (im2col, col2im, pooling, activations) comes as a serial and a
`parallel=True` Numba twin built on the same per-sample (or per-row) body; the parallel
one `prange`s over samples, so every output element is written by exactly one thread,
in the same order as the serial loop, and nothing is summed across threads: the results
are bit-identical whatever the thread count (tests/test_parallel_kernels.py).

`run` picks the serial twin for small work (a parallel launch costs a few
microseconds and a thread wake-up) and when the governor allows one thread; otherwise
it sets Numba's thread count (thread-local in Numba, so tracked per calling thread) to
the governor's choice. `threads.threads_for_load` / `threads_for_inference` call
`set_kernel_threads` with the count they give BLAS; `NBKERAS_KERNEL_THREADS=N` pins it
(1: always serial). With Numba's `workqueue` layer (no OpenMP or TBB found), which
aborts when two threads launch at once, only the main thread runs the parallel twins.

Example:
    >>> set_kernel_threads(1)
    >>> kernel_threads()
    1
    >>> set_kernel_threads(None)
"""

import os
import threading

# Elements written below which a kernel runs serially (~20 us of one core's copying).
PARALLEL_MIN_WORK = 1 << 16

_state = {"want": None, "set": {}, "pinned": None, "layer": None}


def _pinned():
    if _state["pinned"] is None:
        value = os.environ.get("NBKERAS_KERNEL_THREADS", "").strip()
        try:
            _state["pinned"] = max(0, int(value)) if value else 0
        except ValueError:
            _state["pinned"] = 0
    return _state["pinned"]


def _pool_size():
    import numba

    return numba.config.NUMBA_NUM_THREADS


def set_kernel_threads(n):
    """Let the parallel kernels use `n` threads (None: Numba's whole pool).

    Args:
        n: a positive int, or None.

    Example:
        >>> set_kernel_threads(2)
        >>> set_kernel_threads(None)
    """
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 1):
        raise ValueError(f"Expected a positive int thread count or None. Received: n={n!r}")
    _state["want"] = n


def kernel_threads():
    """The thread count the parallel kernels use now (the pin, the governor's, or the pool).

    Example:
        >>> kernel_threads() >= 1
        True
    """
    want = _pinned() or _state["want"] or _pool_size()
    return max(1, min(want, _pool_size()))


def run(serial, parallel, work, items, *args):
    """Call `parallel(*args)` on `kernel_threads()` threads, or `serial(*args)` when
    `work` (elements written) is under `PARALLEL_MIN_WORK`, `items` (the prange extent)
    is under 2, or one thread is allowed.

    Example:
        >>> import numpy as np
        >>> run(np.copyto, np.copyto, 1, 1, np.zeros(2), np.ones(2))
    """
    if work < PARALLEL_MIN_WORK or items < 2:
        return serial(*args)
    n = kernel_threads()
    if n < 2:
        return serial(*args)
    tid = threading.get_ident()
    if _state["set"].get(tid) != n:
        import numba

        numba.set_num_threads(n)  # starts Numba's threading layer on first use
        _state["set"][tid] = n
        if _state["layer"] is None:
            _state["layer"] = numba.threading_layer()
    if _state["layer"] == "workqueue" and threading.current_thread() is not threading.main_thread():
        return serial(*args)  # that layer aborts on launches from two threads at once
    return parallel(*args)
