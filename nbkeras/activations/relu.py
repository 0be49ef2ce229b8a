"""The rectifier family: relu (with Keras's slope, cap and threshold), leaky_relu,
relu6, elu, selu, celu and threshold.

Example:
    >>> nbkeras.activations.relu(np.array([-10.0, -5.0, 0.0, 5.0, 10.0], "float32"), max_value=5.0)
    array([0., 0., 0., 5., 5.], dtype=float32)
"""

import numpy as np

from nbkeras import config, ops
from nbkeras.ops.core import Tensor


def _as_float(x):
    """x as a Tensor or a float array (non-float inputs become floatx)."""
    if isinstance(x, Tensor):
        return x
    a = np.asarray(x)
    return a if a.dtype.kind == "f" else a.astype(config.floatx())


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with Keras's optional slope, cap and threshold.

    The result is `x` above `threshold` (then clipped to `[0, max_value]` when a
    cap is given), 0 at or below it, minus `negative_slope * relu(threshold - x)`.

    Args:
        x: input tensor.
        negative_slope: slope for values below the threshold.
        max_value: saturation value, or None for no cap.
        threshold: the value below which values are damped or set to zero.

    Example:
        >>> relu(np.array([-10.0, -5.0, 0.0, 5.0, 10.0], "float32"), negative_slope=0.5)
        array([-5. , -2.5,  0. ,  5. , 10. ], dtype=float32)
    """
    x = _as_float(x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return leaky_relu(x, negative_slope)
        if threshold != 0:
            negative_part = ops.relu(ops.subtract(threshold, x))
        else:
            negative_part = ops.relu(ops.negative(x))
    clip_max = max_value is not None
    if threshold != 0:
        x = ops.where(ops.greater(x, threshold), x, 0.0)
    elif max_value == 6:
        x = ops.relu6(x)
        clip_max = False
    else:
        x = ops.relu(x)
    if clip_max:
        # min(max(.)) rather than clip: ties at the bounds share the gradient, as in Keras.
        x = ops.minimum(ops.maximum(x, 0.0), max_value)
    if negative_slope != 0.0:
        x = ops.subtract(x, ops.multiply(negative_slope, negative_part))
    return x


def leaky_relu(x, negative_slope=0.2):
    """`x` if `x >= 0` else `negative_slope * x`.

    Args:
        x: input tensor.
        negative_slope: slope for negative inputs (0.2 by default, as in Keras).

    Example:
        >>> leaky_relu(np.array([-1.0, 2.0], "float32"))
        array([-0.2,  2. ], dtype=float32)
    """
    if negative_slope < 0:
        # The fused kernel tells the branches apart by the output's sign.
        x = _as_float(x)
        return ops.where(ops.greater_equal(x, 0.0), x, ops.multiply(negative_slope, x))
    return ops.leaky_relu(x, negative_slope)


def relu6(x):
    """`min(max(x, 0), 6)`.

    Example:
        >>> relu6(np.array([-1.0, 3.0, 8.0], "float32"))
        array([0., 3., 6.], dtype=float32)
    """
    return ops.relu6(x)


def elu(x, alpha=1.0):
    """`x` if `x > 0` else `alpha * (exp(x) - 1)`.

    Args:
        x: input tensor.
        alpha: scale of the negative section.

    Example:
        >>> elu(np.array([-1.0, 2.0], "float32"))
        array([-0.63212055,  2.        ], dtype=float32)
    """
    if alpha < 0:
        # The fused kernel tells the branches apart by the output's sign.
        x = _as_float(x)
        neg = ops.multiply(alpha, ops.expm1(ops.minimum(x, 0.0)))
        return ops.where(ops.greater(x, 0.0), x, neg)
    return ops.elu(x, alpha)


def selu(x):
    """Scaled exponential linear unit: `1.0507 * elu(x, 1.67326)`.

    Example:
        >>> selu(np.array([1.0], "float32"))
        array([1.050701], dtype=float32)
    """
    return ops.selu(x)


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: `max(x, 0) + min(alpha * (exp(x / alpha) - 1), 0)`.

    Args:
        x: input tensor.
        alpha: the shape parameter.

    Example:
        >>> celu(np.array([-1.0, 2.0], "float32"))
        array([-0.63212055,  2.        ], dtype=float32)
    """
    return ops.celu(x, alpha)


def threshold(x, threshold, default_value):
    """`x` if `x > threshold` else `default_value`.

    Args:
        x: input tensor.
        threshold: the cut-off.
        default_value: the value given at or below the cut-off.

    Example:
        >>> threshold(np.array([-1.0, 2.0], "float32"), 0.0, -5.0)
        array([-5.,  2.], dtype=float32)
    """
    return ops.threshold(x, threshold, default_value)