"""The CPU device's `matmul`: single-threaded BLAS calls in blocks fixed by the shape.

OpenBLAS's own threading gives different float32 sums with 1 and 2 threads (measured
with 0.3.31's Haswell kernel: 512x300x256, 64x784x256, 1024x64x64 and most other
shapes differ), so a thread count that follows the machine's load would make training
results follow the load. Here BLAS runs one thread whenever nbkeras computes
(`single_threaded_blas`: for the whole of `fit`/`predict`/`evaluate`, or around one
GEMM outside them; the process's own count is restored after, so the user's NumPy
code keeps its threads), and a
large GEMM is cut into a fixed number of blocks that depends on its shape alone:

- row blocks `a[r0:r1] @ b -> out[r0:r1]`, boundaries at multiples of `row_align()`
  rows, when `a` has at least `2 * ROW_ALIGN` rows. With OpenBLAS's Haswell sgemm
  kernel every such row block equals the same rows of one whole single-threaded call
  exactly (measured: a split at any multiple of 12 rows does, others do not; 48 also
  keeps 16-row tiles aligned): tests/test_gemm.py checks it there. Its SkylakeX kernel
  (AVX-512 cores, Zen 4 included) does not promise it: measured with 0.3.31, row cuts at
  multiples of 48, 64, 96 or 192 all differ from the whole call for some shapes (n = 10
  or 129 columns, 130 or 300 rows), so there row blocks, like column blocks, are only
  the same calls every run, and their boundaries are free to balance the blocks
  (multiples of 16 rows: 256 rows split 128 + 128);
- column blocks `a @ b[:, c0:c1] -> out[:, c0:c1]` otherwise (few rows, many columns:
  a Dense layer at batch 32). These do not reproduce the whole call's bits (measured:
  no column split does), but they are the same calls every run;
- batched products (3-D or more, without broadcasting) are cut along their first
  axis: NumPy makes one call per matrix either way, so these equal the whole call
  exactly.

The blocks run on `lanes()` threads: the caller and persistent workers, each taking
the next block not yet taken (a late worker takes none, so the caller never waits for
a worker that has not started). Row and column blocks go through `spin_lane`: the
workers spin between GEMMs (yielding the core to any runnable thread) and call NumPy's
cblas themselves, so a hand-off costs neither a thread wake-up (40-50 us on the KVM
cores here, as much as half of a Dense layer's GEMM at batch 32) nor Python; each block
is the cblas call `np.matmul` makes for it, so the bits are those of `np.matmul` blocks. The thread governor (`threads.threads_for_load`)
sets the lanes from the cores other processes leave free. Which thread runs a block
never changes what is computed, so results are bit-identical whatever the load.

Example:
    >>> import numpy as np
    >>> a = np.ones((2, 3), np.float32)
    >>> matmul(a, np.ones((3, 4), np.float32)).shape
    (2, 4)
"""

import atexit
import os
import threading

import numpy as np

from nbkeras.backend.cpu import threads as _threads

# Work (m * n * k multiply-adds) below which a GEMM is one call, ~50 us of one core:
# a block handed to a spinning worker (`spin_lane`) costs a few microseconds (measured on
# Zen 4 at batch 32: 32x256 @ 256x256 takes 50 us whole, 31 us on two lanes, 53 on one).
SPLIT_MIN_WORK = 1 << 21
ROW_ALIGN = 48  # row blocks: at least 2 * this many rows; boundaries at row_align()
EXACT_ROW_CORES = ("Haswell", "Zen")  # OpenBLAS kernels whose row blocks are exact at 48
FREE_ROW_ALIGN = 16  # the boundaries' alignment for other kernels (a 16-row tile)
COL_ALIGN = 16  # column block boundaries: multiples of this
MAX_BLOCKS = 4  # blocks per GEMM at most (and the most lanes)

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_scope_lock = threading.Lock()
_state = {"primed": False, "blas_depth": 0, "blas_saved": None, "held": 0, "lanes": None, "blocks": None, "workers": [],
          "busy": threading.Lock()}


