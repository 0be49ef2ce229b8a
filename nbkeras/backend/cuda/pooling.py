"""Max and average pooling on NDHWC arrays on the GPU, forward and backward.

Same names and arguments as `nbkeras.backend.cpu.pooling`: 2-D inputs arrive as
(N, 1, H, W, C) views, 1-D ones as (N, 1, 1, W, C); padding positions never take part
(max ignores them, average divides by the count of real inputs). Forward kernels are one
thread per output element; the backward kernels are one thread per input element
gathering from the windows that contain it, except max pooling's, which adds each
gradient to its window's winner with an atomic add.
"""

from numba import cuda

from nbkeras.backend.cuda._launch import device, fill, kernel, launch, unravel


@device
def _window_range(pos, pad, size, stride, out_len):
    """The output indices [lo, hi) whose window of `size` taps (from o*stride-pad) covers pos."""
    num = pos + pad - size + 1
    lo = 0 if num <= 0 else (num + stride - 1) // stride
    hi = min((pos + pad) // stride + 1, out_len)
    return lo, hi


@device
def _count(o, pad, size, stride, length):
    """How many taps of window o fall inside [0, length)."""
    start = o * stride - pad
    return min(start + size, length) - max(start, 0)


@kernel
def _max_pool_forward(x, y, arg, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    t = cuda.grid(1)
    d, h, w = x.shape[1], x.shape[2], x.shape[3]
    if t < y.size:
        n, z, i, j, k = unravel(t, y.shape[1], y.shape[2], y.shape[3], y.shape[4])
        first = True
        best = x[n, 0, 0, 0, k]  # the maximum (NaN once any input is NaN)
        sel = best  # the gradient winner's value: wins `>=` in window order
        idx = 0
        for e in range(kd):
            idp = z * sd - pf + e
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
                    v = x[n, idp, ih, iw, k]
                    if first:
                        best = v
                        sel = v
                        idx = (idp * h + ih) * w + iw
                        first = False
                    else:
                        if v > best or v != v:
                            best = v
                        if not sel >= v:
                            sel = v
                            idx = (idp * h + ih) * w + iw
        y[n, z, i, j, k] = best
        arg[n, z, i, j, k] = idx


@kernel
def _max_pool_backward(g, arg, dx):
    t = cuda.grid(1)
    if t < g.size:
        n, z, i, j, k = unravel(t, g.shape[1], g.shape[2], g.shape[3], g.shape[4])
        h, w = dx.shape[2], dx.shape[3]
        a = arg[n, z, i, j, k]
        iw = a % w
        r = a // w
        cuda.atomic.add(dx, (n, r // h, r % h, iw, k), g[n, z, i, j, k])


@kernel
def _avg_pool_forward(x, y, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    t = cuda.grid(1)
    d, h, w = x.shape[1], x.shape[2], x.shape[3]
    if t < y.size:
        n, z, i, j, k = unravel(t, y.shape[1], y.shape[2], y.shape[3], y.shape[4])
        acc = 0.0
        for e in range(kd):
            idp = z * sd - pf + e
            if idp < 0 or idp >= d:
                continue
            for a in range(kh):
                ih = i * sh - pt + a
                if ih < 0 or ih >= h:
                    continue
                for b in range(kw):
                    iw = j * sw - pl + b
                    if iw >= 0 and iw < w:
                        acc += x[n, idp, ih, iw, k]
        cnt = _count(z, pf, kd, sd, d) * _count(i, pt, kh, sh, h) * _count(j, pl, kw, sw, w)
        y[n, z, i, j, k] = acc / max(cnt, 1)


@kernel
def _avg_pool_backward(g, dx, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    t = cuda.grid(1)
    d, h, w = dx.shape[1], dx.shape[2], dx.shape[3]
    if t < dx.size:
        n, idp, ih, iw, k = unravel(t, d, h, w, dx.shape[4])
        z0, z1 = _window_range(idp, pf, kd, sd, g.shape[1])
        i0, i1 = _window_range(ih, pt, kh, sh, g.shape[2])
        j0, j1 = _window_range(iw, pl, kw, sw, g.shape[3])
        acc = 0.0
        for z in range(z0, z1):
            cz = _count(z, pf, kd, sd, d)
            for i in range(i0, i1):
                ci = cz * _count(i, pt, kh, sh, h)
                for j in range(j0, j1):
                    acc += g[n, z, i, j, k] / max(ci * _count(j, pl, kw, sw, w), 1)
        dx[n, idp, ih, iw, k] = acc


def max_pool_forward(x, y, arg, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    """y[n,t,i,j,c] = max of the window; arg keeps the flat (d*H+h)*W+w index of the winner.

    As in Keras (XLA): a NaN in the window makes the maximum NaN, while the gradient goes
    to the element that wins `>=` comparisons in window order, and ties go to the first.
    """
    launch(_max_pool_forward, y.size, x, y, arg, kd, kh, kw, sd, sh, sw, pf, pt, pl)


def max_pool_backward(g, arg, dx):
    """dx (zeroed here) receives each output gradient at its window's winner (atomic adds,
    which only meet where windows overlap)."""
    fill(dx.reshape(-1), 0)
    launch(_max_pool_backward, g.size, g, arg, dx)


def avg_pool_forward(x, y, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    """y[n,t,i,j,c] = mean of the window's real (unpadded) inputs."""
    launch(_avg_pool_forward, y.size, x, y, kd, kh, kw, sd, sh, sw, pf, pt, pl)


def avg_pool_backward(g, dx, kd, kh, kw, sd, sh, sw, pf, pt, pl):
    """dx receives g / count at every real input of each window."""
    launch(_avg_pool_backward, dx.size, g, dx, kd, kh, kw, sd, sh, sw, pf, pt, pl)
