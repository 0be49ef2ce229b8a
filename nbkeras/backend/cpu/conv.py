"""Convolution kernels: im2col and its adjoint col2im on NDHWC arrays (serial).

Every convolution runs as a 3-D one: 2-D inputs arrive as (N, 1, H, W, C) views and
1-D ones as (N, 1, 1, W, C). The GEMM itself stays in BLAS (`np.matmul` outside
Numba); these kernels only gather the receptive fields into a
(N*OD*OH*OW, KD*KH*KW*C) matrix and scatter them back.

The column matrix is walked as a (rows, taps, C) view, so the innermost loop of each
copy runs over channels with a bare loop index: Numba needs no negative-index
wraparound there and the copy vectorizes (indexing `cols[row, base + k]` instead made
every element a scalar copy, 4x slower). Bounds are checked once per tap, not per
element.
"""

from nbkeras.backend.cpu._jit import jit


@jit
def im2col(x, cols, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    """cols[((n*od+t)*oh+i)*ow+j, ((e*kh+a)*kw+b)*C + c] =
    x[n, t*sd-pf+e*dd, i*sh-pt+a*dh, j*sw-pl+b*dw, c] (0 outside)."""
    n_, d, h, w, c = x.shape
    c3 = cols.reshape((cols.shape[0], kd * kh * kw, c))
    zero = x.dtype.type(0)
    for n in range(n_):
        for t in range(od):
            for i in range(oh):
                for j in range(ow):
                    row = ((n * od + t) * oh + i) * ow + j
                    d0, h0, w0 = t * sd - pf, i * sh - pt, j * sw - pl
                    if (d0 >= 0 and d0 + (kd - 1) * dd < d and h0 >= 0
                            and h0 + (kh - 1) * dh < h and w0 >= 0 and w0 + (kw - 1) * dw < w):
                        # the whole window lies inside the input: no bounds checks
                        tap = 0
                        for e in range(kd):
                            for a in range(kh):
                                for b in range(kw):
                                    for k in range(c):
                                        c3[row, tap, k] = x[n, d0 + e * dd, h0 + a * dh,
                                                            w0 + b * dw, k]
                                    tap += 1
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
def col2im(cols, dx, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow):
    """Adjoint of `im2col`: dx (zeroed here) accumulates every column entry in place."""
    n_, d, h, w, c = dx.shape
    c3 = cols.reshape((cols.shape[0], kd * kh * kw, c))
    dx[:] = 0
    for n in range(n_):
        for t in range(od):
            for i in range(oh):
                for j in range(ow):
                    row = ((n * od + t) * oh + i) * ow + j
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
