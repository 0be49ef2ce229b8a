"""Activation values and derivatives, per element, by activation code (one table for
every kernel: `nbkeras.backend.activation_codes`). They compute in float64, whatever the
array dtype. NaN and +-inf follow Keras: `relu(NaN)` is NaN and softsign's gradient is
NaN at +-inf. The CPU and CUDA activation, loss and recurrent kernels call them.
"""

import math

from nbkeras.backend.formulas._formula import formula

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_HALF = 0.7071067811865476
_SQRT_2_OVER_PI = 0.7978845608028654
_INV_SQRT_2PI = 0.3989422804014327


@formula
def sigmoid(v):
    """The overflow-free logistic function of a float64."""
    if v >= 0.0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


@formula
def softplus(v):
    """log(1 + exp(v)) without overflow."""
    return max(v, 0.0) + math.log1p(math.exp(-abs(v)))


@formula
def act(v, code, alpha):
    """f(v) for activation `code` (see `nbkeras.backend.activation_codes`), in float64."""
    v = float(v)
    if code == 0:
        return v
    if code == 1:
        return 0.0 if v <= 0.0 else v  # NaN stays NaN
    if code == 2:
        return sigmoid(v)
    if code == 3:
        return math.tanh(v)
    if code == 4:
        return v if v > 0.0 else alpha * math.expm1(v)
    if code == 5:
        return _SELU_SCALE * (v if v > 0.0 else _SELU_ALPHA * math.expm1(v))
    if code == 6:
        return softplus(v)
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
    # 16: mish
    return v * math.tanh(softplus(v))


@formula
def dact(z, y, code, alpha):
    """f'(z) for activation `code`, from the pre-activation z and the output y, in float64."""
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
        s = sigmoid(z)
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
    sp = softplus(z)
    t = math.tanh(sp)
    return t + z * sigmoid(z) * (1.0 - t * t)