def blocks_per_gemm():
    """How many blocks a large GEMM is cut into: the usable cores, at most `MAX_BLOCKS`.

    Fixed for the process (read once), so it never follows the load. 1 (no split) when
    NumPy's BLAS is not OpenBLAS: its threads cannot be set, so it keeps its own.

    Example:
        >>> 1 <= blocks_per_gemm() <= MAX_BLOCKS
        True
    """
    if _state["blocks"] is None:
        cores = _threads._usable_cores() if _threads.blas_threads() is not None else 1
        _state["blocks"] = max(1, min(MAX_BLOCKS, cores))
    return _state["blocks"]


def lanes():
    """How many threads run a GEMM's blocks now (the caller included).

    Example:
        >>> lanes() >= 1
        True
    """
    if _state["lanes"] is None:
        _state["lanes"] = blocks_per_gemm()
    return _state["lanes"]


def set_lanes(n):
    """Run GEMM blocks on `n` threads (the caller and `n - 1` workers); returns the old count.

    Capped at `blocks_per_gemm()`. Changes only who computes each block, never the
    numbers.

    Args:
        n: a positive int.

    Example:
        >>> old = set_lanes(1)
        >>> _ = set_lanes(old)
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"Expected a positive int lane count. Received: n={n!r}")
    old = lanes()
    _state["lanes"] = min(n, blocks_per_gemm())
    return old


class single_threaded_blas:
    """While inside, OpenBLAS runs one thread; the outermost exit gives the process its
    own count back, so the user's NumPy code outside `fit`/`predict` keeps its threads.

    `fit`, `evaluate`, `predict` and inference calls hold one for their whole run
    (through the thread governor); a GEMM outside them takes one around itself (two
    ctypes calls, under a microsecond each). Re-entrant and shared by all threads.

    Example:
        >>> with single_threaded_blas():
        ...     c = matmul(a, b)
    """

    __slots__ = ("held",)

    def __init__(self, held=False):
        # held: a whole fit/predict/evaluate; GEMMs inside skip their own scope.
        self.held = held

    def __enter__(self):
        # OpenBLAS's own setter and getter, called directly (as `threads.set_blas_threads`
        # does, without its checks): a one-sample predict enters this once per call, so
        # the outermost entry asks the count once and the exit sets it back without asking
        # again (inside, OpenBLAS runs the one thread this entry set).
        state = _state
        with _scope_lock:
            state["held"] += self.held
            if state["blas_depth"] == 0:
                blas = _threads._openblas()
                n = state["blas_saved"] = int(blas[1]()) if blas else None
                if n not in (None, 1):
                    blas[0](1)
                if blas and not state["primed"]:
                    state["primed"] = True
                    _prime_buffers(blocks_per_gemm())
            state["blas_depth"] += 1
        return self

    def __exit__(self, *exc):
        state = _state
        with _scope_lock:
            state["held"] -= self.held
            state["blas_depth"] -= 1
            if state["blas_depth"] == 0:
                n = state["blas_saved"]
                if n not in (None, 1):
                    _threads._openblas()[0](n)
        return False


_SCOPE = single_threaded_blas()

# The priming product of `_prime_buffers`: its packed panels cover those of the GEMMs
# measured (the MLP's 256x784x256 and smaller); OpenBLAS's Haswell sgemm panels are at
# most 768 x 384 (P x Q).
PRIME_SHAPE = (384, 384, 384)


def _prime_buffers(n):
    """Fault in the pages of OpenBLAS's work buffers: `n` threads each run one
    single-threaded `PRIME_SHAPE` sgemm at the same time (started together, so each
    takes its own buffer: OpenBLAS gives a call the first buffer no other call holds,
    a 32 MB mmap made on first use and never touched beyond the panels packed into it).

    Why: the sgemm kernel prefetches past the panels it packed, and a prefetch into a
    page not yet mapped is dropped after a page walk that finds nothing -- repeated on
    every call, and slow under this machine's nested virtualisation. Measured on the
    Zen-1 VM (OpenBLAS 0.3.31 Haswell kernel, one thread): 256x784x256 ran 11-12 GF/s
    until the buffer's pages were mapped (memset over the whole buffer, or any sgemm
    whose panels reach them, e.g. 384^3), then 33-38 GF/s for the rest of the process;
    page-fault counts and system time are the same either way, the extra time is user
    time. The product's values are discarded; it changes no later result (a GEMM's bits
    never depend on the buffer's earlier contents).
    """
    m, k, n_cols = PRIME_SHAPE
    a = np.ones((m, k), np.float32)
    b = np.ones((k, n_cols), np.float32)
    start = threading.Barrier(n)

    def run():
        out = np.empty((m, n_cols), np.float32)
        try:
            start.wait(5.0)
        except threading.BrokenBarrierError:
            pass
        np.matmul(a, b, out=out)

    others = [threading.Thread(target=run, name="nbkeras-prime") for _ in range(n - 1)]
    for t in others:
        t.start()
    run()
    for t in others:
        t.join()


def _edges(size, parts, align):
    """Block boundaries over `size`: `parts` near-equal blocks, inner boundaries at the
    multiples of `align` nearest the equal split."""
    inner = sorted({min(size, max(align, (size * i // parts + align // 2) // align * align))
                    for i in range(1, parts)})
    return [0] + [e for e in inner if 0 < e < size] + [size]


def row_align():
    """The multiple of rows that row-block boundaries fall on: `ROW_ALIGN` (48) with
    OpenBLAS's Haswell/Zen kernels, whose row blocks then equal the whole call exactly;
    `FREE_ROW_ALIGN` (16) with any other BLAS kernel (SkylakeX's blocks are exact at no
    alignment tried), which splits 256 rows 128 + 128 instead of 144 + 112.

    Fixed for the process, so the plan still depends on the shapes alone.

    Example:
        >>> row_align() in (ROW_ALIGN, FREE_ROW_ALIGN)
        True
    """
    align = _state.get("row_align")
    if align is None:
        exact = _threads.blas_corename() in EXACT_ROW_CORES
        align = _state["row_align"] = ROW_ALIGN if exact else FREE_ROW_ALIGN
    return align


def plan(a_shape, b_shape):
    """How `matmul` cuts a product: ('rows'|'cols'|'batch', boundaries) or None (one call).

    A function of the shapes alone (and the fixed `blocks_per_gemm()`).

    Args:
        a_shape, b_shape: the operands' shapes.

    Example:
        >>> plan((8, 8), (8, 8)) is None
        True
    """
    parts = blocks_per_gemm()
    if parts < 2 or len(a_shape) < 2 or len(b_shape) < 2:
        return None
    m, k = a_shape[-2:]
    n = b_shape[-1]
    lead = a_shape[:-2]
    batch = 1
    for d in lead:
        batch *= d
    if batch * m * n * k < SPLIT_MIN_WORK:
        return None
    if lead:  # batched: along the first axis, when b is one matrix or has a's batch axes
        if len(b_shape) > 2 and tuple(b_shape[:-2]) != tuple(lead) or lead[0] < 2:
            return None
        return "batch", _edges(lead[0], min(parts, lead[0]), 1)
    if len(b_shape) > 2:
        return None
    if m >= 2 * ROW_ALIGN:
        return "rows", _edges(m, min(parts, m // ROW_ALIGN), row_align())
    if n >= 2 * COL_ALIGN:
        return "cols", _edges(n, min(parts, n // COL_ALIGN), COL_ALIGN)
    return None


def matmul(a, b, out=None):
    """`a @ b` as `numpy.matmul` (batched, 1-D promotion), bit-identical whatever the load.

    Args:
        a, b: arrays (NumPy's matmul rules).
        out: optional preallocated result (C-contiguous or a view BLAS can write).

    Returns:
        The product (`out` when given).

    Example:
        >>> import numpy as np
        >>> matmul(np.eye(2, dtype=np.float32), np.ones((2, 2), np.float32)).sum()
        4.0
    """
    return in_blas_scope(_matmul, a, b, out)


def in_blas_scope(fn, *args):
    """`fn(*args)` with OpenBLAS on one thread: inside fit/predict/evaluate it already
    is; outside them a `single_threaded_blas` scope is held around the call.

    For any code that calls BLAS (a GEMM, or a Numba kernel calling NumPy's BLAS).

    Example:
        >>> in_blas_scope(np.matmul, np.ones((2, 2)), np.ones((2, 2))).shape
        (2, 2)
    """
    if _state["held"]:
        return fn(*args)
    with _SCOPE:
        return fn(*args)


def _matmul(a, b, out):
    if type(a) is np.ndarray and type(b) is np.ndarray and a.ndim == 2 and b.ndim == 2:
        sa = a.shape
        if sa[0] * sa[1] * b.shape[1] < SPLIT_MIN_WORK:  # small: one call, as NumPy's
            return np.matmul(a, b, out=out)
    if (type(a) is not np.ndarray or type(b) is not np.ndarray or a.dtype != b.dtype
            or a.dtype not in _FLOATS or (out is not None and out.dtype != a.dtype)):
        return np.matmul(a, b, out=out)
    key = (a.shape, b.shape)
    how = _PLANS.get(key, False)
    if how is False:
        how = plan(*key)
        if how is not None:  # (with the boundaries as the int64 array `spin_lane` reads)
            how = (*how, np.array(how[1], np.int64))
        if len(_PLANS) < 4096:  # (a function of the shapes alone: cached)
            _PLANS[key] = how
    if how is None:
        return np.matmul(a, b, out=out)
    kind, edges, edge_array = how
    if kind == "batch":
        shape = a.shape[:-1] + b.shape[-1:]
    else:
        shape = (a.shape[0], b.shape[1])
    if out is None:
        out = np.empty(shape, a.dtype)
    elif out.shape != shape:
        return np.matmul(a, b, out=out)  # NumPy's own error
    if kind != "batch" and _spin_blocks(a, b, out, kind == "rows", edge_array):
        return out
    tasks = []
    for lo, hi in zip(edges, edges[1:]):
        if kind == "rows":
            tasks.append((np.matmul, a[lo:hi], b, out[lo:hi]))
        elif kind == "cols":
            tasks.append((np.matmul, a, b[:, lo:hi], out[:, lo:hi]))
        else:
            tasks.append((np.matmul, a[lo:hi], b[lo:hi] if b.ndim > 2 else b, out[lo:hi]))
    run_blocks(tasks)
    return out


def _spin_lane():
    """The `spin_lane` module, or False where it cannot run here."""
    lane = _state.get("spin")
    if lane is None:
        from nbkeras.backend.cpu import spin_lane as lane

        _state["spin"] = lane = lane if lane.available() else False
        if lane:
            atexit.register(lane.stop)
    return lane


class kernel_lanes:
    """For one call of a kernel that runs split GEMMs itself (`spin_lane.run_tasks`, as the
    fused training step does): entering gives `(ctrl, tasks, fns, share)`, its arguments,
    or None where the spinning lane cannot run. `share` is 1 when the blocks may go to the
    worker too (two lanes or more now, and no other thread sharing: the busy lock is held
    until exit, and the worker is woken), else 0 (the caller runs them all, in order: the
    same calls, so the same numbers).

    Example:
        >>> with kernel_lanes() as lane:
        ...     pass
    """

    __slots__ = ("held",)

    @staticmethod
    def available():
        """Whether the spinning lane runs here (else entering gives None)."""
        return bool(_spin_lane())

    def __enter__(self):
        self.held = False
        lane = _spin_lane()
        if not lane:
            return None
        n_lanes = min(lanes(), blocks_per_gemm())
        if n_lanes >= 2 and _state["busy"].acquire(blocking=False):
            self.held = True
            return lane.tables(n_lanes, lambda: _wake_workers(n_lanes - 1)) + (1,)
        return lane.tables(1) + (0,)

    def __exit__(self, *exc):
        if self.held:
            self.held = False
            _state["busy"].release()
        return False


def _spin_blocks(a, b, out, rows, edges):
    """The blocks through `spin_lane` (the caller and spinning workers, no Python between
    them), `edges` the boundaries as an int64 array; False where it cannot take them (the
    caller runs `np.matmul` blocks then)."""
    lane = _spin_lane()
    if not lane:
        return False
    n_lanes = min(lanes(), len(edges) - 1)
    busy = _state["busy"]
    if n_lanes < 2 or not busy.acquire(blocking=False):  # alone: all blocks here, in order
        return lane.run(a, b, out, rows, edges, 1)
    try:
        return lane.run(a, b, out, rows, edges, n_lanes, lambda: _wake_workers(n_lanes - 1))
    finally:
        busy.release()


_PLANS = {}  # (a.shape, b.shape) -> None or (kind, boundaries, boundaries as int64)


def _wake_workers(n):
    workers = _state["workers"]
    while len(workers) < n:
        workers.append(_Worker())
    for w in workers[:n]:
        w.give(None)


# ------------------------------------------------------------------ the lanes
class _Job:
    """The blocks of one job (`(fn, *args)` calls); any thread takes the next one not
    taken yet."""

    __slots__ = ("tasks", "next", "left", "lock", "done", "error")

    def __init__(self, tasks):
        self.tasks, self.next, self.left, self.error = tasks, 0, len(tasks), None
        self.lock = threading.Lock()
        self.done = threading.Lock()
        self.done.acquire()

    def work(self):
        tasks, n = self.tasks, len(self.tasks)
        while True:
            with self.lock:
                i = self.next
                if i >= n:
                    return
                self.next = i + 1
            fn, *args = tasks[i]
            try:
                fn(*args)  # releases the GIL (np.matmul, a nogil Numba kernel)
            except BaseException as e:  # noqa: BLE001 - re-raised in the caller
                self.error = e
            with self.lock:
                self.left -= 1
                if self.left == 0:
                    self.done.release()


class _Worker:
    def __init__(self):
        self.job = None
        self.wake = threading.Lock()
        self.wake.acquire()
        self.thread = threading.Thread(target=self._loop, name="nbkeras-gemm", daemon=True)
        self.thread.start()

    def _loop(self):
        while True:
            self.wake.acquire()
            job, self.job = self.job, None
            if job is not None:
                job.work()
            else:  # woken by a GEMM of `spin_lane`: serve its blocks until idle
                _state["spin"].serve()

    def give(self, job):
        """Wake the worker for `job` (a `_Job`), or with None for `spin_lane`'s blocks."""
        self.job = job
        if job is not None and _state.get("spin"):
            _state["spin"].kick()  # a spinning worker returns to take it
        if self.wake.locked():  # else a wake-up is pending: it will read the newest job
            self.wake.release()


def run_blocks(tasks):
    """Run independent blocks `(fn, *args)` on the `lanes()`: the caller and the workers
    each take the next block not taken yet; returns when all are done.

    Each `fn` must release the GIL (`np.matmul`, a `nogil` Numba kernel) and write only
    its own block's outputs, so which thread runs it never changes a result. One lane,
    or blocks already running from another thread: all run here, in order.

    Args:
        tasks: a list of tuples `(fn, *args)`.

    Example:
        >>> out = np.empty((2, 2))
        >>> run_blocks([(np.matmul, np.eye(2)[:1], np.eye(2), out[:1]),
        ...             (np.matmul, np.eye(2)[1:], np.eye(2), out[1:])])
    """
    n_lanes = min(lanes(), len(tasks))
    busy = _state["busy"]
    if n_lanes < 2 or not busy.acquire(blocking=False):  # one lane, or blocks already
        for fn, *args in tasks:                           # running from another thread
            fn(*args)
        return
    try:
        job = _Job(tasks)
        workers = _state["workers"]
        while len(workers) < n_lanes - 1:
            workers.append(_Worker())
        for w in workers[:n_lanes - 1]:
            w.give(job)
        job.work()
        job.done.acquire()
        if job.error is not None:
            raise job.error
    finally:
        busy.release()


def _after_fork():  # a forked child has none of the parent's threads
    _state["workers"] = []
    _state["busy"] = threading.Lock()
    if _state.get("spin"):
        _state["spin"].after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
