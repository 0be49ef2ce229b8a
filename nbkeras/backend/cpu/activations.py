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
def _act_forward(x, out, code, alpha):
    n = x.size
    if code == 1:
        for i in range(n):
            v = x[i]
            out[i] = 0 if v <= 0 else v
    else:
        for i in range(n):
            out[i] = _act(x[i], code, alpha)


@jit
def _act_backward(g, z, y, out, code, alpha):
    n = g.size
    if code == 1:
        for i in range(n):
            out[i] = g[i] if y[i] > 0 else 0
    else:
        for i in range(n):
            out[i] = g[i] * _dact(z[i], y[i], code, alpha)


@jit
def _bias_act_forward(z, b, y, code, alpha):
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


# Linear and ReLU, the activations of most first models, get kernels of their own that
# never call `_act` / `_dact`: a cold kernel cache then compiles neither (about 0.5 s of
# the first fit). Their loops are the general kernels' code-0/1 loops, so the numbers are
# the same whichever kernel runs.


@jit
def _relu_forward(x, out, code):
    n = x.size
    if code == 1:
        for i in range(n):
            v = x[i]
            out[i] = 0 if v <= 0 else v
    else:
        for i in range(n):
            out[i] = x[i]


@jit
def _relu_backward(g, y, out, code):
    n = g.size
    if code == 1:
        for i in range(n):
            out[i] = g[i] if y[i] > 0 else 0
    else:
        for i in range(n):
            out[i] = g[i]


@jit
def _bias_relu_forward(z, b, y, code):
    n, m = z.shape
    has_bias = b.size > 0
    if code == 0:
        if has_bias:
            for i in range(n):
                for j in range(m):
                    y[i, j] = z[i, j] + b[j]
    else:
        for i in range(n):
            for j in range(m):
                v = z[i, j] + b[j] if has_bias else z[i, j]
                y[i, j] = 0 if v <= 0 else v


def act_forward(x, out, code, alpha):
    """out = f(x) over flat arrays, f the activation numbered `code` (see `CODES`).

    Args:
        x: a 1-D float array.
        out: a 1-D array of x's size (it may be x), written in place.
        code: the activation's integer code.
        alpha: the activation's parameter (ELU's and leaky ReLU's alpha), else 0.

    Example:
        >>> out = np.empty(2, np.float32)
        >>> act_forward(np.array([-1.0, 2.0], np.float32), out, CODES["relu"], 0.0)
        >>> out.tolist()
        [0.0, 2.0]
    """
    if code <= 1:
        _relu_forward(x, out, code)
    else:
        _act_forward(x, out, code, alpha)


def act_backward(g, z, y, out, code, alpha):
    """out = g * f'(z) over flat arrays, with y = f(z); z may be y when the code does not
    need the input (see `NEEDS_INPUT`).

    Args:
        g: the incoming gradient, 1-D.
        z: the pre-activation, 1-D.
        y: the activation's output, 1-D.
        out: a 1-D array of g's size, written in place.
        code: the activation's integer code.
        alpha: the activation's parameter, else 0.

    Example:
        >>> y = np.array([0.0, 2.0], np.float32)
        >>> out = np.empty(2, np.float32)
        >>> act_backward(np.ones(2, np.float32), y, y, out, CODES["relu"], 0.0)
        >>> out.tolist()
        [0.0, 1.0]
    """
    if code <= 1:
        _relu_backward(g, y, out, code)
    else:
        _act_backward(g, z, y, out, code, alpha)


def bias_act_forward(z, b, y, code, alpha):
    """z[i, j] += b[j] in place (when b is non-empty), then y = f(z); y may be z.

    Args:
        z: the 2-D pre-activation (rows, units), C-contiguous.
        b: the bias (units,), or an empty array for none.
        y: the 2-D output, z's shape (it may be z), written in place.
        code: the activation's integer code.
        alpha: the activation's parameter, else 0.

    Example:
        >>> z = np.array([[-2.0, 1.0]], np.float32)
        >>> bias_act_forward(z, np.ones(2, np.float32), z, CODES["relu"], 0.0)
        >>> z.tolist()
        [[0.0, 2.0]]
    """
    if code <= 1:
        _bias_relu_forward(z, b, y, code)
    else:
        _bias_act_forward(z, b, y, code, alpha)


@jit
def _col_sum(x, out, acc):
    n, m = x.shape
    for j in range(m):
        acc[j] = 0.0
    for i in range(n):
        for j in range(m):
            acc[j] += x[i, j]
    for j in range(m):
        out[j] = acc[j]


def col_sum(x, out):
    """out[j] = sum_i x[i, j] (the bias gradient), accumulated in float64.

    The float64 accumulator comes from NumPy: allocating it inside the kernel would make
    a cold cache compile Numba's `np.zeros` as well (about 0.15 s of the first fit).

    Args:
        x: a C-contiguous 2-D float array.
        out: a 1-D array of `x.shape[1]` elements, written in place.

    Example:
        >>> out = np.empty(2, np.float32)
        >>> col_sum(np.ones((3, 2), np.float32), out)
        >>> out.tolist()
        [3.0, 3.0]
    """
    _col_sum(x, out, np.empty(x.shape[1], np.float64))
