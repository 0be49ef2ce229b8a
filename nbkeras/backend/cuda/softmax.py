"""Row-wise softmax and log-softmax over the last axis of a 2-D array, one thread per row.

Same names and arguments as `nbkeras.backend.cpu.softmax`; the row max / exp-sum is the
CPU's formula (`nbkeras.backend.formulas.rows`).
"""

import math

from numba import cuda

from nbkeras.backend.cuda._launch import formulas, kernel, launch
from nbkeras.backend.formulas import rows

row_max_exp_sum = formulas(rows).row_max_exp_sum


@kernel
def _softmax_forward(x, out):
    i = cuda.grid(1)
    if i < x.shape[0]:
        mx, s = row_max_exp_sum(x, i)
        inv = 1.0 / s
        for j in range(x.shape[1]):
            out[i, j] = math.exp(x[i, j] - mx) * inv


@kernel
def _softmax_backward(g, y, out):
    i = cuda.grid(1)
    if i < y.shape[0]:
        d = 0.0
        for j in range(y.shape[1]):
            d += g[i, j] * y[i, j]
        for j in range(y.shape[1]):
            out[i, j] = y[i, j] * (g[i, j] - d)


@kernel
def _log_softmax_forward(x, out):
    i = cuda.grid(1)
    if i < x.shape[0]:
        mx, s = row_max_exp_sum(x, i)
        lse = mx + math.log(s)
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] - lse


@kernel
def _log_softmax_backward(g, y, out):
    i = cuda.grid(1)
    if i < y.shape[0]:
        s = 0.0
        for j in range(y.shape[1]):
            s += g[i, j]
        for j in range(y.shape[1]):
            out[i, j] = g[i, j] - math.exp(y[i, j]) * s


def softmax_forward(x, out):
    """out[i] = softmax(x[i]) for each row of a 2-D array."""
    launch(_softmax_forward, x.shape[0], x, out)


def softmax_backward(g, y, out):
    """out = y * (g - sum(g * y)) per row."""
    launch(_softmax_backward, y.shape[0], g, y, out)


def log_softmax_forward(x, out):
    """out[i] = x[i] - logsumexp(x[i]) for each row."""
    launch(_log_softmax_forward, x.shape[0], x, out)


def log_softmax_backward(g, y, out):
    """out = g - exp(y) * sum(g) per row, where y is the log-softmax output."""
    launch(_log_softmax_backward, y.shape[0], g, y, out)
