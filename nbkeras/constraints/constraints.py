"""Weight constraints, applied by the optimizer after each update: MaxNorm, NonNeg,
UnitNorm and MinMaxNorm.

A constraint maps a weight array to its projection (a NumPy array of the same shape).

Example:
    >>> nbkeras.constraints.NonNeg()(np.array([-1.0, 2.0], "float32"))
    array([0., 2.], dtype=float32)
"""

import numpy as np

from nbkeras import config
from nbkeras.ops.core import unwrap


def _float(w):
    a = np.asarray(unwrap(w))
    return a if a.dtype.kind == "f" else a.astype(config.floatx())


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _norms(w, axis):
    return np.sqrt(np.sum(np.square(w), axis=_axis(axis), keepdims=True))


def _rescale(w, norms, desired):
    eps = w.dtype.type(config.epsilon())
    return (w * (desired / (eps + norms))).astype(w.dtype)


class Constraint:
    """Base class: `constraint(w)` returns the projected weights.

    Any callable `f(w) -> array` also works as a constraint; subclass this to get
    `get_config` / `from_config` for saving.

    Example:
        >>> class Clip(nbkeras.constraints.Constraint):
        ...     def __call__(self, w):
        ...         return np.clip(w, -1.0, 1.0)
    """

    def __call__(self, w):
        return w

    def get_config(self):
        """Return the constructor arguments as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Create a constraint from the dict `get_config()` returned."""
        return cls(**config)


class MaxNorm(Constraint):
    """Rescale the weights whose norm along `axis` exceeds `max_value` down to it.

    Args:
        max_value: the largest norm allowed (2 by default).
        axis: the axis (or axes) of the norm; 0 gives one norm per unit of a
            `(in, units)` Dense kernel.

    Example:
        >>> nbkeras.constraints.MaxNorm(1.0)(np.array([[3.0], [4.0]], "float32")).ravel()
        array([0.6, 0.8], dtype=float32)
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        w = _float(w)
        norms = _norms(w, self.axis)
        return _rescale(w, norms, np.clip(norms, 0, self.max_value))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Set negative weights to zero.

    Example:
        >>> nbkeras.constraints.NonNeg()(np.array([-1.0, 2.0], "float32"))
        array([0., 2.], dtype=float32)
    """

    def __call__(self, w):
        w = _float(w)
        return np.maximum(w, w.dtype.type(0))


class UnitNorm(Constraint):
    """Rescale the weights to unit norm along `axis`.

    Args:
        axis: the axis (or axes) of the norm (0 by default).

    Example:
        >>> nbkeras.constraints.UnitNorm()(np.array([[3.0], [4.0]], "float32")).ravel()
        array([0.6, 0.8], dtype=float32)
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _float(w)
        norms = _norms(w, self.axis)
        return _rescale(w, norms, np.ones_like(norms))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Move the norms along `axis` into [min_value, max_value], at `rate`.

    The new norm is `rate * clip(norm, min_value, max_value) + (1 - rate) * norm`.

    Args:
        min_value: the smallest norm.
        max_value: the largest norm.
        rate: 1.0 projects exactly; smaller values move part of the way.
        axis: the axis (or axes) of the norm (0 by default).

    Example:
        >>> nbkeras.constraints.MinMaxNorm(0.5, 1.0)(np.array([[3.0], [4.0]], "float32")).ravel()
        array([0.6, 0.8], dtype=float32)
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        w = _float(w)
        norms = _norms(w, self.axis)
        clipped = np.clip(norms, self.min_value, self.max_value)
        desired = self.rate * clipped + (1 - self.rate) * norms
        return _rescale(w, norms, desired)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}
