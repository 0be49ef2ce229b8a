"""Helpers shared by the metrics: array conversion (host or device), rank matching, safe
division."""

import numpy as np

from nbkeras.backend import active as _device
from nbkeras.ops.core import unwrap


def to_array(x, dtype=None):
    """x (a Tensor, an array, a list or a number) as a NumPy array, optionally cast."""
    a = np.asarray(unwrap(x))
    return a if dtype is None or a.dtype == dtype else a.astype(dtype)


def to_device_array(x, dtype=None):
    """x as an array of the active device (no copy when it already is one), optionally cast;
    the metrics whose `on_device` is True compute with these and `_device.xp`.

    Example:
        >>> to_device_array([1, 2], "float32").dtype
        dtype('float32')
    """
    a = unwrap(x)
    if not isinstance(a, _device.xp.ndarray):
        a = _device.asarray(a)
    return a if dtype is None or a.dtype == dtype else a.astype(dtype)


def to_host(x):
    """x (a device array, Tensor or NumPy array) as a NumPy array on the host."""
    return _device.to_numpy(unwrap(x))


def same_rank(x1, x2, expand_rank_1=True):
    """Squeeze or expand the last axis of one array when the ranks differ by one.

    Keras's `squeeze_or_expand_to_same_rank`, on NumPy arrays: the array with the
    extra trailing axis of size 1 loses it, unless the other one has rank 1 and
    `expand_rank_1`, in which case the other one gains it.
    """
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            return x1, x2[..., None]
        return x1[..., 0], x2
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            return x1[..., None], x2
        return x1, x2[..., 0]
    return x1, x2


def divide_no_nan(x, y):
    """x / y, with 0 wherever y == 0 (in the dtype of x)."""
    x = np.asarray(x)
    y = np.asarray(y, dtype=x.dtype)
    if x.ndim == 0 and y.ndim == 0:  # the common case: total / count
        return x / y if y else np.zeros((), x.dtype)
    x, y = np.broadcast_arrays(x, y)
    return np.divide(x, y, out=np.zeros(x.shape, x.dtype), where=y != 0)


def to_list(x):
    """x itself when it is a list, else `[x]` (Keras's `to_list`)."""
    return x if isinstance(x, list) else [x]
