"""Activations that normalize along an axis: softmax, log_softmax and glu.

Example:
    >>> nbkeras.activations.softmax(np.array([[1.0, 2.0, 1.0]], "float32"))
    array([[0.21194156, 0.57611686, 0.21194156]], dtype=float32)
"""

from nbkeras import ops
from nbkeras.activations.relu import _as_float


def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` along `axis`.

    Args:
        x: input tensor.
        axis: the axis to normalize along (the last by default).

    Example:
        >>> softmax(np.array([0.0, 0.0], "float32"))
        array([0.5, 0.5], dtype=float32)
    """
    return ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    """`x - logsumexp(x)` along `axis`: the log of `softmax`, computed stably.

    Args:
        x: input tensor.
        axis: the axis to normalize along (the last by default).

    Example:
        >>> log_softmax(np.array([0.0, 0.0], "float32"))
        array([-0.6931472, -0.6931472], dtype=float32)
    """
    return ops.log_softmax(x, axis=axis)


def glu(x, axis=-1):
    """Gated linear unit: split `x` in halves `a, b` along `axis`, return `a * sigmoid(b)`.

    Args:
        x: input tensor; its size along `axis` must be even.
        axis: the axis to split.

    Example:
        >>> glu(np.array([[1.0, 0.0]], "float32"))
        array([[0.5]], dtype=float32)
    """
    x = _as_float(x)
    size = x.shape[axis]
    if size % 2:
        raise ValueError(
            "The size of the axis that `glu` splits must be even. "
            f"Received: x.shape={tuple(x.shape)}, axis={axis}"
        )
    half = size // 2
    ax = axis % x.ndim
    lead = (slice(None),) * ax
    a = x[lead + (slice(0, half),)]
    b = x[lead + (slice(half, size),)]
    return ops.multiply(a, ops.sigmoid(b))
