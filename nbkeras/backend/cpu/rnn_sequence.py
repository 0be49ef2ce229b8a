"""A recurrent layer's whole time loop in one Numba call per block of batch rows.

`nbkeras.ops.rnn` otherwise runs each time step from Python: a recurrent GEMM
(`np.matmul`) and a fused cell kernel per step, forward and backward, 200 returns to
Python per LSTM training step of 50 time steps. Here the loop runs in nopython code: each
step calls NumPy's own BLAS (`blas.gemm`, the very call `np.matmul` makes) and the same
cell kernels of `rnn.py` on the same arrays, so the results are bit-identical to the
per-step path (except where that path's `gemm.matmul` cut a large recurrent product
into column blocks, whose sums round differently: from 4M multiply-adds per step at
batches under 96, e.g. LSTM(128) at batch 64). Rows of a batch never mix in a
recurrence, so the batch is cut into blocks of rows that run the whole sequence each,
on the GEMM lanes (`gemm.run_blocks`): the two cores share the recurrent work with no
synchronization per step. Block boundaries fall on multiples of `ROW_ALIGN` rows and
depend on the shape alone, so the numbers never follow the load. There a row block of
a GEMM equals the same rows of the whole product (OpenBLAS's Haswell kernel; checked
once per shape, `_blocks_reproduce`), and then one lane (a busy machine) runs the batch
as one block, which gives the same bits with one GEMM call per step instead of one per
block.

The kernels cover SimpleRNN, LSTM and GRU with reset_after=True (the op runs recurrent
dropout and reset_after=False step by step); they return False (and write nothing) for
a dtype other than float32 / float64, or when NumPy's BLAS is not an ILP64 OpenBLAS
(see `blas`), and for one row or one unit (there `np.matmul` calls gemv, not gemm); the
op then runs its steps one by one. `NBKERAS_RNN_SEQUENCE=0` turns them off.

Example:
    >>> rnn_sequence_forward("lstm", xp, bi, u, b, h, c, m, 3, 2, gates, r)
    True
"""

import os

import numpy as np

from nbkeras.backend.cpu import blas, gemm as _gemm
from nbkeras.backend.cpu._jit import jit
from nbkeras.backend.cpu.rnn import (
    gru_step_backward,
    gru_step_forward,
    lstm_step_backward,
    lstm_step_forward,
    simple_step_backward,
    simple_step_forward,
)

__all__ = ["rnn_sequence_forward", "rnn_sequence_backward"]

ROW_ALIGN = 12  # row blocks start at multiples of this (see the module docstring)
_GATES = {"simple": 1, "lstm": 4, "gru": 3}
_state = {"enabled": os.environ.get("NBKERAS_RNN_SEQUENCE", "1").strip() != "0"}


