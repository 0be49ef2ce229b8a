"""Convolution kernels: im2col and its adjoint col2im on NHWC arrays (serial).

The GEMM itself stays in BLAS (`np.matmul` outside Numba); these kernels only
gather the receptive fields into a (N*OH*OW, KH*KW*C) matrix and scatter them back.
"""

import numpy as np

from nbkeras.backend.cpu._jit import jit


@jit
def im2col(x, cols, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow):
    """cols[(n*oh+i)*ow+j, (a*kw+b)*C + c] = x[n, i*sh-pt+a*dh, j*sw-pl+b*dw, c] (0 outside)."""
    n_, h, w, c = x.shape
    zero = x.dtype.type(0)
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                row = (n * oh + i) * ow + j
                for a in range(kh):
                    ih = i * sh - pt + a * dh
                    for b in range(kw):
                        iw = j * sw - pl + b * dw
                        base = (a * kw + b) * c
                        if ih < 0 or ih >= h or iw < 0 or iw >= w:
                            for k in range(c):
                                cols[row, base + k] = zero
                        else:
                            for k in range(c):
                                cols[row, base + k] = x[n, ih, iw, k]


@jit
def col2im(cols, dx, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow):
    """Adjoint of `im2col`: dx (zeroed here) accumulates every column entry in place."""
    n_, h, w, c = dx.shape
    dx[:] = 0
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                row = (n * oh + i) * ow + j
                for a in range(kh):
                    ih = i * sh - pt + a * dh
                    if ih < 0 or ih >= h:
                        continue
                    for b in range(kw):
                        iw = j * sw - pl + b * dw
                        if iw < 0 or iw >= w:
                            continue
                        base = (a * kw + b) * c
                        for k in range(c):
                            dx[n, ih, iw, k] += cols[row, base + k]
