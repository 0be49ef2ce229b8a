"""Convolution kernels: im2col and its adjoint col2im on NDHWC arrays.

Every convolution runs as a 3-D one: 2-D inputs arrive as (N, 1, H, W, C) views and
1-D ones as (N, 1, 1, W, C). The GEMM itself stays in BLAS (`np.matmul` outside
Numba); these kernels only gather the receptive fields into a
(N*OD*OH*OW, KD*KH*KW*C) matrix and scatter them back.

The column matrix is walked as a (rows, taps, C) view, so the innermost loop of each
copy runs over channels with a bare loop index: Numba needs no negative-index
wraparound there and the copy vectorizes (indexing `cols[row, base + k]` instead made
every element a scalar copy, 4x slower). Bounds are checked once per tap, not per
element. A window that lies wholly inside the input (unit width dilation) is copied
as one run of KW*C elements per (depth, height) offset, between row views: 2x faster
than tap by tap for one input channel (a first layer's 3-element taps), ~10-20 %
for 32 (measured on the benchmark CNN's shapes). A run under 16 elements is copied
between flat offsets instead: building the row views cost more than copying a first
layer's 3-element runs (conv1 of bench/cnn.py: 1.98 -> 1.73 ms on one core), while for
longer runs the views keep the copy vectorized (flat offsets made conv2's 3x slower). col2im keeps the per-tap loop: the
runs gained nothing there at 32 channels.

Both kernels work one sample at a time (`_im2col_sample`, `_col2im_sample`): a sample's
column rows and its input (gradient) belong to it alone, so the serial loop and the
parallel one over samples (`_parallel.run`) write every element from one thread, in the
same order: bit-identical results whatever the thread count.
"""

import numpy as np
from numba import prange

from nbkeras.backend.cpu import _parallel
from nbkeras.backend.cpu._jit import jit


@jit(inline="always")
def _inside(d0, h0, w0, d, h, w, kd, kh, kw, dd, dh, dw):
    """Whether a window lies inside the input with unit width dilation: its kw taps of
    each (depth, height) offset are then one contiguous run of kw * C elements."""
    return (dw == 1 and d0 >= 0 and d0 + (kd - 1) * dd < d and h0 >= 0
            and h0 + (kh - 1) * dh < h and w0 >= 0 and w0 + kw - 1 < w)


