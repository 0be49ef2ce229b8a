"""Vectorizable float32 exp, tanh and sigmoid for use inside CPU kernels.

`math.exp` and `math.tanh` are calls into libm, so a loop that uses them stays scalar
(about 3 ns an element). These versions are plain arithmetic that LLVM turns into SIMD
code (about 0.2 ns an element), accurate to a few float32 ulps:

- `exp`: Cody-Waite range reduction by ln 2, a degree-6 polynomial, and the power of
  two built from its exponent bits.
- `tanh`: a rational approximation x * P(s) / Q(s), s = (x / 9)^2, |x| clamped to 9;
  the coefficients come from `tools/fit_tanh.py` (max 6.6 ulp in float32).
- `sigmoid`: 1 / (1 + exp(-|x|)), mirrored for x < 0, so small outputs keep their
  relative accuracy.

They are Numba overloads: in a kernel compiled for float32 the fast versions are used;
for float64 (and anything else) they are exactly `math.exp` / `math.tanh` and the usual
stable sigmoid, so float64 gradient checks stay exact. NaN propagates; exp flushes results below
float32's smallest normal to 0 and overflows to inf; tanh stays within [-1, 1].

Example (inside an `@jit` kernel):

    for j in range(n):
        out[j] = fastmath.tanh(x[j])
"""

import math

import numpy as np
from numba import types
from numba.extending import overload

__all__ = ["exp", "tanh", "sigmoid"]

_TANH_CLAMP = 9.0
_TANH_P = (0.9999999419211106, 10.464558216130824, 19.16295277750401, 4.924939591320539,
           -0.5501148477597264, 0.06364303710323709)
_TANH_Q = (1.0, 37.46451832087458, 155.90952234417526, 121.21975870112624)


def exp(x):
    """e**x (float32 fast path in kernels). Args: x: a float. Example: `exp(1.0)`."""
    return math.exp(x)


def tanh(x):
    """Hyperbolic tangent (float32 fast path in kernels). Args: x: a float. Example: `tanh(0.5)`."""
    return math.tanh(x)


def sigmoid(x):
    """1 / (1 + e**-x) (float32 fast path in kernels). Args: x: a float. Example: `sigmoid(0.0)`."""
    return _sigmoid64(x)


def _sigmoid64(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


f32 = np.float32
_P0, _P1, _P2, _P3, _P4, _P5 = (f32(v) for v in _TANH_P)
_Q1, _Q2, _Q3 = (f32(v) for v in _TANH_Q[1:])
_INV_CLAMP2 = f32(1.0 / _TANH_CLAMP ** 2)
_CLAMP = f32(_TANH_CLAMP)
_LOG2E = f32(1.4426950408889634)
_LN2_HI = f32(0.693359375)  # few mantissa bits: n * _LN2_HI is exact
_LN2_LO = f32(-2.12194440e-4)
_EXP_HI = f32(88.0)
_EXP_LO = f32(-87.0)  # below: 0 (exp would be subnormal)
_EXP_MAX = f32(88.72283)  # above: inf
_INF = f32(np.inf)
_ZERO = f32(0.0)
_C2, _C3, _C4, _C5, _C6 = (f32(1 / 2), f32(1 / 6), f32(1 / 24), f32(1 / 120), f32(1 / 720))
_ONE = f32(1.0)
_HALF = f32(0.5)


def _exp32(x):
    v = min(max(x, _EXP_LO), _EXP_HI)
    n = np.floor(v * _LOG2E + _HALF)
    r = v - n * _LN2_HI - n * _LN2_LO
    p = _C6 * r + _C5
    p = p * r + _C4
    p = p * r + _C3
    p = p * r + _C2
    p = p * r + _ONE
    p = p * r + _ONE
    y = p * np.int32((np.int32(n) + 127) << 23).view(np.float32)
    y = _INF if x > _EXP_MAX else (_ZERO if x < _EXP_LO else y)
    return y if x == x else x


def _tanh32(x):
    v = min(max(x, -_CLAMP), _CLAMP)
    s = v * v * _INV_CLAMP2
    num = ((((_P5 * s + _P4) * s + _P3) * s + _P2) * s + _P1) * s + _P0
    den = ((_Q3 * s + _Q2) * s + _Q1) * s + _ONE
    y = min(max(v * num / den, -_ONE), _ONE)
    return y if x == x else x


def _sigmoid32(x):
    e = exp(-abs(x))
    s = _ONE / (_ONE + e)
    y = s if x >= 0 else e * s
    return y if x == x else x


@overload(exp)
def _ol_exp(x):
    if x == types.float32:
        return _exp32
    return lambda x: math.exp(x)


@overload(tanh)
def _ol_tanh(x):
    if x == types.float32:
        return _tanh32
    return lambda x: math.tanh(x)


@overload(sigmoid)
def _ol_sigmoid(x):
    if x == types.float32:
        return _sigmoid32
    return _sigmoid64
