"""GEMM blocks handed to a spinning worker: the cheap hand-off of `gemm.matmul`'s blocks.

On this project's 2-core KVM machines, waking a sleeping thread costs 40-50 us (an
empty Numba `prange` launch, or a lock hand-off to `gemm._Worker`): as much as half of a
Dense layer's GEMM at batch 32, so two lanes did not pay there. Here the caller and one
worker thread share a GEMM's blocks without Python and without a sleep: the caller writes
each block's `cblas_?gemm` arguments into a table, publishes the job in one atomic word,
and both claim blocks from it (compare-and-swap) and call NumPy's own OpenBLAS on them.
Between jobs the worker spins (a `pause` and a `sched_yield`, so a runnable thread of this
or another process gets the core at once) for `SPIN_CYCLES` time-stamp cycles after its
last block, then sleeps on a lock until the next GEMM wakes it (the slow hand-off, once).

A block is the call `np.matmul` makes for it (row-major `cblas_?gemm`, its transposes and
leading dimensions chosen by NumPy's rules, alpha 1, beta 0), so it computes the bits
`np.matmul` computes on that block, whichever thread runs it (tests/test_gemm.py).
Shapes NumPy would send elsewhere (a 1-row or 1-column block: gemv; `a @ a.T`: syrk;
operands BLAS cannot take) are refused (`run` returns False) and the caller keeps the
`np.matmul` blocks.

One compile serves every layout: `run` calls a job compiled once per float kind for
operands typed as 2-D arrays of any layout (`_one_layout`), to which Numba converts C-,
F-ordered, strided and read-only operands; its own dispatch would compile the job again
for each layout (a Dense layer's forward and backward use three: 1.5 s each on a cold
kernel cache here). The BLAS arguments depend on the strides alone, so the bits do not.

The word: `seq << 16 | n_blocks << 8 | next_block`. A claim increments it only while
`next_block < n_blocks` under the same `seq`, and a new job is published only after every
block of the last one is done, so a late worker never runs a block of a job that changed.

Example:
    >>> a, b = np.ones((64, 300), np.float32), np.ones((300, 256), np.float32)
    >>> out = np.empty((64, 256), np.float32)
    >>> run(a, b, out, False, np.array([0, 128, 256]), 2)
    True
"""

import ctypes
import threading

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from nbkeras.backend.cpu import blas
from nbkeras.backend.cpu._jit import jit
from nbkeras.backend.cpu.matmul_rules import GEMM, gemm_call

SPIN_CYCLES = 3_000_000  # ~1 ms at 3 GHz: a training step's gaps between GEMMs are shorter
MAX_TASKS = 16

# ctrl slots, each on its own cache line
WORD, LEFT, STATE, KICK, SERVED = 0, 8, 16, 24, 32


# ------------------------------------------------------------- LLVM intrinsics
def _slot(context, builder, arrty, arr, i):
    ary = context.make_array(arrty)(context, builder, arr)
    return cgutils.get_item_pointer(context, builder, arrty, ary, [i])


@intrinsic
def _load(typingctx, arr, i):
    """An atomic (sequentially consistent) read of `arr[i]`, an int64 array."""
    def codegen(context, builder, sig, args):
        return builder.load_atomic(_slot(context, builder, sig.args[0], *args), "seq_cst", 8)
    return types.int64(arr, i), codegen


@intrinsic
def _store(typingctx, arr, i, v):
    """An atomic write `arr[i] = v`."""
    def codegen(context, builder, sig, args):
        builder.store_atomic(args[2], _slot(context, builder, sig.args[0], args[0], args[1]),
                             "seq_cst", 8)
        return context.get_dummy_value()
    return types.void(arr, i, v), codegen


@intrinsic
def _cas(typingctx, arr, i, old, new):
    """Atomically `arr[i] = new` if it is `old`; whether it was."""
    def codegen(context, builder, sig, args):
        ptr = _slot(context, builder, sig.args[0], args[0], args[1])
        pair = builder.cmpxchg(ptr, args[2], args[3], "seq_cst", "seq_cst")
        return builder.extract_value(pair, 1)
    return types.boolean(arr, i, old, new), codegen


@intrinsic
def _add(typingctx, arr, i, v):
    """Atomically `arr[i] += v`."""
    def codegen(context, builder, sig, args):
        ptr = _slot(context, builder, sig.args[0], args[0], args[1])
        builder.atomic_rmw("add", ptr, args[2], "seq_cst")
        return context.get_dummy_value()
    return types.void(arr, i, v), codegen


@intrinsic
def _pause(typingctx):
    def codegen(context, builder, sig, args):
        fnty = ir.FunctionType(ir.VoidType(), [])
        builder.call(builder.module.declare_intrinsic("llvm.x86.sse2.pause", fnty=fnty), [])
        return context.get_dummy_value()
    return types.void(), codegen


