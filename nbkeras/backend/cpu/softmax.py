"""Row-wise softmax and log-softmax over the last axis of a 2-D array."""

import math

from nbkeras.backend.cpu import fastmath
from nbkeras.backend.cpu._jit import jit
from nbkeras.backend.formulas.rows import row_max, row_max_exp_sum


@jit
def softmax_forward(x, out):
    n, m = x.shape
    for i in range(n):
        mx = row_max(x, i)
        s = 0.0
        for j in range(m):
            e = fastmath.exp(x[i, j] - mx)  # SIMD in float32 (math.exp is a libm call)
            out[i, j] = e
            s += e
        inv = 1.0 / s
        for j in range(m):
            out[i, j] = out[i, j] * inv


@jit
def softmax_backward(g, y, out):
    """out = y * (g - sum(g * y)) per row."""
    n, m = y.shape
    for i in range(n):
        d = 0.0
        for j in range(m):
            d += g[i, j] * y[i, j]
        for j in range(m):
            out[i, j] = y[i, j] * (g[i, j] - d)


@jit
def log_softmax_forward(x, out):
    n, m = x.shape
    for i in range(n):
        mx, s = row_max_exp_sum(x, i)
        lse = mx + math.log(s)
        for j in range(m):
            out[i, j] = x[i, j] - lse


@jit
def log_softmax_backward(g, y, out):
    """out = g - exp(y) * sum(g) per row, where y is the log-softmax output."""
    n, m = y.shape
    for i in range(n):
        s = 0.0
        for j in range(m):
            s += g[i, j]
        for j in range(m):
            out[i, j] = g[i, j] - math.exp(y[i, j]) * s
