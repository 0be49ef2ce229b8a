"""Max and average pooling kernels on NDHWC arrays, forward and backward.

2-D inputs arrive as (N, 1, H, W, C) views, 1-D ones as (N, 1, 1, W, C).
Padding positions never take part: max pooling ignores them and average pooling
divides by the number of real inputs in each window, as Keras does.

Each kernel's body handles one sample (`_*_sample`); a serial loop and a parallel one
over samples (`_parallel.run`) call it, so every element is written by one thread in
the same order: bit-identical results whatever the thread count.
"""

import numpy as np
from numba import prange

from nbkeras.backend.cpu import _parallel
from nbkeras.backend.cpu._jit import jit


@jit
def _max_pool_forward_sample(x, y, arg, n, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    _, d, h, w, c = x.shape
    od, oh, ow = y.shape[1], y.shape[2], y.shape[3]
    sel = np.empty(c, x.dtype)  # the value of each channel's gradient winner
    for t in range(od):
        for i in range(oh):
            for j in range(ow):
                first = True
                for e in range(kd):
                    idp = t * sd - pf + e
                    if idp < 0 or idp >= d:
                        continue
                    for a in range(kh):
                        ih = i * sh - pt + a
                        if ih < 0 or ih >= h:
                            continue
                        for b in range(kw):
                            iw = j * sw - pl + b
                            if iw < 0 or iw >= w:
                                continue
                            idx = (idp * h + ih) * w + iw
                            if first:
                                for k in range(c):
                                    y[n, t, i, j, k] = x[n, idp, ih, iw, k]
                                    sel[k] = x[n, idp, ih, iw, k]
                                    arg[n, t, i, j, k] = idx
                                first = False
                            else:
                                for k in range(c):
                                    v = x[n, idp, ih, iw, k]
                                    if v > y[n, t, i, j, k] or v != v:
                                        y[n, t, i, j, k] = v
                                    if not sel[k] >= v:
                                        sel[k] = v
                                        arg[n, t, i, j, k] = idx


@jit(inline="always")
def _max_take(v, m, s, g, idx):
    """One tap of a max window: (the maximum, NaN-propagating; the gradient winner's
    value, which `>=` comparisons in window order keep; the winner's index)."""
    take = not s >= v
    return (v if (v > m or v != v) else m), (v if take else s), (idx if take else g)


@jit
def _max_pool2_forward_sample(x, y, arg, n, sh, sw):
    # A 2x2 window without padding (MaxPooling2D's default): every window lies inside the
    # input, and its four taps meet in registers over (C,) row views, with one write of y
    # and arg per channel (1.8 against 3.5 ms for the general loop on one core, the
    # benchmark CNN's first pool; the same selects in the general loop, which reads and
    # writes y, sel and arg at every tap, ran 2x slower than its branches).
    w = x.shape[3]
    for i in range(y.shape[2]):
        for j in range(y.shape[3]):
            yr, ar = y[n, 0, i, j], arg[n, 0, i, j]
            ih, iw = i * sh, j * sw
            i0 = ih * w + iw
            x0, x1 = x[n, 0, ih, iw], x[n, 0, ih, iw + 1]
            x2, x3 = x[n, 0, ih + 1, iw], x[n, 0, ih + 1, iw + 1]
            for k in range(x.shape[4]):
                m = s = x0[k]
                g = i0
                m, s, g = _max_take(x1[k], m, s, g, i0 + 1)
                m, s, g = _max_take(x2[k], m, s, g, i0 + w)
                m, s, g = _max_take(x3[k], m, s, g, i0 + w + 1)
                yr[k] = m
                ar[k] = g


@jit(inline="always")
def _max_pool_forward_any(x, y, arg, n, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    # Only when every window lies inside the input: "same" padding pads after the input
    # (bottom/right) while pt == pl == 0, and those windows take the general loop.
    inside = ((y.shape[2] - 1) * sh + 2 <= x.shape[2]
              and (y.shape[3] - 1) * sw + 2 <= x.shape[3])
    if (kd == 1 and kh == 2 and kw == 2 and pf == 0 and pt == 0 and pl == 0
            and x.shape[1] == 1 and inside):
        _max_pool2_forward_sample(x, y, arg, n, sh, sw)
    else:
        _max_pool_forward_sample(x, y, arg, n, kd, kh, kw, sd, sh, sw, pf, pt, pl)


@jit
def _max_pool_forward_serial(x, y, arg, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    for n in range(x.shape[0]):
        _max_pool_forward_any(x, y, arg, n, kd, kh, kw, sd, sh, sw, pf, pt, pl)


@jit(parallel=True)
def _max_pool_forward_parallel(x, y, arg, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    for n in prange(x.shape[0]):
        _max_pool_forward_any(x, y, arg, n, kd, kh, kw, sd, sh, sw, pf, pt, pl)


def max_pool_forward(x, y, arg, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    """y[n,t,i,j,c] = max of the window; arg keeps the flat (d*H+h)*W+w index of the winner.

    As in Keras (XLA): a NaN in the window makes the maximum NaN, while the gradient
    goes to the element that wins `>=` comparisons in window order (a NaN wins only
    over what comes before it), and ties go to the first.

    Args:
        x: the (N, D, H, W, C) input; y: the (N, od, oh, ow, C) output and arg its int64
            winners, written in place; kd, kh, kw: the window; sd, sh, sw: strides;
            pf, pt, pl: padding before.

    Example:
        >>> x = np.arange(4, dtype=np.float32).reshape(1, 1, 2, 2, 1)
        >>> y, arg = np.empty((1, 1, 1, 1, 1), np.float32), np.empty((1, 1, 1, 1, 1), np.int64)
        >>> max_pool_forward(x, y, arg, 1, 2, 2, 1, 2, 2, 0, 0, 0)
        >>> float(y[0, 0, 0, 0, 0]), int(arg[0, 0, 0, 0, 0])
        (3.0, 3)
    """
    _parallel.run(_max_pool_forward_serial, _max_pool_forward_parallel, x.size, x.shape[0],
                  x, y, arg, kd, kh, kw, sd, sh, sw, pf, pt, pl)


@jit
def _max_pool_backward_sample(g, arg, flat, n):
    od, oh, ow, c = g.shape[1], g.shape[2], g.shape[3], g.shape[4]
    flat[n] = 0
    for t in range(od):
        for i in range(oh):
            for j in range(ow):
                for k in range(c):
                    flat[n, arg[n, t, i, j, k], k] += g[n, t, i, j, k]


@jit
def _max_pool_backward_serial(g, arg, dx):
    n_, d, h, w, c = dx.shape
    flat = dx.reshape((n_, d * h * w, c))  # the winner's flat index needs no division
    for n in range(n_):
        _max_pool_backward_sample(g, arg, flat, n)


@jit(parallel=True)
def _max_pool_backward_parallel(g, arg, dx):
    n_, d, h, w, c = dx.shape
    flat = dx.reshape((n_, d * h * w, c))
    for n in prange(n_):
        _max_pool_backward_sample(g, arg, flat, n)


def max_pool_backward(g, arg, dx):
    """dx (zeroed here) receives each output gradient at its window's winner.

    Args:
        g: the output gradient (N, od, oh, ow, C); arg: `max_pool_forward`'s winners;
            dx: the (N, D, H, W, C) input gradient, C-contiguous, written in place.

    Example:
        >>> dx = np.empty((1, 1, 2, 2, 1), np.float32)
        >>> arg = np.full((1, 1, 1, 1, 1), 3, np.int64)
        >>> max_pool_backward(np.ones((1, 1, 1, 1, 1), np.float32), arg, dx)
        >>> dx.ravel().tolist()
        [0.0, 0.0, 0.0, 1.0]
    """
    _parallel.run(_max_pool_backward_serial, _max_pool_backward_parallel, dx.size,
                  dx.shape[0], g, arg, dx)


@jit(inline="always")
def _window(t, i, j, d, h, w, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    """The clipped window [d0, d1) x [h0, h1) x [w0, w1) of output (t, i, j)."""
    d0, h0, w0 = t * sd - pf, i * sh - pt, j * sw - pl
    return (max(d0, 0), min(d0 + kd, d), max(h0, 0), min(h0 + kh, h),
            max(w0, 0), min(w0 + kw, w))


@jit
def _avg_pool_forward_sample(x, y, n, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    _, d, h, w, c = x.shape
    od, oh, ow = y.shape[1], y.shape[2], y.shape[3]
    for t in range(od):
        for i in range(oh):
            for j in range(ow):
                d0, d1, h0, h1, w0, w1 = _window(t, i, j, d, h, w, kd, kh, kw,
                                                 sd, sh, sw, pf, pt, pl)
                for k in range(c):
                    y[n, t, i, j, k] = 0
                for idp in range(d0, d1):
                    for ih in range(h0, h1):
                        for iw in range(w0, w1):
                            for k in range(c):
                                y[n, t, i, j, k] += x[n, idp, ih, iw, k]
                cnt = max((d1 - d0) * (h1 - h0) * (w1 - w0), 1)
                inv = y.dtype.type(1) / y.dtype.type(cnt)
                for k in range(c):
                    y[n, t, i, j, k] *= inv


@jit
def _avg_pool_forward_serial(x, y, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    for n in range(x.shape[0]):
        _avg_pool_forward_sample(x, y, n, kd, kh, kw, sd, sh, sw, pf, pt, pl)


@jit(parallel=True)
def _avg_pool_forward_parallel(x, y, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    for n in prange(x.shape[0]):
        _avg_pool_forward_sample(x, y, n, kd, kh, kw, sd, sh, sw, pf, pt, pl)


def avg_pool_forward(x, y, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    """y[n,t,i,j,c] = mean of the window's real (unpadded) inputs.

    Args:
        x: the (N, D, H, W, C) input; y: the (N, od, oh, ow, C) output, written in place;
            kd, kh, kw: the window; sd, sh, sw: strides; pf, pt, pl: padding before.

    Example:
        >>> x = np.arange(4, dtype=np.float32).reshape(1, 1, 2, 2, 1)
        >>> y = np.empty((1, 1, 1, 1, 1), np.float32)
        >>> avg_pool_forward(x, y, 1, 2, 2, 1, 2, 2, 0, 0, 0)
        >>> float(y[0, 0, 0, 0, 0])
        1.5
    """
    _parallel.run(_avg_pool_forward_serial, _avg_pool_forward_parallel, x.size, x.shape[0],
                  x, y, kd, kh, kw, sd, sh, sw, pf, pt, pl)


@jit
def _avg_pool_backward_sample(g, dx, n, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    _, d, h, w, c = dx.shape
    od, oh, ow = g.shape[1], g.shape[2], g.shape[3]
    dx[n] = 0
    for t in range(od):
        for i in range(oh):
            for j in range(ow):
                d0, d1, h0, h1, w0, w1 = _window(t, i, j, d, h, w, kd, kh, kw,
                                                 sd, sh, sw, pf, pt, pl)
                cnt = max((d1 - d0) * (h1 - h0) * (w1 - w0), 1)
                inv = dx.dtype.type(1) / dx.dtype.type(cnt)
                for idp in range(d0, d1):
                    for ih in range(h0, h1):
                        for iw in range(w0, w1):
                            for k in range(c):
                                dx[n, idp, ih, iw, k] += g[n, t, i, j, k] * inv


@jit
def _avg_pool_backward_serial(g, dx, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    for n in range(dx.shape[0]):
        _avg_pool_backward_sample(g, dx, n, kd, kh, kw, sd, sh, sw, pf, pt, pl)


@jit(parallel=True)
def _avg_pool_backward_parallel(g, dx, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    for n in prange(dx.shape[0]):
        _avg_pool_backward_sample(g, dx, n, kd, kh, kw, sd, sh, sw, pf, pt, pl)


def avg_pool_backward(g, dx, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    """dx (zeroed here) receives g / count at every real input of each window.

    Args:
        g: the output gradient (N, od, oh, ow, C); dx: the (N, D, H, W, C) input
            gradient, written in place; kd ... pl: the geometry, as for `avg_pool_forward`.

    Example:
        >>> dx = np.empty((1, 1, 2, 2, 1), np.float32)
        >>> avg_pool_backward(np.ones((1, 1, 1, 1, 1), np.float32), dx, 1, 2, 2, 1, 2, 2,
        ...                   0, 0, 0)
        >>> dx.ravel().tolist()
        [0.25, 0.25, 0.25, 0.25]
    """
    _parallel.run(_avg_pool_backward_serial, _avg_pool_backward_parallel, dx.size,
                  dx.shape[0], g, dx, kd, kh, kw, sd, sh, sw, pf, pt, pl)
