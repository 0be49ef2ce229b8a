"""Backward kernels that read the output gradient once: the activation's derivative fused
with the bias gradient, and for a thin input (a first convolution's 9 or 27 column
im2col rows) with the weight gradient too.

`act_backward` then `col_sum` read the gradient twice and wrote it once in between; a
first convolution's kernel gradient `cols.T @ dz` (9 x 86528 @ 86528 x 32 on the
benchmark CNN) is a product BLAS runs at 2-3 GFLOP/s on one thread, since it can split
neither its 9 rows nor its 32 columns. Here the rows are cut into blocks of about
`BLOCK` elements of the gradient, fixed by the shape; each block's partial sums (in the
gradient's dtype for the weights, float64 for the bias) go to its own slot and the slots
are added in block order after, in float64: the serial and the parallel twins
(`_parallel.run`) give the same bits whatever the thread count.
"""

import numpy as np
from numba import prange

from nbkeras.backend.cpu import _parallel
from nbkeras.backend.cpu._jit import jit
from nbkeras.backend.cpu.activations import BLOCK, _dact


@jit(inline="always")
def _dz_row(gi, zi, yi, di, code, alpha):
    """di = gi * f'(zi) over 1-D arrays; relu and linear without the general formula."""
    if code == 1:
        for j in range(gi.shape[0]):
            di[j] = gi[j] if yi[j] > 0 else gi.dtype.type(0)
    elif code == 0:
        for j in range(gi.shape[0]):
            di[j] = gi[j]
    else:
        for j in range(gi.shape[0]):
            di[j] = gi[j] * _dact(zi[j], yi[j], code, alpha)


@jit
def _col_sums(d, acc):
    """acc[j] = sum_i d[i, j], in acc's float64."""
    acc[:] = 0.0
    for i in range(d.shape[0]):
        di = d[i]
        for j in range(di.shape[0]):
            acc[j] += di[j]


@jit
def _bias_range(g, z, y, dz, part, code, alpha, blk, lo, hi):
    d = dz[lo:hi]
    _dz_row(g[lo:hi].reshape(-1), z[lo:hi].reshape(-1), y[lo:hi].reshape(-1), d.reshape(-1),
            code, alpha)
    _col_sums(d, part[blk])


@jit
def _sum_parts(part, out):
    """out = part summed over its first axis, in order, in float64 (out flat)."""
    flat = part.reshape((part.shape[0], out.size))
    for j in range(out.size):
        acc = 0.0
        for blk in range(flat.shape[0]):
            acc += flat[blk, j]
        out[j] = acc


@jit
def _bias_serial(g, z, y, dz, gb, part, code, alpha, rows):
    n = g.shape[0]
    for blk in range(part.shape[0]):
        _bias_range(g, z, y, dz, part, code, alpha, blk, blk * rows, min(n, (blk + 1) * rows))
    _sum_parts(part, gb)


@jit(parallel=True)
def _bias_parallel(g, z, y, dz, gb, part, code, alpha, rows):
    n = g.shape[0]
    for blk in prange(part.shape[0]):
        _bias_range(g, z, y, dz, part, code, alpha, blk, blk * rows, min(n, (blk + 1) * rows))
    _sum_parts(part, gb)


