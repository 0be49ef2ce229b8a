"""Weight and activity penalties: L1, L2, L1L2 and OrthogonalRegularizer.

A regularizer maps a tensor to a scalar penalty that training adds to the loss.

Example:
    >>> nbkeras.regularizers.L2(0.1)(np.array([1.0, 2.0], "float32"))
    np.float32(0.5)
"""

import math

import numpy as np

from nbkeras import config, ops
from nbkeras.ops.core import unwrap


def validate_float_arg(value, name):
    """Return `value` as a float, or raise unless it is a finite number >= 0."""
    if (isinstance(value, bool) or not isinstance(value, (float, int, np.floating, np.integer))
            or math.isinf(value) or math.isnan(value) or value < 0):
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative float. "
            f"Received: {name}={value!r}"
        )
    return float(value)


def _as_float32(value):
    # Keras keeps these factors in a float32 tensor, so its configs show the rounded value.
    return float(np.float32(value))


def _dtype(x):
    dt = np.asarray(unwrap(x)).dtype
    return dt if dt.kind == "f" else np.dtype(config.floatx())


class Regularizer:
    """Base class: `regularizer(x)` returns a scalar penalty.

    Any callable `f(x) -> scalar` also works as a regularizer; subclass this to get
    `get_config` / `from_config` for saving.

    Example:
        >>> class Sum(nbkeras.regularizers.Regularizer):
        ...     def __call__(self, x):
        ...         return 0.1 * nbkeras.ops.sum(x)
    """

    def __call__(self, x):
        return 0.0

    def get_config(self):
        """Return the constructor arguments as a JSON-friendly dict."""
        raise NotImplementedError(
            f"{type(self).__name__} does not implement get_config(). "
            f"Received: regularizer={self!r}"
        )

    @classmethod
    def from_config(cls, config):
        """Create a regularizer from the dict `get_config()` returned."""
        return cls(**config)


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x ** 2)`.

    Args:
        l1: the L1 factor (0.0 by default).
        l2: the L2 factor (0.0 by default).

    Example:
        >>> layer = nbkeras.layers.Dense(3, kernel_regularizer=nbkeras.regularizers.L1L2(0.01, 0.01))
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = validate_float_arg(0.0 if l1 is None else l1, "l1")
        self.l2 = validate_float_arg(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        total = np.zeros((), dtype=_dtype(x))
        if self.l1 != 0.0:
            total = ops.add(total, ops.multiply(self.l1, ops.sum(ops.abs(x))))
        if self.l2 != 0.0:
            total = ops.add(total, ops.multiply(self.l2, ops.sum(ops.square(x))))
        return total

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """`l1 * sum(|x|)`.

    Args:
        l1: the factor (0.01 by default).

    Example:
        >>> layer = nbkeras.layers.Dense(3, kernel_regularizer=nbkeras.regularizers.L1(0.001))
    """

    def __init__(self, l1=0.01):
        self.l1 = _as_float32(validate_float_arg(0.01 if l1 is None else l1, "l1"))

    def __call__(self, x):
        return ops.multiply(self.l1, ops.sum(ops.abs(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """`l2 * sum(x ** 2)`.

    Args:
        l2: the factor (0.01 by default).

    Example:
        >>> layer = nbkeras.layers.Dense(3, kernel_regularizer=nbkeras.regularizers.L2(0.001))
    """

    def __init__(self, l2=0.01):
        self.l2 = validate_float_arg(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        return ops.multiply(self.l2, ops.sum(ops.square(x)))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D weight towards orthogonality.

    The penalty is `factor` times the mean absolute dot product between distinct
    L2-normalized rows (`mode='rows'`) or columns (`mode='columns'`).

    Args:
        factor: the factor (0.01 by default).
        mode: `'rows'` or `'columns'`.

    Example:
        >>> reg = nbkeras.regularizers.OrthogonalRegularizer(factor=0.01)
        >>> layer = nbkeras.layers.Dense(4, kernel_regularizer=reg)
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _as_float32(validate_float_arg(factor, "factor"))
        if mode not in ("rows", "columns"):
            raise ValueError(
                'Invalid value for argument `mode`. Expected one of {"rows", "columns"}. '
                f"Received: mode={mode!r}"
            )
        self.mode = mode

    def __call__(self, inputs):
        shape = np.shape(unwrap(inputs))
        if len(shape) != 2:
            raise ValueError(
                f"Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape={shape}"
            )
        axis = 1 if self.mode == "rows" else 0
        square_sum = ops.sum(ops.square(inputs), axis=axis, keepdims=True)
        inv_norm = ops.minimum(ops.divide(1.0, ops.sqrt(square_sum)), 1.0 / config.epsilon())
        unit = ops.multiply(inputs, inv_norm)
        if self.mode == "rows":
            product, size = ops.matmul(unit, ops.transpose(unit)), shape[0]
        else:
            product, size = ops.matmul(ops.transpose(unit), unit), shape[1]
        off_diagonal = ops.multiply(product, 1.0 - np.eye(size, dtype=_dtype(inputs)))
        num_pairs = size * (size - 1.0) / 2.0
        total = ops.multiply(self.factor * 0.5, ops.sum(ops.abs(off_diagonal)))
        return ops.divide(total, num_pairs)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}
