"""Keras 3's `ops.adaptive_average_pool` and `ops.adaptive_max_pool` for 1-D, 2-D and 3-D
inputs: each spatial axis is pooled to `output_size` windows, window i starting at
floor(i * n / out); as Keras computes them, a window is `ceil(n / out) + 1` long where
the exact window has that length and `ceil(n / out)` long otherwise, and the axes are
pooled one after the other. Differentiable (built from `take`, `mean` / `max`, `where`).

Example:
    >>> ops.adaptive_average_pool(np.ones((1, 5, 5, 2)), 2).shape
    (1, 2, 2, 2)
"""

import numpy as np

from nbkeras import config
from nbkeras.ops import numpy as knp
from nbkeras.ops.core import composite, unwrap

__all__ = ["adaptive_average_pool", "adaptive_max_pool"]


def _windows(n, out):
    starts = np.floor(np.arange(out) * n / out).astype(np.int64)
    ends = np.ceil(np.arange(1, out + 1) * n / out).astype(np.int64)
    small = int(np.ceil(n / out))
    big = small + 1
    is_big = (ends - starts) == big
    idx_small = np.minimum(starts[:, None] + np.arange(small)[None, :], n - 1)
    idx_big = np.minimum(starts[:, None] + np.arange(big)[None, :], n - 1)
    return idx_small, idx_big, is_big


def _pool_axis(x, axis, out, reduce):
    n = knp.shape(x)[axis]
    idx_small, idx_big, is_big = _windows(n, out)
    mask_shape = [1] * len(knp.shape(x))
    mask_shape[axis] = out
    pooled = [reduce(knp.take(x, idx, axis=axis), axis + 1) for idx in (idx_small, idx_big)]
    return knp.where(is_big.reshape(mask_shape), pooled[1], pooled[0])


def _adaptive(name, inputs, output_size, data_format, reduce):
    shape = tuple(inputs.shape) if getattr(inputs, "_keras_symbolic", False) else \
        np.shape(unwrap(inputs))
    rank = len(shape) - 2
    if rank not in (1, 2, 3):
        raise ValueError(f"`{name}` takes inputs of rank 3, 4 or 5. "
                         f"Received: inputs.shape={shape}")
    sizes = (output_size,) * rank if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != rank:
        raise ValueError(f"`output_size` must be an int or {rank} ints. "
                         f"Received: output_size={output_size}")
    fmt = data_format or config.image_data_format()
    first = 2 if fmt == "channels_first" else 1

    def run(x):
        for i, size in enumerate(sizes):
            x = _pool_axis(x, first + i, int(size), reduce)
        return x

    return composite(name, run, (inputs,), {"output_size": output_size,
                                            "data_format": data_format})


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average-pool each spatial axis to `output_size` windows.

    Args:
        inputs: `(batch, *spatial, channels)` (or channels first).
        output_size: an int or one int per spatial axis.
        data_format: 'channels_last' or 'channels_first' (default: the config's).

    Example:
        >>> ops.adaptive_average_pool(np.arange(5.0).reshape(1, 5, 1), 2)[0, :, 0]
        array([1. , 3. ])
    """
    return _adaptive("adaptive_average_pool", inputs, output_size, data_format,
                     lambda t, ax: knp.mean(t, axis=ax))


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max-pool each spatial axis to `output_size` windows.

    Args:
        inputs: `(batch, *spatial, channels)` (or channels first).
        output_size: an int or one int per spatial axis.
        data_format: 'channels_last' or 'channels_first' (default: the config's).

    Example:
        >>> ops.adaptive_max_pool(np.arange(5.0).reshape(1, 5, 1), 2)[0, :, 0]
        array([2., 4.])
    """
    return _adaptive("adaptive_max_pool", inputs, output_size, data_format,
                     lambda t, ax: knp.max(t, axis=ax))