@intrinsic
def _cycles(typingctx):
    """The time-stamp counter."""
    def codegen(context, builder, sig, args):
        fnty = ir.FunctionType(ir.IntType(64), [])
        return builder.call(builder.module.declare_intrinsic("llvm.readcyclecounter",
                                                             fnty=fnty), [])
    return types.int64(), codegen


@intrinsic
def _call0(typingctx, fn):
    """Call the C function `int f(void)` at address `fn` (sched_yield)."""
    def codegen(context, builder, sig, args):
        fnty = ir.FunctionType(ir.IntType(32), [])
        builder.call(builder.inttoptr(args[0], fnty.as_pointer()), [])
        return context.get_dummy_value()
    return types.void(fn), codegen


@intrinsic
def _cblas(typingctx, fn, d, witness):
    """cblas_?gemm(RowMajor, d[1], d[2], d[3], d[4], d[5], 1, d[6], d[7], d[8], d[9], 0,
    d[10], d[11]): the arguments in the int64 row `d` (pointers as addresses); the float
    type is `witness`'s."""
    def codegen(context, builder, sig, args):
        flt = context.get_value_type(sig.args[2])
        i32, i64 = ir.IntType(32), ir.IntType(64)
        pf = flt.as_pointer()
        fnty = ir.FunctionType(ir.VoidType(), [i32, i32, i32, i64, i64, i64, flt, pf, i64,
                                               pf, i64, flt, pf, i64])
        row = context.make_array(sig.args[1])(context, builder, args[1])
        f = [builder.load(cgutils.get_item_pointer(context, builder, sig.args[1], row,
                                                   [ir.Constant(i64, j)])) for j in range(12)]
        builder.call(builder.inttoptr(args[0], fnty.as_pointer()),
                     [ir.Constant(i32, 101), builder.trunc(f[1], i32), builder.trunc(f[2], i32),
                      f[3], f[4], f[5], ir.Constant(flt, 1.0), builder.inttoptr(f[6], pf), f[7],
                      builder.inttoptr(f[8], pf), f[9], ir.Constant(flt, 0.0),
                      builder.inttoptr(f[10], pf), f[11]])
        return context.get_dummy_value()
    return types.void(fn, d, witness), codegen


# ------------------------------------------------------------------- kernels
@jit
def _describe(a, b, out, rows, edges, tasks, kind):
    """The cblas arguments of each block into `tasks`; the block count, or -1 where
    `np.matmul` would not make one row-major gemm call for some block."""
    size = a.itemsize
    nb = edges.size - 1
    if nb > tasks.shape[0] or a.shape[1] != b.shape[0] or out.shape[0] != a.shape[0] \
            or out.shape[1] != b.shape[1] or edges[0] != 0 \
            or edges[nb] != (a.shape[0] if rows else b.shape[1]):
        return -1  # (NumPy's error, from the caller's fallback)
    for i in range(nb):
        lo, hi = edges[i], edges[i + 1]
        pa, pb, pc = a.ctypes.data, b.ctypes.data, out.ctypes.data
        m, k = a.shape
        p = b.shape[1]
        if rows:
            pa += lo * a.strides[0]
            pc += lo * out.strides[0]
            m = hi - lo
        else:
            pb += lo * b.strides[1]
            pc += lo * out.strides[1]
            p = hi - lo
        if m < 2 or p < 2 or k < 2:
            return -1  # gemv or an outer product in NumPy
        s1m, s1n = a.strides
        s2n, s2p = b.strides
        som, sop = out.strides
        how, ta, lda, tb, ldb, ldc = gemm_call(m, k, p, s1m, s1n, s2n, s2p, som, sop, size,
                                               pa == pb)
        if how != GEMM:
            return -1  # NumPy copies an operand first, or calls syrk
        d = tasks[i]
        d[0], d[1], d[2], d[3], d[4], d[5] = kind, ta, tb, m, p, k
        d[6], d[7], d[8], d[9], d[10], d[11] = pa, lda, pb, ldb, pc, ldc
    return nb


@intrinsic
def _call_row(typingctx, fn, d):
    """Call the C function `void f(int64 *row)` at address `fn` on the int64 row `d`."""
    def codegen(context, builder, sig, args):
        i64p = ir.IntType(64).as_pointer()
        fnty = ir.FunctionType(ir.VoidType(), [i64p])
        row = context.make_array(sig.args[1])(context, builder, args[1])
        builder.call(builder.inttoptr(args[0], fnty.as_pointer()),
                     [builder.bitcast(row.data, i64p)])
        return context.get_dummy_value()
    return types.void(fn, d), codegen


