"""im2col and its adjoint col2im on NDHWC arrays, on the GPU.

Same names and arguments as `nbkeras.backend.cpu.conv`: every convolution runs as a 3-D
one (2-D inputs arrive as (N, 1, H, W, C) views, 1-D ones as (N, 1, 1, W, C)); the GEMM
on the column matrix is cuBLAS's (through CuPy). im2col is one thread per column-matrix
entry; col2im is one thread per input element that gathers every column entry it fed
(no atomics, so the sum order is fixed).
"""

from numba import cuda

from nbkeras.backend.cuda._launch import device, kernel, launch, unravel


@device
def _taps(pos, pad, dil, stride, out_len, a):
    """The output index o whose tap a reads input position pos, or -1 when none does."""
    num = pos + pad - a * dil  # = o * stride
    if num < 0 or num % stride != 0 or num // stride >= out_len:
        return -1
    return num // stride


@kernel
def _im2col(x, cols, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    t = cuda.grid(1)
    d, h, w, c = x.shape[1], x.shape[2], x.shape[3], x.shape[4]
    width = kd * kh * kw * c
    if t < cols.shape[0] * width:
        row = t // width
        e = t - row * width
        n, z, i, j, _ = unravel(row, od, oh, ow, 1)
        f, _, a, b, k = unravel(e, 1, kh, kw, c)
        idp = z * sd - pf + f * dd
        ih = i * sh - pt + a * dh
        iw = j * sw - pl + b * dw
        if idp < 0 or idp >= d or ih < 0 or ih >= h or iw < 0 or iw >= w:
            cols[row, e] = 0
        else:
            cols[row, e] = x[n, idp, ih, iw, k]


@kernel
def _col2im(cols, dx, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    t = cuda.grid(1)
    d, h, w, c = dx.shape[1], dx.shape[2], dx.shape[3], dx.shape[4]
    if t < dx.size:
        n, idp, ih, iw, k = unravel(t, d, h, w, c)
        acc = 0.0
        for f in range(kd):
            z = _taps(idp, pf, dd, sd, od, f)
            if z < 0:
                continue
            for a in range(kh):
                i = _taps(ih, pt, dh, sh, oh, a)
                if i < 0:
                    continue
                for b in range(kw):
                    j = _taps(iw, pl, dw, sw, ow, b)
                    if j >= 0:
                        acc += cols[((n * od + z) * oh + i) * ow + j, ((f * kh + a) * kw + b) * c + k]
        dx[n, idp, ih, iw, k] = acc


def im2col(x, cols, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    """cols[((n*od+t)*oh+i)*ow+j, ((e*kh+a)*kw+b)*C + c] =
    x[n, t*sd-pf+e*dd, i*sh-pt+a*dh, j*sw-pl+b*dw, c] (0 outside)."""
    launch(_im2col, cols.shape[0] * kd * kh * kw * x.shape[4], x, cols, kd, kh, kw, sd, sh, sw,
           dd, dh, dw, pf, pt, pl, od, oh, ow)


def col2im(cols, dx, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    """Adjoint of `im2col`: dx[n, d, h, w, c] = the sum of the column entries read from it."""
    launch(_col2im, dx.size, cols, dx, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow)


def sparse_col2im(d, wt, dx, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    """The GPU leaves a sparse input gradient to the op (cuBLAS, then `col2im`); returns
    False."""
    return False
