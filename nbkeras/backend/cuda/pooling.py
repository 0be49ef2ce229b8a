"""Max and average pooling on NHWC arrays on the GPU, forward and backward.

Same names and arguments as `nbkeras.backend.cpu.pooling`: padding positions never take
part (max ignores them, average divides by the count of real inputs). Forward kernels
are one thread per output element; the backward kernels are one thread per input
element gathering from the windows that contain it, except max pooling's, which adds
each gradient to its window's winner with an atomic add.
"""

from numba import cuda

from nbkeras.backend.cuda._launch import device, fill, kernel, launch


@device
def _unflatten(t, h, w, c):
    n = t // (h * w * c)
    r = t - n * h * w * c
    i = r // (w * c)
    r -= i * w * c
    j = r // c
    return n, i, j, r - j * c


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
def _max_pool_forward(x, y, arg, kh, kw, sh, sw, pt, pl):
    t = cuda.grid(1)
    h, w = x.shape[1], x.shape[2]
    if t < y.size:
        n, i, j, k = _unflatten(t, y.shape[1], y.shape[2], y.shape[3])
        first = True
        best = x[n, 0, 0, k]
        idx = 0
        for a in range(kh):
            ih = i * sh - pt + a
            if ih < 0 or ih >= h:
                continue
            for b in range(kw):
                iw = j * sw - pl + b
                if iw < 0 or iw >= w:
                    continue
                v = x[n, ih, iw, k]
                if first or v > best:
                    best = v
                    idx = ih * w + iw
                    first = False
        y[n, i, j, k] = best
        arg[n, i, j, k] = idx


@kernel
def _max_pool_backward(g, arg, dx):
    t = cuda.grid(1)
    if t < g.size:
        n, i, j, k = _unflatten(t, g.shape[1], g.shape[2], g.shape[3])
        a = arg[n, i, j, k]
        ih = a // dx.shape[2]
        cuda.atomic.add(dx, (n, ih, a - ih * dx.shape[2], k), g[n, i, j, k])


@kernel
def _avg_pool_forward(x, y, kh, kw, sh, sw, pt, pl):
    t = cuda.grid(1)
    h, w = x.shape[1], x.shape[2]
    if t < y.size:
        n, i, j, k = _unflatten(t, y.shape[1], y.shape[2], y.shape[3])
        acc = 0.0
        for a in range(kh):
            ih = i * sh - pt + a
            if ih < 0 or ih >= h:
                continue
            for b in range(kw):
                iw = j * sw - pl + b
                if iw >= 0 and iw < w:
                    acc += x[n, ih, iw, k]
        cnt = _count(i, pt, kh, sh, h) * _count(j, pl, kw, sw, w)
        y[n, i, j, k] = acc / max(cnt, 1)


@kernel
def _avg_pool_backward(g, dx, kh, kw, sh, sw, pt, pl):
    t = cuda.grid(1)
    h, w = dx.shape[1], dx.shape[2]
    if t < dx.size:
        n, ih, iw, k = _unflatten(t, h, w, dx.shape[3])
        i0, i1 = _window_range(ih, pt, kh, sh, g.shape[1])
        j0, j1 = _window_range(iw, pl, kw, sw, g.shape[2])
        acc = 0.0
        for i in range(i0, i1):
            ci = _count(i, pt, kh, sh, h)
            for j in range(j0, j1):
                acc += g[n, i, j, k] / max(ci * _count(j, pl, kw, sw, w), 1)
        dx[n, ih, iw, k] = acc


def max_pool_forward(x, y, arg, kh, kw, sh, sw, pt, pl):
    """y[n,i,j,c] = max of the window; arg keeps the flat h*W+w index of the winner."""
    launch(_max_pool_forward, y.size, x, y, arg, kh, kw, sh, sw, pt, pl)


def max_pool_backward(g, arg, dx):
    """dx (zeroed here) receives each output gradient at its window's winner (atomic adds,
    which only meet where windows overlap)."""
    fill(dx.reshape(-1), 0)
    launch(_max_pool_backward, g.size, g, arg, dx)


def avg_pool_forward(x, y, kh, kw, sh, sw, pt, pl):
    """y[n,i,j,c] = mean of the window's real (unpadded) inputs."""
    launch(_avg_pool_forward, y.size, x, y, kh, kw, sh, sw, pt, pl)


def avg_pool_backward(g, dx, kh, kw, sh, sw, pt, pl):
    """dx receives g / count at every real input of each window."""
    launch(_avg_pool_backward, dx.size, g, dx, kh, kw, sh, sw, pt, pl)
