"""Keras 3's bitwise ops on integer (or boolean) tensors: `bitwise_and`, `bitwise_or`,
`bitwise_xor`, `bitwise_invert`/`bitwise_not` and the shifts `bitwise_left_shift`/
`left_shift` and `bitwise_right_shift`/`right_shift` (no gradient).

Example:
    >>> ops.bitwise_and(np.array([12]), np.array([10]))
    array([8])
"""

import numpy as np

from nbkeras.ops.core import op, unwrap

__all__ = ["bitwise_and", "bitwise_invert", "bitwise_left_shift", "bitwise_not", "bitwise_or",
           "bitwise_right_shift", "bitwise_xor", "left_shift", "right_shift"]


def _integer(name, x):
    if getattr(x, "_keras_symbolic", False):
        return
    dt = np.dtype(getattr(unwrap(x), "dtype", None) or np.asarray(x).dtype)
    if dt.kind not in "iub":
        raise TypeError(f"`{name}` takes integer or boolean tensors. Received: x.dtype={dt}")


def _bitwise(name, fn):
    def f(x, y):
        _integer(name, x)
        _integer(name, y)
        return op(name, lambda xp, a, b: fn(xp, a, b), (x, y))

    f.__name__ = name
    f.__doc__ = (f"Elementwise `{name}` of two integer (or boolean) tensors.\n\n    Args:\n"
                 "        x: the first tensor.\n        y: the second tensor.\n\n"
                 f"    Example:\n        >>> ops.{name}(np.array([12]), np.array([2]))\n")
    return f


bitwise_and = _bitwise("bitwise_and", lambda xp, a, b: xp.bitwise_and(a, b))
bitwise_or = _bitwise("bitwise_or", lambda xp, a, b: xp.bitwise_or(a, b))
bitwise_xor = _bitwise("bitwise_xor", lambda xp, a, b: xp.bitwise_xor(a, b))
bitwise_left_shift = _bitwise("bitwise_left_shift", lambda xp, a, b: xp.left_shift(a, b))
left_shift = _bitwise("left_shift", lambda xp, a, b: xp.left_shift(a, b))
bitwise_right_shift = _bitwise("bitwise_right_shift", lambda xp, a, b: xp.right_shift(a, b))
right_shift = _bitwise("right_shift", lambda xp, a, b: xp.right_shift(a, b))


def bitwise_invert(x):
    """Elementwise bitwise NOT of an integer (or boolean) tensor.

    Example:
        >>> ops.bitwise_invert(np.array([0]))
        array([-1])
    """
    _integer("bitwise_invert", x)
    return op("bitwise_invert", lambda xp, a: xp.invert(a), (x,))


def bitwise_not(x):
    """Elementwise bitwise NOT (as `bitwise_invert`).

    Example:
        >>> ops.bitwise_not(np.array([0]))
        array([-1])
    """
    _integer("bitwise_not", x)
    return op("bitwise_not", lambda xp, a: xp.invert(a), (x,))
