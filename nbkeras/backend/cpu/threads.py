"""Size the GEMM lanes to the cores that are free right now, never changing a result.

A GEMM split evenly between two threads (OpenBLAS's own threading did this) waits for
its slower half: when another process holds one of two cores, half of each GEMM waits
for that core's time slice and the other thread idles at the barrier (the student
CNN's step went from 6.8 to 26.2 ms beside one busy loop). So while `fit` runs, it
samples the runnable tasks of other processes every 0.1 s (`/proc/loadavg`, minus this
process's own running threads) and runs the device's GEMM blocks on only the cores
they leave free (`gemm.set_lanes`); `fit` restores the count at its end.

OpenBLAS itself runs one thread while nbkeras computes (`gemm.single_threaded_blas`): its
float32 sums differ between 1 and 2 threads, so a thread count that followed the load
made trained weights follow the load. The GEMM blocks are fixed by the shape
(`gemm.plan`), so results are bit-identical with 1 or N lanes and under any load
(tests/test_threads.py checks it on training runs). Set `NBKERAS_BLAS_THREADS=N` to pin
the lanes (0 or unset: size by load).

nbkeras's parallel memory-bound kernels (im2col, col2im, pooling, activations; see
`_parallel`) get the same count (`_parallel.set_kernel_threads`), so they too leave a
busy core alone; their results do not depend on it.

Example:
    >>> choose_threads(cores=2, others_running=1)
    1
    >>> choose_threads(cores=2, others_running=0)
    2
"""

import collections
import contextlib
import ctypes
import os
import time

from nbkeras.backend.cpu import _parallel

# Symbols that set / get the thread count, by OpenBLAS build (NumPy's wheels bundle
# scipy-openblas with the `scipy_` prefix and the `64_` suffix).
_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_", "openblas_set_num_threads")
_GETTERS = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
            "openblas_get_num_threads64_", "openblas_get_num_threads")
_CORENAMES = ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
              "openblas_get_corename64_", "openblas_get_corename")

_state = {"lib": None, "cdll": None}


def choose_threads(cores, others_running, limit=None):
    """How many BLAS threads to use: the cores that other processes leave free.

    Args:
        cores: cores this process may run on (`os.sched_getaffinity`).
        others_running: runnable tasks of other processes right now.
        limit: the most threads to use (the user's `OPENBLAS_NUM_THREADS`), or None.

    Returns:
        An int between 1 and `min(cores, limit)`.

    Example:
        >>> choose_threads(cores=8, others_running=3, limit=4)
        4
    """
    top = max(1, min(cores, limit) if limit else cores)
    return max(1, min(top, cores - max(0, others_running)))


def others_running(loadavg_text, own_running):
    """Runnable tasks of other processes, from `/proc/loadavg`'s text.

    Args:
        loadavg_text: the file's content, e.g. ``"0.50 0.40 0.30 3/207 4951"``.
        own_running: this process's threads that are running now (counted in the file).

    Example:
        >>> others_running("1.0 1.0 1.0 3/207 4951", own_running=1)
        2
    """
    running = int(loadavg_text.split()[3].split("/")[0])
    return max(0, running - own_running)


def _own_running():
    n = 0
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return 1
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # "pid (comm) S ...": the state follows the last ')'
        if stat[stat.rfind(b")") + 2:stat.rfind(b")") + 3] == b"R":
            n += 1
    return max(1, n)


def measure_others_running(samples=5):
    """The median, over `samples` quick reads, of other processes' runnable tasks (or 0)."""
    counts = []
    for _ in range(samples):
        try:
            with open("/proc/loadavg") as f:
                text = f.read()
            counts.append(others_running(text, _own_running()))
        except (OSError, ValueError, IndexError):
            return 0
    return sorted(counts)[len(counts) // 2]


def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _find(lib, names, restype, argtypes):
    for name in names:
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.restype, fn.argtypes = restype, argtypes
            return fn
    return None


def openblas_library():
    """The `ctypes.CDLL` of the OpenBLAS NumPy loaded, or None (another BLAS).

    Example:
        >>> lib = openblas_library()
    """
    _openblas()
    return _state["cdll"]


def _openblas():
    """(set, get, corename) functions of the OpenBLAS NumPy loaded, or None (another BLAS)."""
    if _state["lib"] is None:
        import numpy as np

        np.ones((2, 2), np.float32) @ np.ones((2, 2), np.float32)  # the library is loaded
        found = False
        try:
            with open("/proc/self/maps") as f:
                paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower()
                                and line.split()[-1].startswith("/")})
        except OSError:
            paths = []
        for path in paths:
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            setter = _find(lib, _SETTERS, None, [ctypes.c_int])
            getter = _find(lib, _GETTERS, ctypes.c_int, [])
            if setter is not None and getter is not None:
                found = (setter, getter, _find(lib, _CORENAMES, ctypes.c_char_p, []))
                _state["cdll"] = lib
                break
        _state["lib"] = found
    return _state["lib"] or None


