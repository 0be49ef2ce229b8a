"""Elementwise activation kernels, forward and backward, with an optional fused bias add.

Each activation has an integer code (see `CODES`); its value and derivative are the
shared formulas of `nbkeras.backend.formulas.activations`. Kernels read float arrays
and compute in float64 registers before storing in the output's dtype. NaN
propagates as in Keras (`relu(NaN)` is NaN), so NaN inputs show in the loss.
"""

import numpy as np

from nbkeras.backend.activation_codes import CODES, NEEDS_INPUT  # noqa: F401
from nbkeras.backend.cpu._jit import jit
from nbkeras.backend.formulas import activations as formulas


@jit
def _act(v, code, alpha):
    return formulas.act(v, code, alpha)


@jit
def _dact(z, y, code, alpha):
    return formulas.dact(z, y, code, alpha)


@jit
def act_forward(x, out, code, alpha):
    """out = f(x) over flat arrays."""
    n = x.size
    if code == 1:
        for i in range(n):
            v = x[i]
            out[i] = 0 if v <= 0 else v
    else:
        for i in range(n):
            out[i] = _act(x[i], code, alpha)


@jit
def act_backward(g, z, y, out, code, alpha):
    """out = g * f'(z) over flat arrays; z may be y when the code does not need it."""
    n = g.size
    if code == 1:
        for i in range(n):
            out[i] = g[i] if y[i] > 0 else 0
    else:
        for i in range(n):
            out[i] = g[i] * _dact(z[i], y[i], code, alpha)


@jit
def bias_act_forward(z, b, y, code, alpha):
    """z[i, j] += b[j] in place (when b is non-empty), then y = f(z); y may be z."""
    n, m = z.shape
    has_bias = b.size > 0
    if code == 0:
        if has_bias:
            for i in range(n):
                for j in range(m):
                    y[i, j] = z[i, j] + b[j]
    elif code == 1:
        for i in range(n):
            for j in range(m):
                v = z[i, j] + b[j] if has_bias else z[i, j]
                y[i, j] = 0 if v <= 0 else v
    else:
        for i in range(n):
            for j in range(m):
                v = z[i, j] + b[j] if has_bias else z[i, j]
                z[i, j] = v
                y[i, j] = _act(v, code, alpha)


@jit
def col_sum(x, out):
    """out[j] = sum_i x[i, j] (the bias gradient), accumulated in float64."""
    n, m = x.shape
    acc = np.zeros(m, dtype=np.float64)
    for i in range(n):
        for j in range(m):
            acc[j] += x[i, j]
    for j in range(m):
        out[j] = acc[j]
