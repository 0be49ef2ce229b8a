"""More of Keras 3's `keras.ops.nn`: the shrink, sparse and threshold activations, `celu`,
`glu`, `log_sigmoid`, `hard_tanh`, `squareplus`, `sparsemax`, `psnr`, `normalize` and the
`rms_normalization` op (`layer_normalization` is in ops/normalization.py), each
differentiable, through `op` (an elementwise forward with its gradient) or `composite`
(built from other ops).

Example:
    >>> ops.celu(np.array([-1.0, 2.0]))
    array([-0.63212056,  2.        ])
"""

import numpy as np

from nbkeras import config
from nbkeras.ops import numpy as knp
from nbkeras.ops.array import split
from nbkeras.ops.core import composite, unwrap
from nbkeras.ops.math import cumsum, norm, sort
from nbkeras.ops.nn import sigmoid
from nbkeras.ops.numpy import _unary

__all__ = ["celu", "glu", "hard_shrink", "hard_tanh", "log_sigmoid",
           "normalize", "psnr", "rms_normalization", "soft_shrink", "sparse_plus",
           "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink", "threshold"]


def _f(xp, a):
    a = xp.asarray(a)
    return a if a.dtype.kind == "f" else a.astype(config.floatx())


def _mask(xp, cond, g):
    return g * cond.astype(g.dtype)


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: `max(x, 0) + alpha * expm1(min(x, 0) / alpha)`.

    Args:
        x: the tensor.
        alpha: the scale of the negative part.

    Example:
        >>> ops.celu(np.array([-1.0, 1.0]), alpha=2.0)
        array([-0.78693868,  1.        ])
    """
    def value(xp, a):
        a = _f(xp, a)
        al = a.dtype.type(alpha)
        return xp.maximum(a, 0) + al * xp.expm1(xp.minimum(a, 0) / al)

    return _unary("celu", x, value,
                  lambda xp, g, a, y: g * xp.where(a > 0, 1.0, xp.exp(
                      xp.minimum(a, 0) / alpha)).astype(g.dtype), {"alpha": alpha})


def glu(x, axis=-1):
    """Gated linear unit: x split in two halves a, b along `axis`, then `a * sigmoid(b)`.

    Args:
        x: the tensor; its size along `axis` must be even.
        axis: the axis to split.

    Example:
        >>> ops.glu(np.array([1.0, 2.0, 0.0, 0.0]))
        array([0.5, 1. ])
    """
    if not getattr(x, "_keras_symbolic", False):
        n = knp.shape(x)[axis]
        if n % 2:
            raise ValueError("axis size must be divisible by 2. "
                             f"Received: x.shape={knp.shape(x)} with axis={axis}")

    def run(x):
        a, b = split(x, 2, axis=axis)
        return knp.multiply(a, sigmoid(b))

    return composite("glu", run, (x,), {"axis": axis})


def log_sigmoid(x):
    """`log(sigmoid(x))`, computed stably as `-softplus(-x)`.

    Example:
        >>> ops.log_sigmoid(np.array([0.0]))
        array([-0.69314718])
    """
    def value(xp, a):
        a = _f(xp, a)
        return -(xp.log1p(xp.exp(-xp.abs(a))) + xp.maximum(-a, 0))

    return _unary("log_sigmoid", x, value,
                  lambda xp, g, a, y: g * (1.0 - xp.exp(y)).astype(g.dtype))


def hard_shrink(x, threshold=0.5):
    """x where `|x| > threshold`, else 0.

    Args:
        x: the tensor.
        threshold: the threshold.

    Example:
        >>> ops.hard_shrink(np.array([-1.0, 0.2, 0.7]))
        array([-1. ,  0. ,  0.7])
    """
    return _unary("hard_shrink", x, lambda xp, a: xp.where(xp.abs(_f(xp, a)) > threshold,
                                                           _f(xp, a), 0).astype(_f(xp, a).dtype),
                  lambda xp, g, a, y: _mask(xp, xp.abs(a) > threshold, g),
                  {"threshold": threshold})


def soft_shrink(x, threshold=0.5):
    """x moved `threshold` towards 0, and 0 within `threshold` of 0.

    Args:
        x: the tensor.
        threshold: the threshold.

    Example:
        >>> ops.soft_shrink(np.array([-1.0, 0.2, 0.7]))
        array([-0.5,  0. ,  0.2])
    """
    def value(xp, a):
        a = _f(xp, a)
        t = a.dtype.type(threshold)
        return xp.where(a > t, a - t, xp.where(a < -t, a + t, 0)).astype(a.dtype)

    return _unary("soft_shrink", x, value,
                  lambda xp, g, a, y: _mask(xp, xp.abs(a) > threshold, g),
                  {"threshold": threshold})


def tanh_shrink(x):
    """`x - tanh(x)`.

    Example:
        >>> ops.tanh_shrink(np.array([0.0]))
        array([0.])
    """
    return _unary("tanh_shrink", x, lambda xp, a: _f(xp, a) - xp.tanh(_f(xp, a)),
                  lambda xp, g, a, y: g * xp.square(xp.tanh(a)).astype(g.dtype))


def hard_tanh(x):
    """x clipped to [-1, 1].

    Example:
        >>> ops.hard_tanh(np.array([-2.0, 0.5]))
        array([-1. ,  0.5])
    """
    return _unary("hard_tanh", x, lambda xp, a: xp.clip(_f(xp, a), -1, 1),
                  lambda xp, g, a, y: _mask(xp, ~((a > 1) | (a < -1)), g))  # 1 at NaN, as JAX


def sparse_plus(x):
    """0 for x <= -1, `(x + 1)^2 / 4` for -1 < x < 1, and x for x >= 1.

    Example:
        >>> ops.sparse_plus(np.array([-2.0, 0.0, 2.0]))
        array([0.  , 0.25, 2.  ])
    """
    def value(xp, a):
        a = _f(xp, a)
        return xp.where(a <= -1, 0, xp.where(a >= 1, a, 0.25 * (a + 1) ** 2)).astype(a.dtype)

    def grad(xp, g, a, y):  # JAX's `where` rule: a masked-off inf branch gives 0 * inf = NaN
        lo = a <= -1
        hi = ~lo & (a >= 1)
        mid = (~lo & ~hi).astype(g.dtype)
        return g * hi.astype(g.dtype) + (g * mid) * (0.5 * (a + 1)).astype(g.dtype)

    return _unary("sparse_plus", x, value, grad)


def sparse_sigmoid(x):
    """0 for x <= -1, `(x + 1) / 2` for -1 < x < 1, and 1 for x >= 1.

    Example:
        >>> ops.sparse_sigmoid(np.array([-2.0, 0.0, 2.0]))
        array([0. , 0.5, 1. ])
    """
    return _unary("sparse_sigmoid", x,
                  lambda xp, a: xp.clip(0.5 * (_f(xp, a) + 1), 0, 1).astype(_f(xp, a).dtype),
                  lambda xp, g, a, y: 0.5 * _mask(xp, (a > -1) & (a < 1), g))


def squareplus(x, b=4):
    """`(x + sqrt(x^2 + b)) / 2`, a smooth ReLU.

    Args:
        x: the tensor.
        b: the smoothness (>= 0).

    Example:
        >>> ops.squareplus(np.array([0.0]))
        array([1.])
    """
    return _unary("squareplus", x,
                  lambda xp, a: (_f(xp, a) + xp.sqrt(_f(xp, a) ** 2 + b)) / 2,
                  lambda xp, g, a, y: g * (0.5 * (1 + a / xp.sqrt(a * a + b))).astype(g.dtype),
                  {"b": b})


def threshold(x, threshold, default_value):
    """x where `x > threshold`, else `default_value`.

    Args:
        x: the tensor.
        threshold: the threshold.
        default_value: the value below it.

    Example:
        >>> ops.threshold(np.array([-1.0, 2.0]), 0.0, -5.0)
        array([-5.,  2.])
    """
    return _unary("threshold", x,
                  lambda xp, a: xp.where(_f(xp, a) > threshold, _f(xp, a),
                                         default_value).astype(_f(xp, a).dtype),
                  lambda xp, g, a, y: _mask(xp, a > threshold, g),
                  {"threshold": threshold, "default_value": default_value})


def sparsemax(x, axis=-1):
    """Sparsemax along `axis`, computed as Keras 3 computes it (its threshold tau is
    `(sum of the cumulative sums over the support - 1) / k`, which equals the textbook
    projection onto the simplex only when the support has one entry).

    Args:
        x: the logits.
        axis: the axis.

    Example:
        >>> ops.sparsemax(np.array([1.0, 2.0, 3.0]))
        array([0., 0., 1.])
    """
    def run(x):
        xs = knp.negative(sort(knp.negative(x), axis=axis))
        cs = cumsum(xs, axis=axis)
        n = knp.shape(x)[axis]
        r_shape = [1] * len(knp.shape(x))
        r_shape[axis] = n
        r = np.arange(1, n + 1, dtype=knp.convert_to_tensor(x).dtype).reshape(r_shape)
        # the support and its size carry no gradient (as in Keras)
        support = unwrap(knp.greater(knp.subtract(unwrap(xs), knp.divide(unwrap(cs) - 1, r)), 0))
        k = unwrap(knp.sum(knp.cast(support, r.dtype), axis=axis, keepdims=True))
        safe = knp.where(support, cs, 0.0)
        tau = knp.divide(knp.sum(safe, axis=axis, keepdims=True) - 1.0, k)
        return knp.maximum(x - tau, 0.0)

    return composite("sparsemax", run, (x,), {"axis": axis})


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio `20 log10(max_val) - 10 log10(mean((x1 - x2)^2))` over
    all entries.

    Args:
        x1: the first images.
        x2: the second images, of x1's shape.
        max_val: the largest possible pixel value.

    Example:
        >>> float(ops.psnr(np.zeros(4), np.full(4, 0.1), 1.0))
        20.0
    """
    s1 = knp.shape(x1)
    s2 = knp.shape(x2)
    if s1 != s2:
        raise ValueError(f"Input shapes {s1} and {s2} must match for PSNR calculation. "
                         f"Received: x1.shape={s1}, x2.shape={s2}")

    def run(x1, x2):
        mse = knp.mean(knp.square(knp.subtract(x1, x2)))
        dt = knp.convert_to_tensor(x2).dtype
        top = 20.0 * np.log10(np.asarray(max_val, dt))
        return knp.subtract(top, knp.multiply(knp.log(mse), np.asarray(10.0 / np.log(10.0), dt)))

    return composite("psnr", run, (x1, x2), {"max_val": max_val})


