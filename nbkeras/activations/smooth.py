"""Smooth activations: sigmoid, tanh, softplus, softsign, silu/swish, gelu, mish,
exponential, log_sigmoid, squareplus, tanh_shrink and linear.

Example:
    >>> nbkeras.activations.mish(np.array([0.0, 1.0], "float32"))
    array([0.       , 0.8650984], dtype=float32)
"""

from nbkeras import ops
from nbkeras.activations.relu import _as_float


def sigmoid(x):
    """`1 / (1 + exp(-x))`.

    Example:
        >>> sigmoid(np.array([0.0], "float32"))
        array([0.5], dtype=float32)
    """
    return ops.sigmoid(x)


def tanh(x):
    """Hyperbolic tangent.

    Example:
        >>> tanh(np.array([0.0], "float32"))
        array([0.], dtype=float32)
    """
    return ops.tanh(x)


def softplus(x):
    """`log(exp(x) + 1)`, computed stably.

    Example:
        >>> softplus(np.array([0.0], "float32"))
        array([0.6931472], dtype=float32)
    """
    return ops.softplus(x)


def softsign(x):
    """`x / (|x| + 1)`.

    Example:
        >>> softsign(np.array([1.0], "float32"))
        array([0.5], dtype=float32)
    """
    return ops.softsign(x)


def silu(x):
    """`x * sigmoid(x)`, also called swish.

    Example:
        >>> silu(np.array([1.0], "float32"))
        array([0.7310586], dtype=float32)
    """
    return ops.silu(x)


swish = silu


def gelu(x, approximate=False):
    """Gaussian error linear unit: `x * P(X <= x)` for a standard normal X.

    Args:
        x: input tensor.
        approximate: use the tanh approximation instead of the exact erf form.

    Example:
        >>> gelu(np.array([1.0], "float32"))
        array([0.8413448], dtype=float32)
    """
    return ops.gelu(x, approximate=approximate)


def mish(x):
    """`x * tanh(softplus(x))`.

    Example:
        >>> mish(np.array([1.0], "float32"))
        array([0.8650984], dtype=float32)
    """
    return ops.mish(x)


def exponential(x):
    """`exp(x)`.

    Example:
        >>> exponential(np.array([0.0], "float32"))
        array([1.], dtype=float32)
    """
    return ops.exp(_as_float(x))


def log_sigmoid(x):
    """`log(sigmoid(x)) = -softplus(-x)`, computed stably.

    Example:
        >>> log_sigmoid(np.array([0.0], "float32"))
        array([-0.6931472], dtype=float32)
    """
    return ops.log_sigmoid(x)


def squareplus(x, b=4):
    """`(x + sqrt(x ** 2 + b)) / 2`, a smooth rectifier.

    Args:
        x: input tensor.
        b: the smoothness (4 by default).

    Example:
        >>> squareplus(np.array([0.0], "float32"))
        array([1.], dtype=float32)
    """
    return ops.squareplus(x, b)


def tanh_shrink(x):
    """`x - tanh(x)`.

    Example:
        >>> tanh_shrink(np.array([0.0], "float32"))
        array([0.], dtype=float32)
    """
    return ops.tanh_shrink(x)


def linear(x):
    """The identity: returns `x` unchanged.

    Example:
        >>> linear(np.array([-1.0], "float32"))
        array([-1.], dtype=float32)
    """
    return x