def blas_threads():
    """The number of threads OpenBLAS uses now (None when NumPy's BLAS is not OpenBLAS).

    Example:
        >>> blas_threads() >= 1
        True
    """
    lib = _openblas()
    return int(lib[1]()) if lib else None


def blas_corename():
    """OpenBLAS's kernel family in use (e.g. 'Haswell'), or None (another BLAS, or unknown).

    Example:
        >>> blas_corename() is None or isinstance(blas_corename(), str)
        True
    """
    lib = _openblas()
    if not lib or lib[2] is None:
        return None
    name = lib[2]()
    return name.decode().strip() if name else None


def set_blas_threads(n):
    """Give OpenBLAS `n` threads (at most the pool it started with); returns the old count.

    Args:
        n: a positive int.

    Example:
        >>> old = set_blas_threads(1)
        >>> _ = set_blas_threads(old)
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"Expected a positive int thread count. Received: n={n!r}")
    lib = _openblas()
    if not lib:
        return None
    old = int(lib[1]())
    if n != old:
        lib[0](n)
    return old


def _pinned():
    value = os.environ.get("NBKERAS_BLAS_THREADS", "").strip()
    try:
        return max(0, int(value)) if value else 0
    except ValueError:
        return 0


@contextlib.contextmanager
def threads_for_load(interval=0.1, window=5):
    """While training: a `resize()` that sizes the GEMM lanes to the free cores.

    Yields a function that the trainer calls before every batch. A call at least
    `interval` seconds after the last sample reads the load once more (about 20 us);
    the lane count follows the median of the last `window` samples, so a process that
    runs for an instant does not flip it, and one that keeps a core busy takes its core
    back within `interval * window` seconds. Other calls only read the clock. The first
    call fills the window with fresh samples (about 0.8 ms), unless the last fit took
    its last sample under `interval * window` seconds ago: its samples count then, and
    one fresh sample joins them (a fit per epoch in a loop pays one read, not five). The count
    in force before is restored at exit. OpenBLAS is set to one thread on entry (and
    stays so). Lanes decide only which thread computes which GEMM block: the numbers
    are the same whatever `resize()` chooses.

    Args:
        interval: seconds between two samples of the load.
        window: how many recent samples decide.

    Example:
        >>> with threads_for_load() as resize:
        ...     n = resize()
        >>> n >= 1
        True
    """
    from nbkeras.backend.cpu import gemm

    blas = gemm.single_threaded_blas(held=True)
    start = gemm.lanes()
    top = gemm.blocks_per_gemm()
    pinned = min(_pinned(), top)
    if pinned:
        gemm.set_lanes(pinned)
    _parallel.set_kernel_threads(pinned or start)
    cores = _usable_cores()
    samples = collections.deque(maxlen=max(1, window))
    last = {"at": None, "n": pinned or start}
    recent = _last_fit["at"]
    if not pinned and recent is not None and time.monotonic() - recent < interval * window:
        samples.extend(_last_fit["samples"])

    def resize():
        if pinned:
            return pinned
        now = time.monotonic()
        if last["at"] is not None and now - last["at"] < interval:
            return last["n"]
        if last["at"] is None and not samples:  # the first call fills the window at once
            samples.extend(measure_others_running(1) for _ in range(samples.maxlen))
        else:
            samples.append(measure_others_running(1))
        last["at"] = now
        n = choose_threads(cores, sorted(samples)[len(samples) // 2], limit=top)
        if n != last["n"]:
            gemm.set_lanes(n)
            _parallel.set_kernel_threads(n)
            last["n"] = n
        return n

    _inference["fits"] += 1  # inference inside fit (validation, callbacks) leaves it to fit
    blas.__enter__()
    try:
        yield resize
    finally:
        if last["at"] is not None:
            _last_fit["at"] = last["at"]
            _last_fit["samples"].clear()  # (in place: no frozen object of gc.freeze dies)
            _last_fit["samples"].extend(samples)
        _inference["fits"] -= 1
        gemm.set_lanes(start)
        _parallel.set_kernel_threads(None)
        blas.__exit__(None, None, None)


# The samples of the last `threads_for_load` that read the load, and when it last did.
_last_fit = {"at": None, "samples": collections.deque()}

# What `threads_for_inference` last decided, shared by every call of the process.
_inference = {"at": None, "start": None, "n": None,
              "samples": collections.deque(maxlen=5), "cores": None, "fits": 0, "depth": 0}


class threads_for_inference:
    """While `predict` / `evaluate` / `predict_on_batch` / `test_on_batch` / `model(x)` run:
    the GEMM lanes sized to the cores other processes leave free, as `threads_for_load`
    does for fit (a context manager). Like there, the lanes change only which thread runs
    a GEMM block, never the numbers.

    A one-sample `predict` is a few small GEMMs; when another process holds one of two
    cores, a GEMM split over two threads waits for that core's time slice (the student
    CNN's one-sample predict went from 0.2 to 8 ms). The calls share one record of the
    load: a call at least `interval` seconds after the last sample reads the load once more
    (20-90 us); other calls reuse the decision (a clock read and, when it differs from the
    lanes in force, a change of that count). Samples older than `stale` seconds
    are dropped, so a call after a pause reads the load afresh. The count in force before
    is restored at exit. `NBKERAS_BLAS_THREADS=N` pins the count, as for fit (read with
    each sample). Inside `fit` (validation, a callback's predict) it changes nothing:
    `threads_for_load` decides.

    Args:
        interval: seconds between two samples of the load.
        stale: seconds after which the recorded samples no longer count.

    Example:
        >>> with threads_for_inference() as n:
        ...     pass
        >>> n is None or n >= 1
        True
    """

    __slots__ = ("interval", "stale", "start", "n", "blas")

    def __init__(self, interval=0.1, stale=1.0):
        self.interval, self.stale = interval, stale

    def __enter__(self):
        """Size the lanes; returns the count in force (None: nested in another inference
        call or in fit, which decide)."""
        state = _inference
        self.start = self.n = self.blas = None
        if state["depth"] or state["fits"]:
            state["depth"] += 1
            return None
        gemm = _gemm()
        self.blas = gemm.single_threaded_blas(held=True)
        self.blas.__enter__()
        start = gemm.lanes()
        at = state["at"]
        if (at is not None and state["start"] == start
                and time.monotonic() - at < self.interval):
            n = state["n"]
        else:
            n = _inference_count(start, self.interval, self.stale)
        if n != start:
            gemm.set_lanes(n)
            _parallel.set_kernel_threads(n)
        self.start, self.n = start, n
        state["depth"] += 1
        return self.n

    def __exit__(self, *exc):
        _inference["depth"] -= 1
        if self.n != self.start:
            _gemm().set_lanes(self.start)
            _parallel.set_kernel_threads(None)
        if self.blas is not None:
            self.blas.__exit__(None, None, None)
        return False


def _gemm():
    """The gemm module (it imports this one: imported on first use, then kept)."""
    mod = _state.get("gemm")
    if mod is None:
        from nbkeras.backend.cpu import gemm as mod

        _state["gemm"] = mod
    return mod


def _inference_count(start, interval, stale):
    """Sample the load (and `NBKERAS_BLAS_THREADS`) once; the lanes, at most `start`."""
    state = _inference
    now = time.monotonic()
    if state["at"] is None or now - state["at"] > stale:
        state["samples"].clear()
    if state["cores"] is None:
        state["cores"] = _usable_cores()
    pinned = min(_pinned(), start)
    if pinned or start == 1:
        n = pinned or 1
    else:
        state["samples"].append(measure_others_running(1))
        samples = sorted(state["samples"])
        n = choose_threads(state["cores"], samples[len(samples) // 2], limit=start)
    state.update(at=now, start=start, n=n)
    return n
