"""More elementwise ops with Keras 3 names (trigonometric and hyperbolic functions and
their inverses, logarithms in other bases, `reciprocal`, `rsqrt`, `cbrt`, `exp2`,
`arctan2`, `logaddexp`, `hypot`, `trunc`, `mod`, `floor_divide`), each one `op` with
its gradient, built like the ops of ops/numpy.py.

Example:
    >>> ops.arctan2(np.array([1.0]), np.array([1.0]))
    array([0.78539816])
"""

import numpy as np

from nbkeras.ops.core import op
from nbkeras.ops.numpy import _binary, _unary

__all__ = ["arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh", "cbrt",
           "cosh", "exp2", "floor_divide", "hypot", "log10", "log2", "logaddexp", "mod",
           "reciprocal", "rsqrt", "sinh", "tan", "trunc"]

_LN2, _LN10 = float(np.log(2.0)), float(np.log(10.0))


def _make(name, value, grad, doc):
    def fn(x):
        return _unary(name, x, value, grad)

    fn.__name__ = name
    fn.__doc__ = (f"{doc}, elementwise (differentiable).\n\n    Args:\n        x: the tensor.\n\n"
                  f"    Example:\n        >>> ops.{name}(np.array([0.5]))\n")
    return fn


tan = _make("tan", lambda xp, a: xp.tan(a), lambda xp, g, a, y: g * (1 + y * y), "Tangent")
sinh = _make("sinh", lambda xp, a: xp.sinh(a), lambda xp, g, a, y: g * xp.cosh(a),
             "Hyperbolic sine")
cosh = _make("cosh", lambda xp, a: xp.cosh(a), lambda xp, g, a, y: g * xp.sinh(a),
             "Hyperbolic cosine")
arcsin = _make("arcsin", lambda xp, a: xp.arcsin(a),
               lambda xp, g, a, y: g / xp.sqrt(1 - a * a), "Inverse sine")
arccos = _make("arccos", lambda xp, a: xp.arccos(a),
               lambda xp, g, a, y: -g / xp.sqrt(1 - a * a), "Inverse cosine")
arctan = _make("arctan", lambda xp, a: xp.arctan(a), lambda xp, g, a, y: g / (1 + a * a),
               "Inverse tangent")
arcsinh = _make("arcsinh", lambda xp, a: xp.arcsinh(a),
                lambda xp, g, a, y: g / xp.sqrt(a * a + 1), "Inverse hyperbolic sine")
arccosh = _make("arccosh", lambda xp, a: xp.arccosh(a),
                lambda xp, g, a, y: g / xp.sqrt(a * a - 1), "Inverse hyperbolic cosine")
arctanh = _make("arctanh", lambda xp, a: xp.arctanh(a), lambda xp, g, a, y: g / (1 - a * a),
                "Inverse hyperbolic tangent")
log2 = _make("log2", lambda xp, a: xp.log2(a), lambda xp, g, a, y: g / (a * _LN2),
             "Base-2 logarithm")
log10 = _make("log10", lambda xp, a: xp.log10(a), lambda xp, g, a, y: g / (a * _LN10),
              "Base-10 logarithm")
exp2 = _make("exp2", lambda xp, a: xp.exp2(a), lambda xp, g, a, y: g * y * _LN2, "2 ** x")
reciprocal = _make("reciprocal", lambda xp, a: xp.true_divide(1, a),
                   lambda xp, g, a, y: -g * y * y, "1 / x")
rsqrt = _make("rsqrt", lambda xp, a: xp.true_divide(1, xp.sqrt(a)),
              lambda xp, g, a, y: -0.5 * g * y * y * y, "1 / sqrt(x)")
cbrt = _make("cbrt", lambda xp, a: xp.cbrt(a), lambda xp, g, a, y: g / (3 * y * y),
             "Cube root")


def trunc(x):
    """Round toward zero, elementwise (no gradient).

    Example:
        >>> ops.trunc(np.array([-1.7, 1.7]))
        array([-1.,  1.])
    """
    return op("trunc", lambda xp, a: xp.trunc(a), (x,))


def arctan2(x1, x2):
    """The angle of the point (x2, x1), elementwise, with broadcasting (differentiable).

    Example:
        >>> ops.arctan2(np.array([1.0]), np.array([-1.0]))
        array([2.35619449])
    """
    return _binary("arctan2", x1, x2, lambda xp, a, b: xp.arctan2(a, b),
                   lambda xp, g, a, b, y: g * b / (a * a + b * b),
                   lambda xp, g, a, b, y: -g * a / (a * a + b * b))


def logaddexp(x1, x2):
    """log(exp(x1) + exp(x2)), elementwise and stable (differentiable).

    Example:
        >>> ops.logaddexp(np.array([0.0]), np.array([0.0]))
        array([0.69314718])
    """
    return _binary("logaddexp", x1, x2, lambda xp, a, b: xp.logaddexp(a, b),
                   lambda xp, g, a, b, y: g * xp.exp(a - y),
                   lambda xp, g, a, b, y: g * xp.exp(b - y))


def hypot(x1, x2):
    """sqrt(x1 ** 2 + x2 ** 2), elementwise (differentiable).

    Example:
        >>> ops.hypot(np.array([3.0]), np.array([4.0]))
        array([5.])
    """
    return _binary("hypot", x1, x2, lambda xp, a, b: xp.hypot(a, b),
                   lambda xp, g, a, b, y: g * a / y, lambda xp, g, a, b, y: g * b / y)


def mod(x1, x2):
    """The remainder of x1 / x2 with the sign of x2 (no gradient).

    Example:
        >>> ops.mod(np.array([-3.0, 5.0]), 4.0)
        array([1., 1.])
    """
    return op("mod", lambda xp, a, b: xp.mod(a, b), (x1, x2))


def floor_divide(x1, x2):
    """floor(x1 / x2), elementwise (no gradient).

    Example:
        >>> ops.floor_divide(np.array([-3.0, 5.0]), 4.0)
        array([-1.,  1.])
    """
    return op("floor_divide", lambda xp, a, b: xp.floor_divide(a, b), (x1, x2))
