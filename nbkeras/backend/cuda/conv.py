"""im2col and its adjoint col2im on NHWC arrays, on the GPU.

Same names and arguments as `nbkeras.backend.cpu.conv`; the GEMM on the column matrix is
cuBLAS's (through CuPy). im2col is one thread per column-matrix entry; col2im is one
thread per input element that gathers every column entry it fed (no atomics, so the sum
order is fixed).
"""

from numba import cuda

from nbkeras.backend.cuda._launch import kernel, launch


@kernel
def _im2col(x, cols, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow):
    t = cuda.grid(1)
    h, w, c = x.shape[1], x.shape[2], x.shape[3]
    width = kh * kw * c
    if t < cols.shape[0] * width:
        row = t // width
        e = t - row * width
        n = row // (oh * ow)
        r = row - n * oh * ow
        i = r // ow
        j = r - i * ow
        ab = e // c
        k = e - ab * c
        a = ab // kw
        b = ab - a * kw
        ih = i * sh - pt + a * dh
        iw = j * sw - pl + b * dw
        if ih < 0 or ih >= h or iw < 0 or iw >= w:
            cols[row, e] = 0
        else:
            cols[row, e] = x[n, ih, iw, k]


@kernel
def _col2im(cols, dx, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow):
    t = cuda.grid(1)
    h, w, c = dx.shape[1], dx.shape[2], dx.shape[3]
    if t < dx.size:
        n = t // (h * w * c)
        r = t - n * h * w * c
        ih = r // (w * c)
        r -= ih * w * c
        iw = r // c
        k = r - iw * c
        acc = 0.0
        for a in range(kh):
            num = ih + pt - a * dh  # = i * sh for the output row i that reads ih
            if num < 0 or num % sh != 0 or num // sh >= oh:
                continue
            i = num // sh
            for b in range(kw):
                numw = iw + pl - b * dw
                if numw < 0 or numw % sw != 0 or numw // sw >= ow:
                    continue
                j = numw // sw
                acc += cols[(n * oh + i) * ow + j, (a * kw + b) * c + k]
        dx[n, ih, iw, k] = acc


def im2col(x, cols, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow):
    """cols[(n*oh+i)*ow+j, (a*kw+b)*C + c] = x[n, i*sh-pt+a*dh, j*sw-pl+b*dw, c] (0 outside)."""
    launch(_im2col, cols.shape[0] * kh * kw * x.shape[3], x, cols, kh, kw, sh, sw, dh, dw, pt, pl,
           oh, ow)


def col2im(cols, dx, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow):
    """Adjoint of `im2col`: dx[n, h, w, c] = the sum of the column entries read from it."""
    launch(_col2im, dx.size, cols, dx, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow)
