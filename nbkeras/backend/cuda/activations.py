"""Elementwise activation kernels on the GPU, forward and backward, with the fused bias add.

Same names, arguments and activation codes as `nbkeras.backend.cpu.activations`; one
thread per element, computing in float64 registers like the CPU twin. NaN and +-inf
follow Keras as the CPU twin does: `relu(NaN)` is NaN and softsign's gradient is NaN
at +-inf.
"""

import math

from numba import cuda

from nbkeras.backend.activation_codes import CODES, NEEDS_INPUT  # noqa: F401
from nbkeras.backend.cuda._launch import device, kernel, launch

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_HALF = 0.7071067811865476
_SQRT_2_OVER_PI = 0.7978845608028654
_INV_SQRT_2PI = 0.3989422804014327


@device
def sigmoid(v):
    """The overflow-free logistic function of a float64."""
    if v >= 0.0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


@device
def _softplus(v):
    return max(v, 0.0) + math.log1p(math.exp(-abs(v)))


@device
def act(v, code, alpha):
    """f(v) for activation `code` (see `nbkeras.backend.activation_codes`)."""
    if code == 0:
        return v
    if code == 1:
        return 0.0 if v <= 0.0 else v  # NaN stays NaN, as in Keras
    if code == 2:
        return sigmoid(v)
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
        return v * sigmoid(v)
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
    return v * math.tanh(_softplus(v))  # 16: mish


@device
def dact(z, y, code, alpha):
    """f'(z) for activation `code`, from the pre-activation z and the output y."""
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
        s = sigmoid(z)
        return s * (1.0 + z * (1.0 - s))
    if code == 9:
        return 0.5 * (1.0 + math.erf(z * _SQRT_HALF)) + z * _INV_SQRT_2PI * math.exp(-0.5 * z * z)
    if code == 10:
        t = math.tanh(_SQRT_2_OVER_PI * (z + 0.044715 * z * z * z))
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
    t = math.tanh(_softplus(z))
    return t + z * sigmoid(z) * (1.0 - t * t)


@kernel
def _act_forward(x, out, code, alpha):
    i = cuda.grid(1)
    if i < x.size:
        out[i] = act(float(x[i]), code, alpha)


@kernel
def _act_backward(g, z, y, out, code, alpha):
    i = cuda.grid(1)
    if i < g.size:
        if code == 1:  # relu passes g where y > 0 and 0 elsewhere, even a NaN g (Keras's where)
            out[i] = g[i] if y[i] > 0 else 0
        else:
            out[i] = g[i] * dact(float(z[i]), float(y[i]), code, alpha)


@kernel
def _bias_act_forward(z, b, y, code, alpha, has_bias):
    t = cuda.grid(1)
    m = z.shape[1]
    if t < z.shape[0] * m:
        i = t // m
        j = t - i * m
        v = float(z[i, j])
        if has_bias:
            v += b[j]
            z[i, j] = v
        y[i, j] = act(v, code, alpha)


@kernel
def _col_sum(x, out):
    j = cuda.grid(1)
    if j < x.shape[1]:
        acc = 0.0
        for i in range(x.shape[0]):
            acc += x[i, j]
        out[j] = acc


def act_forward(x, out, code, alpha):
    """out = f(x) over flat arrays."""
    launch(_act_forward, x.size, x, out, code, float(alpha))


def act_backward(g, z, y, out, code, alpha):
    """out = g * f'(z) over flat arrays; z may be y when the code does not need it."""
    launch(_act_backward, g.size, g, z, y, out, code, float(alpha))


def bias_act_forward(z, b, y, code, alpha):
    """z[i, j] += b[j] in place (when b is non-empty), then y = f(z); y may be z."""
    launch(_bias_act_forward, z.size, z, b, y, code, float(alpha), b.size > 0)


def col_sum(x, out):
    """out[j] = sum_i x[i, j] (the bias gradient), accumulated in float64."""
    launch(_col_sum, x.shape[1], x, out)
