"""Max and average pooling kernels on NHWC arrays, forward and backward (serial).

Padding positions never take part: max pooling ignores them and average pooling
divides by the number of real inputs in each window, as Keras does.
"""

import numpy as np

from nbkeras.backend.cpu._jit import jit


@jit
def max_pool_forward(x, y, arg, kh, kw, sh, sw, pt, pl):
    """y[n,i,j,c] = max of the window; arg keeps the flat h*W+w index of the winner.

    As in Keras (XLA): a NaN in the window makes the maximum NaN, while the gradient
    goes to the element that wins `>=` comparisons in window order (a NaN wins only
    over what comes before it), and ties go to the first.
    """
    n_, h, w, c = x.shape
    oh, ow = y.shape[1], y.shape[2]
    sel = np.empty(c, x.dtype)  # the value of each channel's gradient winner
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                first = True
                for a in range(kh):
                    ih = i * sh - pt + a
                    if ih < 0 or ih >= h:
                        continue
                    for b in range(kw):
                        iw = j * sw - pl + b
                        if iw < 0 or iw >= w:
                            continue
                        idx = ih * w + iw
                        if first:
                            for k in range(c):
                                y[n, i, j, k] = x[n, ih, iw, k]
                                sel[k] = x[n, ih, iw, k]
                                arg[n, i, j, k] = idx
                            first = False
                        else:
                            for k in range(c):
                                v = x[n, ih, iw, k]
                                if v > y[n, i, j, k] or v != v:
                                    y[n, i, j, k] = v
                                if not sel[k] >= v:
                                    sel[k] = v
                                    arg[n, i, j, k] = idx


@jit
def max_pool_backward(g, arg, dx):
    """dx (zeroed here) receives each output gradient at its window's winner."""
    n_, h, w, c = dx.shape
    oh, ow = g.shape[1], g.shape[2]
    flat = dx.reshape((n_, h * w, c))  # the winner's flat index needs no division
    flat[:] = 0
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                for k in range(c):
                    flat[n, arg[n, i, j, k], k] += g[n, i, j, k]


@jit
def avg_pool_forward(x, y, kh, kw, sh, sw, pt, pl):
    """y[n,i,j,c] = mean of the window's real (unpadded) inputs."""
    n_, h, w, c = x.shape
    oh, ow = y.shape[1], y.shape[2]
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                for k in range(c):
                    y[n, i, j, k] = 0
                cnt = 0
                for a in range(kh):
                    ih = i * sh - pt + a
                    if ih < 0 or ih >= h:
                        continue
                    for b in range(kw):
                        iw = j * sw - pl + b
                        if iw < 0 or iw >= w:
                            continue
                        cnt += 1
                        for k in range(c):
                            y[n, i, j, k] += x[n, ih, iw, k]
                inv = y.dtype.type(1) / y.dtype.type(max(cnt, 1))
                for k in range(c):
                    y[n, i, j, k] *= inv


@jit
def avg_pool_backward(g, dx, kh, kw, sh, sw, pt, pl):
    """dx (zeroed here) receives g / count at every real input of each window."""
    n_, h, w, c = dx.shape
    oh, ow = g.shape[1], g.shape[2]
    dx[:] = 0
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                cnt = 0
                for a in range(kh):
                    ih = i * sh - pt + a
                    if ih >= 0 and ih < h:
                        for b in range(kw):
                            iw = j * sw - pl + b
                            if iw >= 0 and iw < w:
                                cnt += 1
                inv = dx.dtype.type(1) / dx.dtype.type(max(cnt, 1))
                for a in range(kh):
                    ih = i * sh - pt + a
                    if ih < 0 or ih >= h:
                        continue
                    for b in range(kw):
                        iw = j * sw - pl + b
                        if iw < 0 or iw >= w:
                            continue
                        for k in range(c):
                            dx[n, ih, iw, k] += g[n, i, j, k] * inv