@jit
def _block(tasks, i, fns):
    """Run block `i`: `d[0]` 0 / 1 a float32 / float64 gemm (`_describe`'s row), 2 the C
    function at `d[1]` called on the row (a slice of an elementwise kernel, such as the
    fused step's optimizer update: `step_program.lane_update_address`)."""
    d = tasks[i]
    if d[0] == 0:
        _cblas(fns[0], d, np.float32(1.0))
    elif d[0] == 1:
        _cblas(fns[1], d, np.float64(1.0))
    else:
        _call_row(d[1], d)


@jit
def _claim_all(ctrl, tasks, fns):
    """Claim and run blocks of the published job until none is left; how many ran here."""
    done = 0
    while True:
        w = _load(ctrl, WORD)
        i = w & 255
        if i >= (w >> 8) & 255:
            return done
        if _cas(ctrl, WORD, w, w + 1):
            _block(tasks, i, fns)
            _add(ctrl, LEFT, -1)
            done += 1


def _job(ctrl, tasks, fns, a, b, out, rows, edges, kind, share):
    """Describe the blocks, publish them when `share`, run what the worker does not take,
    wait for the rest; the block count, or -1 (nothing computed)."""
    nb = _describe(a, b, out, rows, edges, tasks, kind)
    if nb < 1:
        return nb
    run_tasks(ctrl, tasks, fns, nb, share)
    return nb


@jit
def run_tasks(ctrl, tasks, fns, nb, share):
    """Run the blocks `tasks[:nb]` (described as `_describe` writes them): published to the
    spinning worker when `share` (then `tasks` is the lane's shared table, and the caller
    holds `gemm`'s busy lock), the caller taking what the worker does not; else all here,
    in order. Also called from inside other kernels (the fused training step's GEMMs)."""
    if not share:
        for i in range(nb):
            _block(tasks, i, fns)
        return
    seq = (_load(ctrl, WORD) >> 16) + 1
    _store(ctrl, LEFT, nb)
    _store(ctrl, WORD, (seq << 16) | (nb << 8))
    _claim_all(ctrl, tasks, fns)
    spins = 0
    while _load(ctrl, LEFT) != 0:  # a worker's block: wait, yielding the core now and
        _pause()                   # then (that worker may be queued on this very core)
        spins += 1
        if spins % 64 == 0:
            _call0(fns[2])  # sched_yield


@jit
def _serve(ctrl, tasks, fns, spin_cycles):
    """A worker: run published blocks; return after `spin_cycles` without any, or when
    kicked (`ctrl[KICK]` changed: a Python job waits, see `gemm.run_blocks`).
    `ctrl[STATE]` counts the workers spinning here."""
    kick = _load(ctrl, KICK)
    _add(ctrl, STATE, 1)
    last = _cycles()
    while True:
        if _load(ctrl, KICK) != kick:
            _add(ctrl, STATE, -1)
            return
        done = _claim_all(ctrl, tasks, fns)
        if done:
            _add(ctrl, SERVED, done)
            last = _cycles()
            continue
        if _cycles() - last > spin_cycles:
            _add(ctrl, STATE, -1)
            w = _load(ctrl, WORD)
            if (w & 255) < (w >> 8) & 255:  # published meanwhile: serve it
                _add(ctrl, STATE, 1)
                continue
            return
        for _ in range(8):
            _pause()
        _call0(fns[2])  # sched_yield


# Numba's own dispatch: one specialization per layout of the operands (the fallback).
_run_job = jit(_job)
# One specialization per float kind, its operands typed as 2-D arrays of any layout
# (`_one_layout`): Numba converts C- and F-ordered operands to it instead of compiling
# `_job` again for each of them (the C/C, F/C and C/F products of a Dense layer's
# forward and backward cost 1.5 s of compile each on a cold kernel cache here).
_run_job_f32, _run_job_f64 = jit(_job), jit(_job)


def _one_layout(kind):
    """The job for float kind `kind` (0: float32, 1: float64): `_run_job_f32` / `_f64` with
    its one signature compiled (or loaded from the kernel cache) and further compiles
    disabled; Numba's per-layout `_run_job` where that cannot be set up (another Numba)."""
    flt = (types.float32, types.float64)[kind]
    src, mat = types.Array(flt, 2, "A", readonly=True), types.Array(flt, 2, "A")
    vec = types.Array(types.int64, 1, "C")
    sig = (vec, types.Array(types.int64, 2, "C"), vec, src, src, mat, types.boolean, vec,
           types.int64, types.boolean)
    dispatcher = (_run_job_f32, _run_job_f64)[kind]
    try:
        if not dispatcher.signatures:
            dispatcher.compile(sig)
        dispatcher.disable_compile()
        return dispatcher
    except Exception:  # noqa: BLE001 -- Numba's normal dispatch
        return _run_job


# ------------------------------------------------------------------- the lane
_KINDS = {np.dtype(np.float32): 0, np.dtype(np.float64): 1}
_JOBS = [None, None]  # kind -> its job (`_one_layout`), set up on its first GEMM
_state = {"ctrl": None}
_local = threading.local()