@jit
def _im2col_sample(x, c3, c4, n, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    _, d, h, w, c = x.shape
    xr = x.reshape((x.shape[0], d, h, w * c))
    xf, cf = x.reshape(x.size), c4.reshape(c4.size)
    run = kw * c
    width = c4.shape[1] * run  # one column-matrix row
    zero = x.dtype.type(0)
    for t in range(od):
        for i in range(oh):
            for j in range(ow):
                row = ((n * od + t) * oh + i) * ow + j
                d0, h0, w0 = t * sd - pf, i * sh - pt, j * sw - pl
                if run < 16 and _inside(d0, h0, w0, d, h, w, kd, kh, kw, dd, dh, dw):
                    # no bounds checks; one short run of kw * C per (depth, height)
                    # offset, between flat offsets (row views cost more than the copy)
                    dst = row * width
                    for e in range(kd):
                        for a in range(kh):
                            src = (((n * d + d0 + e * dd) * h + h0 + a * dh) * w + w0) * c
                            for k in range(run):
                                cf[dst + k] = xf[src + k]
                            dst += run
                    continue
                if _inside(d0, h0, w0, d, h, w, kd, kh, kw, dd, dh, dw):
                    ea = 0  # longer runs between row views: the copy vectorizes
                    for e in range(kd):
                        for a in range(kh):
                            src = xr[n, d0 + e * dd, h0 + a * dh, w0 * c:w0 * c + run]
                            drow = c4[row, ea]
                            for k in range(run):
                                drow[k] = src[k]
                            ea += 1
                    continue
                for e in range(kd):
                    idp = d0 + e * dd
                    for a in range(kh):
                        ih = h0 + a * dh
                        out = idp < 0 or idp >= d or ih < 0 or ih >= h
                        for b in range(kw):
                            iw = w0 + b * dw
                            tap = (e * kh + a) * kw + b
                            if out or iw < 0 or iw >= w:
                                for k in range(c):
                                    c3[row, tap, k] = zero
                            else:
                                for k in range(c):
                                    c3[row, tap, k] = x[n, idp, ih, iw, k]


@jit
def _im2col_serial(x, cols, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    c3 = cols.reshape((cols.shape[0], kd * kh * kw, x.shape[4]))
    c4 = cols.reshape((cols.shape[0], kd * kh, kw * x.shape[4]))
    for n in range(x.shape[0]):
        _im2col_sample(x, c3, c4, n, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow)


@jit(parallel=True)
def _im2col_parallel(x, cols, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    c3 = cols.reshape((cols.shape[0], kd * kh * kw, x.shape[4]))
    c4 = cols.reshape((cols.shape[0], kd * kh, kw * x.shape[4]))
    for n in prange(x.shape[0]):
        _im2col_sample(x, c3, c4, n, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow)


def im2col(x, cols, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    """cols[((n*od+t)*oh+i)*ow+j, ((e*kh+a)*kw+b)*C + c] =
    x[n, t*sd-pf+e*dd, i*sh-pt+a*dh, j*sw-pl+b*dw, c] (0 outside).

    Args:
        x: the (N, D, H, W, C) input, C-contiguous.
        cols: the (N*od*oh*ow, kd*kh*kw*C) column matrix, written in place.
        kd, kh, kw: the kernel's size; sd, sh, sw: strides; dd, dh, dw: dilations;
        pf, pt, pl: padding before (front, top, left); od, oh, ow: the output's size.

    Example:
        >>> import numpy as np
        >>> x = np.arange(4, dtype=np.float32).reshape(1, 1, 2, 2, 1)
        >>> cols = np.empty((1, 4), np.float32)
        >>> im2col(x, cols, 1, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1)
        >>> cols.tolist()
        [[0.0, 1.0, 2.0, 3.0]]
    """
    _parallel.run(_im2col_serial, _im2col_parallel, cols.size, x.shape[0], x, cols,
                  kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow)


@jit
def _col2im_sample(c3, dx, n, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    _col2im_rows(c3, dx, n, 0, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow)


@jit
def _col2im_rows(c3, dx, n, first, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    """Sample n's col2im from the rows of c3, the sample's first row being c3[row - first]."""
    _, d, h, w, c = dx.shape
    dx[n] = 0
    for t in range(od):
        for i in range(oh):
            for j in range(ow):
                row = ((n * od + t) * oh + i) * ow + j - first
                for e in range(kd):
                    idp = t * sd - pf + e * dd
                    if idp < 0 or idp >= d:
                        continue
                    for a in range(kh):
                        ih = i * sh - pt + a * dh
                        if ih < 0 or ih >= h:
                            continue
                        for b in range(kw):
                            iw = j * sw - pl + b * dw
                            if iw < 0 or iw >= w:
                                continue
                            tap = (e * kh + a) * kw + b
                            for k in range(c):
                                dx[n, idp, ih, iw, k] += c3[row, tap, k]


@jit
def _col2im_serial(cols, dx, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    c3 = cols.reshape((cols.shape[0], kd * kh * kw, dx.shape[4]))
    for n in range(dx.shape[0]):
        _col2im_sample(c3, dx, n, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow)


@jit(parallel=True)
def _col2im_parallel(cols, dx, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    c3 = cols.reshape((cols.shape[0], kd * kh * kw, dx.shape[4]))
    for n in prange(dx.shape[0]):
        _col2im_sample(c3, dx, n, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow)


def col2im(cols, dx, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    """Adjoint of `im2col`: dx (zeroed here) accumulates every column entry in place.

    Args:
        cols: the (N*od*oh*ow, kd*kh*kw*C) column matrix (gradient).
        dx: the (N, D, H, W, C) input gradient, C-contiguous, written in place.
        kd ... ow: the geometry, as for `im2col`.

    Example:
        >>> import numpy as np
        >>> dx = np.empty((1, 1, 2, 2, 1), np.float32)
        >>> col2im(np.ones((1, 4), np.float32), dx, 1, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1)
        >>> dx.ravel().tolist()
        [1.0, 1.0, 1.0, 1.0]
    """
    _parallel.run(_col2im_serial, _col2im_parallel, cols.size, dx.shape[0], cols, dx,
                  kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow)


# A convolution's output gradient after a max pool's backward and a ReLU's derivative has
# at most one nonzero per pool window and channel (about a fifth of the entries on the
# benchmark CNN's second layer); `sparse_col2im` skips the zeros. Above this share of
# nonzeros BLAS on the dense product is faster (measured on that layer's shapes, one core).
SPARSE_MAX_DENSITY = 0.3


@jit
def _sparse_rows(d, wt, out, lo, hi):
    """out[r - lo] = d[r] @ wt for rows lo:hi of d, from each row's nonzeros, four per
    pass over the output row in their column order (the last pass padded with zeros of
    the first nonzero's column: a finite wt makes them add nothing)."""
    o, m = wt.shape
    idx = np.empty(o + 4, np.int64)
    zero = d.dtype.type(0)
    for r in range(lo, hi):
        dr, orow = d[r], out[r - lo]
        nz = 0
        for q in range(o):  # without a branch: a fifth of the entries is no pattern
            idx[nz] = q
            nz += dr[q] != 0
        for k in range(m):
            orow[k] = 0
        if nz == 0:
            continue
        for s in range(nz, nz + 3):
            idx[s] = idx[0]
        for s in range(0, nz, 4):
            q0, q1, q2, q3 = idx[s], idx[s + 1], idx[s + 2], idx[s + 3]
            v0 = dr[q0]
            v1 = dr[q1] if s + 1 < nz else zero
            v2 = dr[q2] if s + 2 < nz else zero
            v3 = dr[q3] if s + 3 < nz else zero
            w0, w1, w2, w3 = wt[q0], wt[q1], wt[q2], wt[q3]
            for k in range(m):
                orow[k] += v0 * w0[k] + v1 * w1[k] + v2 * w2[k] + v3 * w3[k]


@jit
def _sparse_col2im_sample(d, wt, dx, n, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl,
                          od, oh, ow):
    # the sample's column rows go through a scratch block that stays in the cache
    per = od * oh * ow
    part = np.empty((per, wt.shape[1]), d.dtype)
    _sparse_rows(d, wt, part, n * per, (n + 1) * per)
    c3 = part.reshape((per, kd * kh * kw, dx.shape[4]))
    _col2im_rows(c3, dx, n, n * per, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl,
                 od, oh, ow)


@jit
def _sparse_col2im_serial(d, wt, dx, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl,
                          od, oh, ow):
    for n in range(dx.shape[0]):
        _sparse_col2im_sample(d, wt, dx, n, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl,
                              od, oh, ow)


@jit(parallel=True)
def _sparse_col2im_parallel(d, wt, dx, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl,
                            od, oh, ow):
    for n in prange(dx.shape[0]):
        _sparse_col2im_sample(d, wt, dx, n, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl,
                              od, oh, ow)


def sparse_col2im(d, wt, dx, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    """dx = col2im(d @ wt) from the nonzeros of d alone, when d is sparse enough to pay;
    returns whether it did (False: dx is untouched and the caller runs the GEMM and
    `col2im`).

    A convolution's input gradient: d is its (N*od*oh*ow, O) output gradient, wt its
    (O, kd*kh*kw*C) transposed kernel matrix. Each column-matrix row sums its products in
    a fixed order (d's nonzeros four at a time) into a per-sample scratch block, which
    `col2im` then scatters as it scatters the GEMM's; one sample per thread:
    bit-identical whatever the thread count. Skipping zeros changes no value (only the
    sign of an exact zero) while wt is finite; with an inf or NaN in wt (0 * inf is
    NaN) it declines.

    Args:
        d: the output gradient (rows, O), C-contiguous.
        wt: the (O, kd*kh*kw*C) kernel matrix's transpose, C-contiguous.
        dx: the (N, D, H, W, C) input gradient, C-contiguous, written in place.
        kd ... ow: the geometry, as for `im2col`.

    Example:
        >>> import numpy as np
        >>> dx = np.empty((1, 1, 2, 2, 1), np.float32)
        >>> d = np.zeros((1, 8), np.float32); d[0, 3] = 2.0
        >>> wt = np.ones((8, 4), np.float32)
        >>> sparse_col2im(d, wt, dx, 1, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1)
        True
        >>> dx.ravel().tolist()
        [2.0, 2.0, 2.0, 2.0]
    """
    if d.size == 0 or np.count_nonzero(d) > SPARSE_MAX_DENSITY * d.size:
        return False
    if not np.isfinite(wt).all():
        return False
    _parallel.run(_sparse_col2im_serial, _sparse_col2im_parallel, dx.size, dx.shape[0],
                  d, wt, dx, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow)
    return True
