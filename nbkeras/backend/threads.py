"""Size NumPy's OpenBLAS thread pool to the cores other processes leave free.

OpenBLAS splits each GEMM over all cores and its threads wait at a barrier for the
slowest one. When another process keeps a core busy, that thread waits for the
scheduler, and every GEMM waits with it: the student CNN (Conv2D(32)-pool-Conv2D(64)-
pool-Dropout-Dense(10), 24x24x1, batch 32, Adam) took 726 ms per step with 2 BLAS
threads on a busy 2-core machine against 57 ms with 1 (median of 4 interleaved epochs).
nbkeras's own kernels are serial, and Numba's OpenMP pool waits passively.

`fit`, `evaluate` and `predict` call `tick()` every step: at most every `INTERVAL`
seconds it reads how much CPU the machine used (`/proc/stat`) and how much this process
used (`os.times`), and gives OpenBLAS the cores the others leave free (at least one, at
most what the process may run on). Setting `OPENBLAS_NUM_THREADS` or `OMP_NUM_THREADS`,
or `NBKERAS_ADAPTIVE_THREADS=0`, leaves OpenBLAS alone.

Example:
    >>> from nbkeras.backend import threads
    >>> threads.tick()  # called by fit; returns the BLAS thread count in use (or None)
    2
"""

import ctypes
import glob
import os
import time

INTERVAL = 0.25  # seconds between two looks at the machine's load
FREE_CORE = 0.5  # a core counts as taken when others use more than this much of it

_state = {"blas": None, "last": None, "threads": None, "enabled": None}


def _max_threads():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _blas():
    """(set, get) of NumPy's bundled OpenBLAS, or False where there is none."""
    if _state["blas"] is None:
        _state["blas"] = False
        import numpy as np

        root = os.path.dirname(os.path.dirname(np.__file__))
        names = (("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
                 ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
                 ("openblas_set_num_threads", "openblas_get_num_threads"))
        for path in sorted(glob.glob(os.path.join(root, "numpy.libs", "*openblas*"))):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for set_name, get_name in names:
                if hasattr(lib, set_name) and hasattr(lib, get_name):
                    getter = getattr(lib, get_name)
                    getter.restype = ctypes.c_int
                    _state["blas"] = (getattr(lib, set_name), getter)
                    break
            if _state["blas"]:
                break
    return _state["blas"]


def enabled():
    """Whether nbkeras sizes the BLAS threads (no user setting, `/proc/stat` readable)."""
    if _state["enabled"] is None:
        off = os.environ.get("NBKERAS_ADAPTIVE_THREADS", "1").strip().lower() in ("0", "false", "no")
        user_set = any(os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"))
        _state["enabled"] = bool(not off and not user_set and _max_threads() > 1
                                 and _sample() is not None and _blas())
    return _state["enabled"]


def _sample():
    """(wall, machine busy core-seconds, this process's core-seconds), or None."""
    try:
        with open("/proc/stat") as f:
            vals = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    busy = (sum(vals[:8]) - vals[3] - (vals[4] if len(vals) > 4 else 0)) / hz
    t = os.times()
    return time.monotonic(), busy, t.user + t.system


def threads_for(others, max_threads):
    """BLAS threads to run when other processes keep `others` cores busy.

    Example:
        >>> threads_for(0.1, 2), threads_for(0.9, 2), threads_for(3.0, 4)
        (2, 1, 1)
    """
    taken = int(others + 1.0 - FREE_CORE) if others > FREE_CORE else 0
    return max(1, min(max_threads, max_threads - taken))


def tick(force=False):
    """Look at the load (at most every `INTERVAL` s) and resize OpenBLAS's pool if needed.

    Args:
        force: look now, however recent the last look.

    Returns:
        The BLAS thread count in use, or None when nbkeras leaves OpenBLAS alone.
    """
    if not enabled():
        return None
    last = _state["last"]
    if not force and last is not None and time.monotonic() - last[0] < INTERVAL:
        return _state["threads"]
    cur = _sample()
    _state["last"] = cur
    if last is None or cur[0] - last[0] > 30 * INTERVAL:
        return _state["threads"]  # no recent window to judge by: keep what runs
    wall = cur[0] - last[0]
    others = max(0.0, (cur[1] - last[1]) - (cur[2] - last[2])) / wall
    return _resize(threads_for(others, _max_threads()))


def _resize(want):
    if want != _state["threads"]:
        _blas()[0](want)
        _state["threads"] = want
    return want


def _runnable_others():
    """How many other threads are runnable right now (`/proc/loadavg`'s 4th field, less
    this one), or None where it cannot be read."""
    try:
        with open("/proc/loadavg") as f:
            return max(0, int(f.read().split()[3].split("/")[0]) - 1)
    except (OSError, ValueError, IndexError):
        return None


def start():
    """Size the pool before a loop starts. Without a recent look, judge by the threads
    runnable at this instant (no waiting), then let `tick()` take over.

    Example:
        >>> threads.start()
    """
    if not enabled():
        return None
    last = _state["last"]
    if last is None or time.monotonic() - last[0] > 30 * INTERVAL:
        _state["last"] = _sample()
        others = _runnable_others()
        if others is not None:
            _resize(threads_for(others, _max_threads()))
        return _state["threads"]
    return tick()
