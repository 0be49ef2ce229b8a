"""Deterministic initializers: Zeros, Ones, Constant and Identity.

Example:
    >>> nbkeras.initializers.Constant(2.0)((2,))
    array([2., 2.], dtype=float32)
"""

import numpy as np

from nbkeras.initializers.initializer import Initializer, standardize_dtype


class Zeros(Initializer):
    """All zeros.

    Example:
        >>> nbkeras.initializers.Zeros()((2,))
        array([0., 0.], dtype=float32)
    """

    def __call__(self, shape, dtype=None):
        return np.zeros(shape, dtype=standardize_dtype(dtype))


class Ones(Initializer):
    """All ones.

    Example:
        >>> nbkeras.initializers.Ones()((2,))
        array([1., 1.], dtype=float32)
    """

    def __call__(self, shape, dtype=None):
        return np.ones(shape, dtype=standardize_dtype(dtype))


def _serialize_value(value):
    if isinstance(value, np.ndarray):
        return {"class_name": "__numpy__",
                "config": {"value": value.tolist(), "dtype": str(value.dtype)}}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _deserialize_value(value):
    if isinstance(value, dict) and value.get("class_name") == "__numpy__":
        cfg = value["config"]
        return np.asarray(cfg["value"], dtype=cfg.get("dtype"))
    return value


class Constant(Initializer):
    """Every entry set to `value` (a scalar, or an array broadcast to the shape).

    Args:
        value: the constant.

    Example:
        >>> nbkeras.initializers.Constant(3.0)((2, 2))
        array([[3., 3.],
               [3., 3.]], dtype=float32)
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        dtype = standardize_dtype(dtype)
        return np.broadcast_to(np.asarray(self.value, dtype=dtype), tuple(shape)).copy()

    def get_config(self):
        return {"value": _serialize_value(self.value)}

    @classmethod
    def from_config(cls, config):
        return cls(_deserialize_value(config["value"]))


class Identity(Initializer):
    """`gain` times the identity matrix (2-D shapes only; non-square ones are padded
    with zeros, like `np.eye`).

    Args:
        gain: multiplicative factor.

    Example:
        >>> nbkeras.initializers.Identity()((2, 2))
        array([[1., 0.],
               [0., 1.]], dtype=float32)
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={tuple(shape)} of rank {len(shape)}"
            )
        dtype = standardize_dtype(dtype)
        return (self.gain * np.eye(*shape)).astype(dtype)

    def get_config(self):
        # Keras records no key; nbkeras adds `gain` only when it is not the default,
        # so that a round trip keeps it.
        return {} if self.gain == 1.0 else {"gain": self.gain}