def normalize(x, axis=-1, order=2, epsilon=None):
    """x divided by its `order`-norm along `axis` (a norm below `epsilon` counts as
    epsilon).

    Args:
        x: the tensor.
        axis: the axis (or axes).
        order: the norm's order, an int >= 1.
        epsilon: the smallest norm (default `config.epsilon()`).

    Example:
        >>> ops.normalize(np.array([3.0, 4.0]))
        array([0.6, 0.8])
    """
    if not isinstance(order, int) or isinstance(order, bool) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    eps = config.epsilon() if epsilon is None else epsilon

    def run(x):
        if order == 2:
            inv = knp.minimum(knp.power(knp.sum(knp.square(x), axis=axis, keepdims=True), -0.5),
                              1.0 / eps)
            return knp.multiply(x, inv)
        return knp.divide(x, knp.maximum(norm(x, ord=order, axis=axis, keepdims=True), eps))

    return composite("normalize", run, (x,), {"axis": axis, "order": order, "epsilon": epsilon})


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """Root-mean-square normalization over `axis`: `x / sqrt(mean(x^2) + epsilon) * scale`.

    Args:
        x: the tensor.
        scale: the scale (None: 1).
        axis: the axis or axes.
        epsilon: added to the mean square (default `config.epsilon()`).

    Example:
        >>> ops.rms_normalization(np.array([[3.0, 4.0]]), epsilon=0.0)
        array([[0.84852814, 1.13137085]])
    """
    eps = config.epsilon() if epsilon is None else epsilon

    def run(x, scale):
        ax = sorted(axis) if isinstance(axis, (list, tuple)) else axis
        if len(knp.shape(x)) == 0:
            x = knp.expand_dims(x, 0)
        out = x * knp.power(knp.mean(knp.square(x), axis=ax, keepdims=True) + eps, -0.5)
        if scale is None:
            return out
        return out * knp.cast(scale, knp.convert_to_tensor(x).dtype)

    return composite("rms_normalization", run, (x, scale), {"axis": axis, "epsilon": epsilon})
