"""The fused training step: one Numba call runs a replayed step's whole program.

`run_program` is a small interpreter: `ip` holds fixed-width integer instructions (an
opcode, then operands), made once per replayed plan by `nbkeras.trainers.step_fused`;
each operand is a buffer (`A` the plan's arena, `P` the optimizer's flat parameters,
`G` its flat gradients) and an element offset. Every instruction calls the very kernel
(or the BLAS routine, with the flags NumPy's matmul passes) that the op's Python code
calls on the tape, on views of the same shapes, so a fused step is bit-identical to a
replayed one. One generic kernel: compiled (and cached) once per dtype, never per model.

Example:
    >>> run_program(ip, fp, fs, arena, params, grads, s0, s1, s2, scratch, labels,
    ...             x, y, dummy, blas_fns, ctrl, tasks, lane_fns, share)

A GEMM that `gemm.matmul` splits into blocks is `TASK` instructions (each block's cblas
call, as `spin_lane` describes it) then one `SHARE`: the blocks go to the spinning GEMM
worker (`spin_lane.run_tasks`) when `share`, else run here in order; either way the same
calls as the replay's blocks, so the same numbers.
"""

from nbkeras.backend.cpu import activations as _act
from nbkeras.backend.cpu import losses as _loss
from nbkeras.backend.cpu import optimizers as _opt
from nbkeras.backend.cpu import random as _random
from nbkeras.backend.cpu import softmax as _softmax
from nbkeras.backend.cpu import spin_lane as _lane
from nbkeras.backend.cpu._jit import jit
from nbkeras.backend.cpu.blas import cblas_gemm, cblas_gemv

WIDTH = 16  # int64 words per instruction
(COPY_IN, GEMM, GEMV, OUTER, BIAS_ACT, ACT_FWD, ACT_BWD, COL_SUM, DROPOUT, MUL, ADD,
 LOSS_FWD, LOSS_BWD, MEAN, FILL_DIV, FILL, SCALAR, UPDATE, ROWWISE_FWD,
 ROWWISE_BWD, TASK, SHARE) = range(1, 23)
BCE, MSE, SPARSE_CCE, CCE = range(4)  # LOSS_FWD / LOSS_BWD kinds
SGD, SGD_MOMENTUM, RMSPROP, ADAM = range(4)  # UPDATE kinds


@jit(inline="always")
def _buf(bid, A, P, G):
    if bid == 0:
        return A
    if bid == 1:
        return P
    return G


@jit(inline="always")
def _vec(bid, off, n, A, P, G):
    return _buf(bid, A, P, G)[off:off + n]


@jit(inline="always")
def _mat(bid, off, rows, cols, A, P, G):
    return _buf(bid, A, P, G)[off:off + rows * cols].reshape((rows, cols))