def _setup():
    libc = ctypes.CDLL(None)
    fns = np.array([blas.gemm_address(np.float32), blas.gemm_address(np.float64),
                    ctypes.cast(libc.sched_yield, ctypes.c_void_p).value or 0], np.int64)
    ok = bool(fns[0] and fns[1] and fns[2])
    _state.update(ctrl=np.zeros(40, np.int64), tasks=np.zeros((MAX_TASKS, 12), np.int64),
                  fns=fns, ok=ok)
    return ok


def available():
    """Whether the spinning lane can run here (NumPy's OpenBLAS ILP64 cblas is found).

    Example:
        >>> isinstance(available(), bool)
        True
    """
    if _state["ctrl"] is None:
        _setup()
    return _state["ok"]


def run(a, b, out, rows, edges, n_lanes, wake=None):
    """`out = a @ b` in the blocks `edges` (row blocks when `rows`, else column blocks),
    shared with the spinning worker when `n_lanes > 1`; False (nothing computed) when some
    block is not one plain gemm call for NumPy.

    Args:
        a, b, out: 2-D arrays of one float dtype (float32 or float64).
        rows: True for row blocks `a[lo:hi] @ b`, False for column blocks `a @ b[:, lo:hi]`.
        edges: int64 array of block boundaries.
        n_lanes: threads to share the blocks with (the caller included).
        wake: called when fewer than `n_lanes - 1` workers spin (`gemm` wakes them).

    Example:
        >>> run(a, b, out, True, np.array([0, 48, 96]), 1)
        True
    """
    if not available():
        return False
    kind = _KINDS.get(a.dtype)
    if kind is None or b.dtype != a.dtype or out.dtype != a.dtype:
        return False
    ctrl, tasks, fns = tables(n_lanes, wake)
    share = n_lanes > 1
    job = _JOBS[kind]
    if job is None:
        job = _JOBS[kind] = _one_layout(kind)
    try:
        return job(ctrl, tasks, fns, a, b, out, rows, edges, kind, share) > 0
    except TypeError:  # arguments the one signature does not take (edges of another type,
        if job is _run_job:  # 3-D operands, ...): Numba's own dispatch, or its error
            raise
        return _run_job(ctrl, tasks, fns, a, b, out, rows, edges, kind, share) > 0


def tables(n_lanes, wake=None):
    """(ctrl, tasks, fns): the arrays `run_tasks` takes, for blocks shared over `n_lanes`
    threads (the caller included; then `tasks` is the worker's table, and the caller holds
    `gemm`'s busy lock: one sharing caller at a time) or run by the caller alone (its own
    table: another thread may be sharing the worker's). `wake` is called when fewer than
    `n_lanes - 1` workers spin. Only after `available()` is True.

    Example:
        >>> ctrl, tasks, fns = tables(1)
    """
    ctrl = _state["ctrl"]
    if n_lanes > 1:
        if ctrl[STATE] < n_lanes - 1 and wake is not None:
            wake()
        return ctrl, _state["tasks"], _state["fns"]
    tasks = getattr(_local, "tasks", None)
    if tasks is None:
        tasks = _local.tasks = np.zeros((MAX_TASKS, 12), np.int64)
    return ctrl, tasks, _state["fns"]


def serve():
    """The worker thread's spin: serve jobs until idle (or kicked), then return."""
    _serve(_state["ctrl"], _state["tasks"], _state["fns"], SPIN_CYCLES)


def spinning():
    """How many workers spin now (0 before the first use).

    Example:
        >>> spinning() >= 0
        True
    """
    ctrl = _state["ctrl"]
    return 0 if ctrl is None else int(ctrl[STATE])


def served():
    """How many blocks the workers ran so far (the caller's own are not counted).

    Example:
        >>> served() >= 0
        True
    """
    ctrl = _state["ctrl"]
    return 0 if ctrl is None else int(ctrl[SERVED])


def kick():
    """Make the spinning workers return to Python (a Python job waits for them); called
    by one thread at a time (under `gemm`'s busy lock)."""
    ctrl = _state["ctrl"]
    if ctrl is not None and ctrl[STATE] > 0:
        ctrl[KICK] += 1


def stop(timeout=0.2):
    """Send the spinning workers back to Python and wait (at most `timeout` seconds) until
    none spins: at exit, before the interpreter frees the control block they read.

    Example:
        >>> stop()
    """
    import time

    ctrl = _state["ctrl"]
    if ctrl is None:
        return
    ctrl[KICK] += 1
    end = time.monotonic() + timeout
    while ctrl[STATE] > 0 and time.monotonic() < end:
        time.sleep(0.001)


def after_fork():
    """A forked child has no worker: a fresh control block."""
    if _state["ctrl"] is not None:
        _setup()

