"""Weight constraints applied after each optimizer update: max_norm, non_neg, unit_norm, min_max_norm.

Example:
    >>> layer = nbkeras.layers.Dense(4, kernel_constraint=nbkeras.constraints.MaxNorm(2.0))
"""

import numpy as np

from nbkeras import config
from nbkeras.utils.registry import deserialize, lookup, serialize


class Constraint:
    """Base class: `constraint(w)` returns the projected weights (a NumPy array)."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescale weights whose norm along `axis` exceeds `max_value`.

    Args:
        max_value: the largest norm allowed.
        axis: the axis along which norms are computed.
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return (w * (desired / (config.epsilon() + norms))).astype(w.dtype)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Set negative weights to zero."""

    def __call__(self, w):
        return (w * (w >= 0)).astype(w.dtype)


class UnitNorm(Constraint):
    """Rescale to unit norm along `axis`.

    Args:
        axis: the axis along which norms are computed.
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return (w / (config.epsilon() + _norms(w, self.axis))).astype(w.dtype)

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Move norms along `axis` toward [min_value, max_value] at `rate`.

    Args:
        min_value: the smallest norm.
        max_value: the largest norm.
        rate: 1.0 projects exactly; smaller values move part of the way.
        axis: the axis along which norms are computed.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return (w * (desired / (config.epsilon() + norms))).astype(w.dtype)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
ALL_OBJECTS = {"MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm,
               "max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm}


def get(identifier):
    """Return a constraint from a name, a config dict, an instance, a callable or None.

    Args:
        identifier: e.g. `'non_neg'` or `MaxNorm(3)`.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier, ALL_OBJECTS, "constraint")
    if isinstance(identifier, str):
        return lookup(identifier, ALL_OBJECTS, "constraint")()
    if callable(identifier):
        return identifier
    raise ValueError(
        "Could not interpret constraint identifier. Expected a string, a dict or a callable. "
        f"Received: identifier={identifier!r}"
    )


__all__ = list(ALL_OBJECTS) + ["Constraint", "get", "serialize"]