@jit(fastmath=False)
def pairwise_sum(a, lo, n, zero):
    """NumPy's pairwise summation of a[lo:lo + n] (`np.add.reduce` of a contiguous 1-D
    array is `zero + pairwise_sum`): 8 accumulators in blocks of up to 128 elements."""
    if n < 8:
        res = zero
        for i in range(n):
            res += a[lo + i]
        return res
    if n <= 128:
        r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
        r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
        i = 8
        end = n - n % 8
        while i < end:
            j = lo + i
            r0 += a[j]
            r1 += a[j + 1]
            r2 += a[j + 2]
            r3 += a[j + 3]
            r4 += a[j + 4]
            r5 += a[j + 5]
            r6 += a[j + 6]
            r7 += a[j + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[lo + i]
            i += 1
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return pairwise_sum(a, lo, n2, zero) + pairwise_sum(a, lo + n2, n - n2, zero)


@jit(fastmath=False)
def _outer(a, ao, asm, b, bo, bsp, c, co, csm, csp, m, p, zero):
    """NumPy's matmul loop without BLAS for an inner dimension of 1: c = 0 + a * b."""
    for i in range(m):
        for j in range(p):
            c[co + i * csm + j * csp] = zero + a[ao + i * asm] * b[bo + j * bsp]


@jit(fastmath=False)
def _loss_forward(kind, t, p, labels, out, lo, hi, logits):
    if kind == 0:
        _loss.bce_forward(t, p, out, lo, hi, logits)
    elif kind == 1:
        _loss.mse_forward(t, p, out)
    elif kind == 2:
        _loss.sparse_cce_forward(labels, p, out, lo, hi, logits)
    else:
        _loss.cce_forward(t, p, out, lo, hi, logits)


@jit(fastmath=False)
def _loss_backward(kind, g, t, p, labels, out, lo, hi, logits):
    if kind == 0:
        _loss.bce_backward(g, t, p, out, lo, hi, logits)
    elif kind == 1:
        _loss.mse_backward(g, t, p, out)
    elif kind == 2:
        _loss.sparse_cce_backward(g, labels, p, out, lo, hi, logits)
    else:
        _loss.cce_backward(g, t, p, out, lo, hi, logits)


@jit(fastmath=False)
def _rowwise(op, kind, x, g, y, out):
    """softmax (kind 0) or log_softmax (1) over rows: forward x -> out, or backward
    (g, y) -> out."""
    if op == ROWWISE_FWD:
        if kind == 0:
            _softmax.softmax_forward(x, out)
        else:
            _softmax.log_softmax_forward(x, out)
    elif kind == 0:
        _softmax.softmax_backward(g, y, out)
    else:
        _softmax.log_softmax_backward(g, y, out)


@jit(fastmath=False)
def _update(kind, flag, P, G, S0, S1, S2, A, k):
    """The optimizer's flat update; its scalars are A[k:k + 5], already in the dtype."""
    if kind == 0:
        _opt.sgd_update(P, G, A[k])
    elif kind == 1:
        _opt.sgd_momentum_update(P, G, S0, A[k], A[k + 1], flag != 0)
    elif kind == 2:
        _opt.rmsprop_update(P, G, S0, S1, S2, A[k], A[k + 1], A[k + 2], A[k + 3], A[k + 4],
                            flag != 0)
    else:
        _opt.adam_update(P, G, S0, S1, S2, A[k], A[k + 1], A[k + 2], A[k + 3], flag != 0)


@jit(fastmath=False)
def run_program(ip, fp, fs, A, P, G, S0, S1, S2, D, I, F0, F1, F2, fns, C, T, LF, share):
    """Run the program `ip` (constants `fp`, this step's scalars `fs`) over the buffers;
    split GEMMs through the lane `C`, `T`, `LF` (`gemm.kernel_lanes`)."""
    for pc in range(0, ip.size, WIDTH):
        op = ip[pc]
        q = ip[pc + 1:pc + WIDTH]
        if op == COPY_IN:  # q: input, dst offset, n
            k, dst, n = q[0], q[1], q[2]
            src = F0 if k == 0 else (F1 if k == 1 else F2)
            for i in range(n):
                A[dst + i] = src[i]
        elif op == GEMM:  # q: ta, tb, m, n, k, a bid/off/ld, b bid/off/ld, c bid/off/ld
            cblas_gemm(fns[0], 101, q[0], q[1], q[2], q[3], q[4],
                       _buf(q[5], A, P, G), q[6], q[7], _buf(q[8], A, P, G), q[9], q[10],
                       _buf(q[11], A, P, G), q[12], q[13])
        elif op == GEMV:  # q: order, m, n, a bid/off/ld, x bid/off/inc, y bid/off/inc
            cblas_gemv(fns[1], q[0], 112, q[1], q[2], _buf(q[3], A, P, G), q[4], q[5],
                       _buf(q[6], A, P, G), q[7], q[8], _buf(q[9], A, P, G), q[10], q[11])
        elif op == OUTER:  # q: m, p, a bid/off/stride, b bid/off/stride, c bid/off/sm/sp, 0
            _outer(_buf(q[2], A, P, G), q[3], q[4], _buf(q[5], A, P, G), q[6], q[7],
                   _buf(q[8], A, P, G), q[9], q[10], q[11], q[0], q[1], A[q[12]])
        elif op == BIAS_ACT:  # q: rows, cols, z bid/off, b bid/off/n, y bid/off, code, alpha
            rows, cols, code = q[0], q[1], q[9]
            z = _mat(q[2], q[3], rows, cols, A, P, G)
            b = _vec(q[4], q[5], q[6], A, P, G)
            y = _mat(q[7], q[8], rows, cols, A, P, G)
            if code <= 1:
                _act._bias_relu_forward_range(z, b, y, code, 0, rows)
            else:
                _act._bias_act_forward_range(z, b, y, code, fp[q[10]], 0, rows)
        elif op == ACT_FWD:  # q: n, x bid/off, out bid/off, code, alpha
            n, code = q[0], q[5]
            x = _vec(q[1], q[2], n, A, P, G)
            out = _vec(q[3], q[4], n, A, P, G)
            if code <= 1:
                _act._relu_forward_range(x, out, code, 0, n)
            else:
                _act._act_forward_range(x, out, code, fp[q[6]], 0, n)
        elif op == ACT_BWD:  # q: n, g bid/off, z bid/off, y bid/off, out bid/off, code, alpha
            n, code = q[0], q[9]
            g = _vec(q[1], q[2], n, A, P, G)
            z = _vec(q[3], q[4], n, A, P, G)
            y = _vec(q[5], q[6], n, A, P, G)
            out = _vec(q[7], q[8], n, A, P, G)
            if code <= 1:
                _act._relu_backward_range(g, y, out, code, 0, n)
            else:
                _act._act_backward_range(g, z, y, out, code, fp[q[10]], 0, n)
        elif op == COL_SUM:  # q: rows, cols, x bid/off, out bid/off
            rows, cols = q[0], q[1]
            _act._col_sum(_mat(q[2], q[3], rows, cols, A, P, G),
                          _vec(q[4], q[5], cols, A, P, G), D[:cols])
        elif op == DROPOUT:  # q: n, x bid/off, mask bid/off, out bid/off, rate
            n = q[0]
            _random.dropout_forward(_vec(q[1], q[2], n, A, P, G), _vec(q[3], q[4], n, A, P, G),
                                    _vec(q[5], q[6], n, A, P, G), fp[q[7]], -1)
        elif op == MUL or op == ADD:  # q: n, a bid/off, b bid/off, out bid/off
            n = q[0]
            a = _vec(q[1], q[2], n, A, P, G)
            b = _vec(q[3], q[4], n, A, P, G)
            out = _vec(q[5], q[6], n, A, P, G)
            if op == MUL:
                for i in range(n):
                    out[i] = a[i] * b[i]
            else:
                for i in range(n):
                    out[i] = a[i] + b[i]
        elif op == LOSS_FWD or op == LOSS_BWD:
            # q: kind, rows, cols, g bid/off, t bid/off, p bid/off, out bid/off, lo, hi, logits
            kind, rows, cols = q[0], q[1], q[2]
            g = _vec(q[3], q[4], rows, A, P, G)
            t = _mat(q[5], q[6], rows, cols if kind != 2 else 1, A, P, G)
            p = _mat(q[7], q[8], rows, cols, A, P, G)
            labels = I[q[6]:q[6] + rows]
            lo, hi, logits = fp[q[11]], fp[q[12]], q[13] != 0
            if op == LOSS_FWD:
                _loss_forward(kind, t, p, labels, _vec(q[9], q[10], rows, A, P, G), lo, hi,
                              logits)
            else:
                _loss_backward(kind, g, t, p, labels, _mat(q[9], q[10], rows, cols, A, P, G),
                               lo, hi, logits)
        elif op == MEAN:  # q: n, x bid/off, out off, zero off
            n = q[0]
            total = A[q[4]] + pairwise_sum(_buf(q[1], A, P, G), q[2], n, A[q[4]])
            A[q[3]] = float(total) / n  # NumPy's mean: a float64 division, cast back
        elif op == FILL_DIV:  # q: n, g off, count, out bid/off: out = g / count
            A[q[5]] = q[2]  # the count in the dtype (NumPy divides by it in the dtype)
            value = A[q[1]] / A[q[5]]
            out = _vec(q[3], q[4], q[0], A, P, G)
            for i in range(q[0]):
                out[i] = value
        elif op == FILL:  # q: n, out bid/off, constant
            out = _vec(q[1], q[2], q[0], A, P, G)
            for i in range(q[0]):
                out[i] = fp[q[3]]
        elif op == SCALAR:  # q: n, fs index, arena offset: this step's scalars, cast
            for i in range(q[0]):
                A[q[2] + i] = fs[q[1] + i]
        elif op == ROWWISE_FWD or op == ROWWISE_BWD:
            # q: kind, rows, cols, x bid/off, g bid/off, y bid/off, out bid/off
            rows, cols = q[1], q[2]
            _rowwise(op, q[0], _mat(q[3], q[4], rows, cols, A, P, G),
                     _mat(q[5], q[6], rows, cols, A, P, G), _mat(q[7], q[8], rows, cols, A, P, G),
                     _mat(q[9], q[10], rows, cols, A, P, G))
        elif op == UPDATE:  # q: kind, flag, scalars' offset
            _update(q[0], q[1], P, G, S0, S1, S2, A, q[2])
        elif op == TASK:  # q: GEMM's operands, then the block's row in T
            d = T[q[14]]
            size = A.itemsize
            d[0], d[1], d[2], d[3], d[4], d[5] = 0 if size == 4 else 1, q[0], q[1], q[2], q[3], q[4]
            d[6] = _buf(q[5], A, P, G).ctypes.data + q[6] * size
            d[7] = q[7]
            d[8] = _buf(q[8], A, P, G).ctypes.data + q[9] * size
            d[9] = q[10]
            d[10] = _buf(q[11], A, P, G).ctypes.data + q[12] * size
            d[11] = q[13]
        elif op == SHARE:  # q: the number of blocks (T's first rows)
            _lane.run_tasks(C, T, LF, q[0], share != 0)


def warm(dtype):
    """Compile `run_program` for float `dtype` (or load it from the kernel cache): an empty
    program over 1-element buffers of the types a fused step passes.

    Example:
        >>> warm(np.float32)
    """
    run_program(*_warm_args(dtype))


def _warm_args(dtype):
    import numpy as np

    i, d, t = np.zeros(2, np.int64), np.zeros(1, np.float64), np.zeros(1, dtype)
    return (i[:0], d, d, t, t, t, t, t, t, d, i, t, t, t, i, i, np.zeros((1, 12), np.int64), i, 0)


def cached(dtype):
    """Whether `run_program` for float `dtype` is loaded, or in the kernel cache from these
    sources (then `warm` loads it in tens of milliseconds instead of compiling it for
    10-30 s). Reads the cache's index only, and checks that its data file is there (Numba
    writes the index first: a compile killed between the two leaves an entry without
    data, which Numba's load treats as a miss); False when that cannot be told.

    Example:
        >>> cached(np.float32) in (True, False)
        True
    """
    import os

    try:
        sig = tuple(run_program.typeof_pyval(a) for a in _warm_args(dtype))
        if sig in run_program.overloads:
            return True
        cache = run_program._cache
        key = cache._index_key(sig, run_program.targetctx.codegen())
        name = cache._cache_file._load_index().get(key)
        return name is not None and os.path.exists(cache._cache_file._data_path(name))
    except Exception:  # noqa: BLE001 -- no cache, or another Numba: not known to be cached
        return False


LOCK_NAME = "step_program.compile.lock"


def lock_path():
    """The lock file beside the cached interpreter (None when Numba caches nowhere): the
    process holding it compiles, so two processes never compile it at once."""
    import os

    try:
        return os.path.join(run_program._cache._cache_path, LOCK_NAME)
    except Exception:  # noqa: BLE001 -- no cache locator
        return None


def compile_locked(dtype):
    """Compile `run_program` for float `dtype` into the kernel cache (or load it when it is
    there), holding `lock_path()`: a second process waits for the first, then loads what
    it wrote. What `step_fused` runs in its low-priority child process.

    Example:
        >>> compile_locked("float32")
    """
    import os

    import numpy as np

    path = lock_path()
    if path is None:
        return warm(np.dtype(dtype))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a") as f:
        try:
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_EX)  # released when this process ends
        except ImportError:  # no flock (Windows): Numba's writes are atomic per file
            pass
        warm(np.dtype(dtype))
