"""Row-wise softmax and log-softmax over the last axis of a 2-D array."""

import math

from nbkeras.backend.cpu._jit import jit


@jit
def softmax_forward(x, out):
    n, m = x.shape
    for i in range(n):
        mx = x[i, 0]
        for j in range(1, m):
            if x[i, j] > mx:
                mx = x[i, j]
        s = 0.0
        for j in range(m):
            e = math.exp(x[i, j] - mx)
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
        mx = x[i, 0]
        for j in range(1, m):
            if x[i, j] > mx:
                mx = x[i, j]
        s = 0.0
        for j in range(m):
            s += math.exp(x[i, j] - mx)
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
