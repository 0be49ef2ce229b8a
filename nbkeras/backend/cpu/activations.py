"""Elementwise activation kernels, forward and backward, with an optional fused bias add.

Each activation has an integer code (see `CODES`). Kernels read float arrays
and compute in float64 registers before storing in the output's dtype. NaN
propagates as in Keras (`relu(NaN)` is NaN), so NaN inputs show in the loss.
"""

import math

import numpy as np

from nbkeras.backend.activation_codes import CODES, NEEDS_INPUT  # noqa: F401
from nbkeras.backend.cpu._jit import jit

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_HALF = 0.7071067811865476
_SQRT_2_OVER_PI = 0.7978845608028654
_INV_SQRT_2PI = 0.3989422804014327


@jit
def _sigmoid(v):
    if v >= 0.0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


@jit
def _softplus(v):
    return max(v, 0.0) + math.log1p(math.exp(-abs(v)))


@jit
def _act(v, code, alpha):
    v = float(v)
    if code == 0:
        return v
    if code == 1:
        return 0.0 if v <= 0.0 else v  # NaN stays NaN
    if code == 2:
        return _sigmoid(v)
    if code == 3:
        return math.tanh(v)
    if code == 4:
        return v if v > 0.0 else alpha * math.expm1(v)
    if code == 5:
        return _SELU_SCALE * (v if v > 0.0 else _SELU_ALPHA * math.expm1(v))
    if code == 6:
        return _softplus(v)
    if code == 7:
        return v / (abs(v) + 1.0)
    if code == 8:
        return v * _sigmoid(v)
    if code == 9:
        return 0.5 * v * (1.0 + math.erf(v * _SQRT_HALF))
    if code == 10:
        return 0.5 * v * (1.0 + math.tanh(_SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)))
    if code == 11:
        return math.exp(v)
    if code == 12:
        return v if v > 0.0 else alpha * v
    if code == 13:
        return min(max(v, 0.0), 6.0)
    if code == 14:
        return min(max(v + 3.0, 0.0), 6.0) / 6.0
    if code == 15:
        return v * min(max(v + 3.0, 0.0), 6.0) / 6.0
    # 16: mish
    return v * math.tanh(_softplus(v))


@jit
def _dact(z, y, code, alpha):
    """Derivative of the activation at pre-activation z with output y."""
    z = float(z)
    y = float(y)
    if code == 0:
        return 1.0
    if code == 1:
        return 1.0 if y > 0.0 else 0.0
    if code == 2:
        return y * (1.0 - y)
    if code == 3:
        return 1.0 - y * y
    if code == 4:
        return 1.0 if y > 0.0 else y + alpha
    if code == 5:
        return _SELU_SCALE if y > 0.0 else y + _SELU_SCALE * _SELU_ALPHA
    if code == 6:
        return -math.expm1(-y)
    if code == 7:
        d = abs(z) + 1.0
        # Keras's autodiff of z / d gives (d - |z|) / d**2: NaN at +-inf.
        return 1.0 / (d * d) if d < math.inf else math.nan
    if code == 8:
        s = _sigmoid(z)
        return s * (1.0 + z * (1.0 - s))
    if code == 9:
        return 0.5 * (1.0 + math.erf(z * _SQRT_HALF)) + z * _INV_SQRT_2PI * math.exp(-0.5 * z * z)
    if code == 10:
        inner = _SQRT_2_OVER_PI * (z + 0.044715 * z * z * z)
        t = math.tanh(inner)
        return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * _SQRT_2_OVER_PI * (1.0 + 3.0 * 0.044715 * z * z)
    if code == 11:
        return y
    if code == 12:
        return 1.0 if y > 0.0 else alpha
    if code == 13:
        return 1.0 if 0.0 < y < 6.0 else 0.0
    if code == 14:
        return 1.0 / 6.0 if 0.0 < y < 1.0 else 0.0
    if code == 15:
        if z <= -3.0:
            return 0.0
        if z >= 3.0:
            return 1.0
        return (2.0 * z + 3.0) / 6.0
    sp = _softplus(z)
    t = math.tanh(sp)
    return t + z * _sigmoid(z) * (1.0 - t * t)


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
