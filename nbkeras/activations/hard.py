"""Piecewise activations: hard_sigmoid, hard_silu/hard_swish, hard_tanh, hard_shrink,
soft_shrink, sparse_plus and sparse_sigmoid.

Example:
    >>> nbkeras.activations.hard_sigmoid(np.array([-4.0, 0.0, 4.0], "float32"))
    array([0. , 0.5, 1. ], dtype=float32)
"""

from nbkeras import ops


def hard_sigmoid(x):
    """`relu6(x + 3) / 6`: 0 below -3, 1 above 3, `x / 6 + 0.5` between.

    Example:
        >>> hard_sigmoid(np.array([1.5], "float32"))
        array([0.75], dtype=float32)
    """
    return ops.hard_sigmoid(x)


def hard_silu(x):
    """`x * hard_sigmoid(x)`, also called hard_swish.

    Example:
        >>> hard_silu(np.array([-4.0, 1.0, 4.0], "float32"))
        array([-0.       ,  0.6666667,  4.       ], dtype=float32)
    """
    return ops.hard_silu(x)


hard_swish = hard_silu


def hard_tanh(x):
    """`x` clipped to [-1, 1].

    Example:
        >>> hard_tanh(np.array([-2.0, 0.5], "float32"))
        array([-1. ,  0.5], dtype=float32)
    """
    return ops.hard_tanh(x)


def hard_shrink(x, threshold=0.5):
    """`x` where `|x| > threshold`, else 0.

    Args:
        x: input tensor.
        threshold: the cut-off (0.5 by default).

    Example:
        >>> hard_shrink(np.array([-1.0, 0.2], "float32"))
        array([-1.,  0.], dtype=float32)
    """
    return ops.hard_shrink(x, threshold)


def soft_shrink(x, threshold=0.5):
    """`x - threshold` above `threshold`, `x + threshold` below `-threshold`, else 0.

    Args:
        x: input tensor.
        threshold: the cut-off (0.5 by default).

    Example:
        >>> soft_shrink(np.array([-1.0, 0.2, 2.0], "float32"))
        array([-0.5,  0. ,  1.5], dtype=float32)
    """
    return ops.soft_shrink(x, threshold)


def sparse_plus(x):
    """0 for `x <= -1`, `x` for `x >= 1`, `(x + 1) ** 2 / 4` between.

    Example:
        >>> sparse_plus(np.array([-2.0, 0.0, 2.0], "float32"))
        array([0.  , 0.25, 2.  ], dtype=float32)
    """
    return ops.sparse_plus(x)


def sparse_sigmoid(x):
    """`clip(x + 1, 0, 2) / 2`: 0 below -1, 1 above 1, linear between.

    Example:
        >>> sparse_sigmoid(np.array([-2.0, 0.0, 2.0], "float32"))
        array([0. , 0.5, 1. ], dtype=float32)
    """
    return ops.sparse_sigmoid(x)