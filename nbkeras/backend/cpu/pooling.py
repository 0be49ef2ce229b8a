"""Max and average pooling kernels on NDHWC arrays, forward and backward (serial).

2-D inputs arrive as (N, 1, H, W, C) views, 1-D ones as (N, 1, 1, W, C).
Padding positions never take part: max pooling ignores them and average pooling
divides by the number of real inputs in each window, as Keras does.
"""

import numpy as np

from nbkeras.backend.cpu._jit import jit


@jit
def max_pool_forward(x, y, arg, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    """y[n,t,i,j,c] = max of the window; arg keeps the flat (d*H+h)*W+w index of the winner.

    As in Keras (XLA): a NaN in the window makes the maximum NaN, while the gradient
    goes to the element that wins `>=` comparisons in window order (a NaN wins only
    over what comes before it), and ties go to the first.
    """
    n_, d, h, w, c = x.shape
    od, oh, ow = y.shape[1], y.shape[2], y.shape[3]
    sel = np.empty(c, x.dtype)  # the value of each channel's gradient winner
    for n in range(n_):
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


@jit
def max_pool_backward(g, arg, dx):
    """dx (zeroed here) receives each output gradient at its window's winner."""
    n_, d, h, w, c = dx.shape
    od, oh, ow = g.shape[1], g.shape[2], g.shape[3]
    flat = dx.reshape((n_, d * h * w, c))  # the winner's flat index needs no division
    flat[:] = 0
    for n in range(n_):
        for t in range(od):
            for i in range(oh):
                for j in range(ow):
                    for k in range(c):
                        flat[n, arg[n, t, i, j, k], k] += g[n, t, i, j, k]


@jit(inline="always")
def _window(t, i, j, d, h, w, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    """The clipped window [d0, d1) x [h0, h1) x [w0, w1) of output (t, i, j)."""
    d0, h0, w0 = t * sd - pf, i * sh - pt, j * sw - pl
    return (max(d0, 0), min(d0 + kd, d), max(h0, 0), min(h0 + kh, h),
            max(w0, 0), min(w0 + kw, w))


@jit
def avg_pool_forward(x, y, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    """y[n,t,i,j,c] = mean of the window's real (unpadded) inputs."""
    n_, d, h, w, c = x.shape
    od, oh, ow = y.shape[1], y.shape[2], y.shape[3]
    for n in range(n_):
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
def avg_pool_backward(g, dx, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    """dx (zeroed here) receives g / count at every real input of each window."""
    n_, d, h, w, c = dx.shape
    od, oh, ow = g.shape[1], g.shape[2], g.shape[3]
    dx[:] = 0
    for n in range(n_):
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
