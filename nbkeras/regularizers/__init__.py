"""Weight and activity penalties: `l1`, `l2`, `l1_l2`, with Keras 3's defaults.

Example:
    >>> layer = nbkeras.layers.Dense(4, kernel_regularizer=nbkeras.regularizers.l2(0.01))
"""

from nbkeras import ops
from nbkeras.utils.registry import deserialize, lookup, serialize, to_snake_case


class Regularizer:
    """Base class: `regularizer(x)` returns a scalar penalty."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x ** 2).

    Args:
        l1: the L1 factor.
        l2: the L2 factor.
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = float(l1)
        self.l2 = float(l2)

    def __call__(self, x):
        total = 0.0
        if self.l1:
            total = ops.multiply(self.l1, ops.sum(ops.abs(x)))
        if self.l2:
            total = ops.add(total, ops.multiply(self.l2, ops.sum(ops.square(x))))
        return total

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """l1 * sum(|x|).

    Args:
        l1: the factor (0.01 by default).
    """

    def __init__(self, l1=0.01):
        self.l1 = float(l1)

    def __call__(self, x):
        return ops.multiply(self.l1, ops.sum(ops.abs(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """l2 * sum(x ** 2).

    Args:
        l2: the factor (0.01 by default).
    """

    def __init__(self, l2=0.01):
        self.l2 = float(l2)

    def __call__(self, x):
        return ops.multiply(self.l2, ops.sum(ops.square(x)))

    def get_config(self):
        return {"l2": self.l2}


def l1_l2(l1=0.01, l2=0.01):
    """An `L1L2` regularizer (Keras 2's function form, with its 0.01 defaults)."""
    return L1L2(l1=l1, l2=l2)


l1 = L1
l2 = L2

ALL_OBJECTS = {"L1": L1, "L2": L2, "L1L2": L1L2, "Regularizer": Regularizer,
               "l1": L1, "l2": L2, "l1_l2": L1L2}


def get(identifier):
    """Return a regularizer from a name, a config dict, an instance, a callable or None.

    Args:
        identifier: e.g. `'l2'` or `L2(0.001)`.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier, ALL_OBJECTS, "regularizer")
    if isinstance(identifier, str):
        return lookup(identifier, ALL_OBJECTS, "regularizer")()
    if callable(identifier):
        return identifier
    raise ValueError(
        "Could not interpret regularizer identifier. Expected a string, a dict or a callable. "
        f"Received: identifier={identifier!r}"
    )


__all__ = ["L1", "L2", "L1L2", "Regularizer", "l1", "l2", "l1_l2", "get", "serialize",
           "deserialize", "to_snake_case"]