def _rows(g):
    return max(1, BLOCK // max(1, g.shape[1]))


def bias_act_backward(g, z, y, dz, gb, code, alpha):
    """dz = g * f'(z) and gb[j] = sum_i dz[i, j] (the bias gradient), in one pass over g.

    Args:
        g: the 2-D output gradient (rows, units), C-contiguous.
        z: the pre-activation, g's shape (it may be y when the code does not need it,
            see `NEEDS_INPUT`).
        y: the activation's output, g's shape.
        dz: the pre-activation gradient, g's shape, written in place.
        gb: the (units,) bias gradient, written in place.
        code: the activation's integer code.
        alpha: the activation's parameter, else 0.

    Example:
        >>> y = np.array([[0.0, 2.0], [1.0, 3.0]], np.float32)
        >>> dz, gb = np.empty_like(y), np.empty(2, np.float32)
        >>> bias_act_backward(np.ones_like(y), y, y, dz, gb, 1, 0.0)
        >>> dz.tolist(), gb.tolist()
        ([[0.0, 1.0], [1.0, 1.0]], [1.0, 2.0])
    """
    rows = _rows(g)
    part = np.empty((-(-g.shape[0] // rows), g.shape[1]), np.float64)
    _parallel.run(_bias_serial, _bias_parallel, g.size, part.shape[0],
                  g, z, y, dz, gb, part, code, alpha, rows)


@jit
def _weight_range(g, z, y, a, dz, part, bpart, code, alpha, blk, lo, hi):
    """Block blk's partial gradients over rows lo:hi: its dz (in dz, or a scratch block
    that stays in the cache), its column sums, then a.T @ dz four rows at a time (each
    partial row gets four products per load and store instead of one)."""
    acc, bacc = part[blk], bpart[blk]
    acc[:] = 0
    k, m = acc.shape
    d = dz[lo:hi] if dz.shape[0] > 0 else np.empty((hi - lo, m), g.dtype)
    _dz_row(g[lo:hi].reshape(-1), z[lo:hi].reshape(-1), y[lo:hi].reshape(-1), d.reshape(-1),
            code, alpha)
    _col_sums(d, bacc)
    ab = a[lo:hi]
    q = (hi - lo) - (hi - lo) % 4
    for i in range(0, q, 4):
        a0, a1, a2, a3 = ab[i], ab[i + 1], ab[i + 2], ab[i + 3]
        d0, d1, d2, d3 = d[i], d[i + 1], d[i + 2], d[i + 3]
        for e in range(k):
            v0, v1, v2, v3 = a0[e], a1[e], a2[e], a3[e]
            ae = acc[e]
            for j in range(m):
                ae[j] += v0 * d0[j] + v1 * d1[j] + v2 * d2[j] + v3 * d3[j]
    for i in range(q, hi - lo):  # the last rows, one at a time
        ai, di = ab[i], d[i]
        for e in range(k):
            v = ai[e]
            ae = acc[e]
            for j in range(m):
                ae[j] += v * di[j]


@jit
def _weight_serial(g, z, y, a, dz, gw, gb, part, bpart, code, alpha, rows):
    n = g.shape[0]
    for blk in range(part.shape[0]):
        _weight_range(g, z, y, a, dz, part, bpart, code, alpha, blk, blk * rows,
                      min(n, (blk + 1) * rows))
    _sum_parts(part, gw.reshape(gw.size))
    _sum_parts(bpart, gb)


@jit(parallel=True)
def _weight_parallel(g, z, y, a, dz, gw, gb, part, bpart, code, alpha, rows):
    n = g.shape[0]
    for blk in prange(part.shape[0]):
        _weight_range(g, z, y, a, dz, part, bpart, code, alpha, blk, blk * rows,
                      min(n, (blk + 1) * rows))
    _sum_parts(part, gw.reshape(gw.size))
    _sum_parts(bpart, gb)


def bias_act_weight_backward(g, z, y, a, dz, gw, gb, code, alpha):
    """The weight and bias gradients of y = f(a @ w + b) in one pass over g, for a thin `a`.

    With dz = g * f'(z): gw = a.T @ dz, gb[j] = sum_i dz[i, j]; dz itself is written only
    when it has rows (a (0, units) array: the input needs no gradient).

    Args:
        g: the 2-D output gradient (rows, units), C-contiguous.
        z: the pre-activation, g's shape (it may be y, see `bias_act_backward`).
        y: the activation's output, g's shape.
        a: the (rows, k) input of the product (im2col's column matrix), C-contiguous.
        dz: g's shape or (0, units); written in place when it has rows.
        gw: the (k, units) weight gradient, written in place.
        gb: the (units,) bias gradient, written in place.
        code: the activation's integer code.
        alpha: the activation's parameter, else 0.

    Example:
        >>> y = np.array([[0.0, 2.0], [1.0, 3.0]], np.float32)
        >>> a = np.array([[1.0], [2.0]], np.float32)
        >>> gw, gb = np.empty((1, 2), np.float32), np.empty(2, np.float32)
        >>> bias_act_weight_backward(np.ones_like(y), y, y, a, np.empty((0, 2), np.float32),
        ...                          gw, gb, 1, 0.0)
        >>> gw.tolist(), gb.tolist()
        ([[2.0, 3.0]], [1.0, 2.0])
    """
    rows = _rows(g)
    blocks = -(-g.shape[0] // rows)
    part = np.empty((blocks,) + gw.shape, g.dtype)
    bpart = np.empty((blocks, g.shape[1]), np.float64)
    _parallel.run(_weight_serial, _weight_parallel, g.size, blocks,
                  g, z, y, a, dz, gw, gb, part, bpart, code, alpha, rows)