def _row_blocks(n):
    """(lo, hi) row blocks: `gemm.blocks_per_gemm()` of them at most, `ROW_ALIGN` rows
    at least, inner edges at multiples of `ROW_ALIGN`."""
    parts = min(_gemm.blocks_per_gemm(), n // ROW_ALIGN)
    edges = _gemm._edges(n, max(1, parts), ROW_ALIGN)
    return list(zip(edges, edges[1:]))


def _blocks_reproduce(dtype, n, units, G):
    """Whether this BLAS computes the recurrent products of `_row_blocks(n)`'s blocks
    bit for bit as one whole call (measured once per shape: it depends on the kernel's
    tiling, not on the values). When it does, one lane runs one block: one GEMM call
    per step instead of one per block (each call packs the recurrent kernel again)."""
    key = (np.dtype(dtype), n, units, G)
    if key not in _exact:
        rng = np.random.default_rng(0)
        same = True
        for k, m in ((units, G * units), (G * units, units)):  # forward, backward products
            a = rng.standard_normal((n, k)).astype(dtype)
            b = rng.standard_normal((k, m)).astype(dtype)
            whole = _gemm.in_blas_scope(np.matmul, a, b)
            same &= all(np.array_equal(_gemm.in_blas_scope(np.matmul, a[lo:hi], b), whole[lo:hi])
                        for lo, hi in _row_blocks(n))
        _exact[key] = bool(same)
    return _exact[key]


_exact = {}


def _run(kind, kernels, n, units, dtype, args):
    """kernels[kind](fn, *args, lo, hi) for each row block, on the lanes; False (nothing
    run) when the op must run the steps itself."""
    # One row or one unit: np.matmul's product is a gemv there, whose bits differ.
    usable = _state["enabled"] and kind in _GATES and n > 1 and units > 1
    fn = blas.gemm_address(dtype) if usable else 0
    if not fn:
        return False
    blocks = _row_blocks(n)
    if len(blocks) > 1 and _gemm.lanes() == 1 and _blocks_reproduce(dtype, n, units,
                                                                   _GATES[kind]):
        blocks = [(0, n)]
    kernel = kernels[kind]
    _gemm.in_blas_scope(_gemm.run_blocks, [(kernel, fn, *args, lo, hi) for lo, hi in blocks])
    return True


def _gated(kind, a, units):
    """(T, n, G*units) as the cell kernels' (T, n, G, units); simple cells have no gates."""
    return a if kind == "simple" else a.reshape(a.shape[0], a.shape[1], -1, units)


def rnn_sequence_forward(kind, xp, bi, u, b, h, c, m, act, ract, gates, r):
    """Every forward step of a recurrent layer; False (nothing written) when the op must
    run them itself. See `nbkeras.backend.interface.KERNELS`."""
    n, units = xp.shape[1], h.shape[2]
    g = _gated(kind, gates, units)
    args = {"simple": (xp, bi, u, h, m, act, r),
            "lstm": (xp, bi, u, h, c, m, act, ract, g, r),
            "gru": (xp, bi, u, b, h, m, act, ract, g, r)}.get(kind)
    return _run(kind, _FORWARD, n, units, xp.dtype, args)


def rnn_sequence_backward(kind, dh, dc, dout, ut, gates, r, h, c, m, act, ract, dxp, dr):
    """Every backward step of a recurrent layer; False (nothing written) when the op must
    run them itself. See `nbkeras.backend.interface.KERNELS`."""
    n, units = dxp.shape[1], dh.shape[1]
    g = _gated(kind, gates, units)
    args = {"simple": (dh, dout, ut, h, m, act, dxp),
            "lstm": (dh, dc, dout, ut, g, c, m, act, ract, dxp),
            "gru": (dh, dout, ut, g, r, h, m, act, ract, dxp, dr)}.get(kind)
    return _run(kind, _BACKWARD, n, units, dxp.dtype, args)


@jit(inline="always")
def _add_bias(a, b):
    """a[i, :] += b on every row (nothing when b is empty)."""
    if b.shape[0]:
        for i in range(a.shape[0]):
            for j in range(b.shape[0]):
                a[i, j] += b[j]


@jit
def _simple_forward(fn, xp, bi, u, h, m, act, r, lo, hi):
    rs = r[lo:hi]
    for s in range(xp.shape[0]):
        xs = xp[s, lo:hi]
        _add_bias(xs, bi)
        blas.gemm(fn, h[s, lo:hi], u, rs)
        simple_step_forward(xs, rs, h[s, lo:hi], m[s, lo:hi], act, h[s + 1, lo:hi])


@jit
def _lstm_forward(fn, xp, bi, u, h, c, m, act, ract, gates, r, lo, hi):
    rows, units = hi - lo, h.shape[2]
    rs = r[lo:hi]
    r3 = rs.reshape((rows, 4, units))
    for s in range(xp.shape[0]):
        xs = xp[s, lo:hi]
        _add_bias(xs, bi)
        blas.gemm(fn, h[s, lo:hi], u, rs)
        lstm_step_forward(xs.reshape((rows, 4, units)), r3, h[s, lo:hi], c[s, lo:hi],
                          m[s, lo:hi], act, ract, gates[s, lo:hi], h[s + 1, lo:hi],
                          c[s + 1, lo:hi])


@jit
def _gru_forward(fn, xp, bi, u, b, h, m, act, ract, gates, r, lo, hi):
    rows, units = hi - lo, h.shape[2]
    for s in range(xp.shape[0]):
        xs = xp[s, lo:hi]
        _add_bias(xs, bi)
        rs = r[s, lo:hi]
        blas.gemm(fn, h[s, lo:hi], u, rs)
        _add_bias(rs, b)
        gru_step_forward(xs.reshape((rows, 3, units)), rs.reshape((rows, 3, units)),
                         h[s, lo:hi], m[s, lo:hi], act, ract, gates[s, lo:hi], h[s + 1, lo:hi])


@jit(inline="always")
def _step_grad(dh, dout, s, T, lo, g):
    """The state gradient entering step s: dh plus the output's gradient at s (dout holds
    every step's, or the last step's only), written to g; dh itself when there is none."""
    k = s if dout.shape[0] == T else (0 if s == T - 1 else -1)
    if k < 0:
        return dh
    for i in range(dh.shape[0]):
        for j in range(dh.shape[1]):
            g[i, j] = dh[i, j] + dout[k, lo + i, j]
    return g


@jit(inline="always")
def _add_masked(dh, direct, m, s, lo):
    """dh += direct on the rows masked at step s (the cell's direct part is 0 elsewhere)."""
    for i in range(dh.shape[0]):
        if m[s, lo + i] == 0:
            for j in range(dh.shape[1]):
                dh[i, j] += direct[i, j]


@jit(inline="always")
def _block_state(dh, lo, hi):
    """The block's rows of dh (updated in place) and two scratch arrays of that shape."""
    shape = (hi - lo, dh.shape[1])
    return dh[lo:hi], np.empty(shape, dh.dtype), np.empty(shape, dh.dtype)


@jit
def _simple_backward(fn, dh, dout, ut, h, m, act, dxp, lo, hi):
    T, rows, units = dxp.shape[0], hi - lo, dh.shape[1]
    dhr, buf, dhp = _block_state(dh, lo, hi)
    for s in range(T - 1, -1, -1):
        g = _step_grad(dhr, dout, s, T, lo, buf)
        simple_step_backward(g, h[s + 1, lo:hi], m[s, lo:hi], act, dxp[s, lo:hi], dhp)
        blas.gemm(fn, dxp[s, lo:hi], ut, dhr)
        _add_masked(dhr, dhp, m, s, lo)


@jit
def _lstm_backward(fn, dh, dc, dout, ut, gates, c, m, act, ract, dxp, lo, hi):
    T, rows, units = dxp.shape[0], hi - lo, dh.shape[1]
    dhr, buf, dhp = _block_state(dh, lo, hi)
    dc_in, dc_out = dc[lo:hi], np.empty((rows, units), dh.dtype)
    work = np.empty((3, units), dh.dtype)
    for s in range(T - 1, -1, -1):
        g = _step_grad(dhr, dout, s, T, lo, buf)
        ds = dxp[s, lo:hi]
        lstm_step_backward(g, dc_in, gates[s, lo:hi], c[s + 1, lo:hi], c[s, lo:hi],
                           m[s, lo:hi], act, ract, ds.reshape((rows, 4, units)), dhp, dc_out,
                           work)
        dc_in, dc_out = dc_out, dc_in
        blas.gemm(fn, ds, ut, dhr)
        _add_masked(dhr, dhp, m, s, lo)
    if T % 2:  # the last dc_prev was written to the scratch buffer
        dc[lo:hi] = dc_in


@jit
def _gru_backward(fn, dh, dout, ut, gates, r, h, m, act, ract, dxp, dr, lo, hi):
    T, rows, units = dxp.shape[0], hi - lo, dh.shape[1]
    dhr, buf, dhp = _block_state(dh, lo, hi)
    for s in range(T - 1, -1, -1):
        g = _step_grad(dhr, dout, s, T, lo, buf)
        drs = dr[s, lo:hi]
        gru_step_backward(g, gates[s, lo:hi], r[s, lo:hi].reshape((rows, 3, units)),
                          h[s, lo:hi], m[s, lo:hi], act, ract,
                          dxp[s, lo:hi].reshape((rows, 3, units)),
                          drs.reshape((rows, 3, units)), dhp)
        blas.gemm(fn, drs, ut, dhr)
        for i in range(rows):
            for j in range(units):
                dhr[i, j] += dhp[i, j]


_FORWARD = {"simple": _simple_forward, "lstm": _lstm_forward, "gru": _gru_forward}
_BACKWARD = {"simple": _simple_backward, "lstm": _lstm_backward, "gru": _gru_backward}
