"""Keras 3's `ops.adaptive_average_pool` / `ops.adaptive_max_pool` and `ops.unfold` /
`ops.fold` (im2col / col2im of channels-first images).

Adaptive pooling works on 1-D, 2-D and 3-D
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

__all__ = ["adaptive_average_pool", "adaptive_max_pool", "fold", "unfold"]


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


def _pair(v, name):
    t = (v, v) if isinstance(v, (int, np.integer)) else tuple(v)
    if len(t) != 2:
        raise ValueError(f"`{name}` must be an int or two ints. Received: {name}={v}")
    return tuple(int(a) for a in t)


def _block_index(h, w, k, d, s):
    """Flat indices into a padded (h, w) image of every kernel tap of every block:
    shape (kh * kw, L), blocks in row-major order."""
    oh = (h - (k[0] - 1) * d[0] - 1) // s[0] + 1
    ow = (w - (k[1] - 1) * d[1] - 1) // s[1] + 1
    rows = (np.arange(k[0]) * d[0])[:, None, None, None] + (np.arange(oh) * s[0])[None, None, :, None]
    cols = (np.arange(k[1]) * d[1])[None, :, None, None] + (np.arange(ow) * s[1])[None, None, None, :]
    return (rows * w + cols).reshape(k[0] * k[1], oh * ow), oh * ow


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks (im2col) of a channels-first image batch `(N, C, H, W)`:
    shape `(N, C * kh * kw, L)` (channel outermost, then the kernel rows and columns);
    differentiable.

    Example:
        >>> ops.unfold(np.ones((1, 2, 3, 3)), 2).shape
        (1, 8, 4)
    """
    k, d = _pair(kernel_size, "kernel_size"), _pair(dilation, "dilation")
    p, s = _pair(padding, "padding"), _pair(stride, "stride")

    def run(x):
        shape = knp.shape(x)
        if len(shape) != 4:
            raise ValueError(f"`unfold` takes a 4-D (N, C, H, W) input. "
                             f"Received: x.shape={tuple(shape)}")
        _, c, h, w = shape
        if any(p):
            from nbkeras.ops.array import pad
            x = pad(x, [[0, 0], [0, 0], [p[0], p[0]], [p[1], p[1]]])
        hp, wp = h + 2 * p[0], w + 2 * p[1]
        idx, n_blocks = _block_index(hp, wp, k, d, s)
        flat = knp.reshape(x, (-1, c, hp * wp))
        cols = knp.take(flat, idx, axis=2)  # (N, C, kh*kw, L)
        return knp.reshape(cols, (-1, c * k[0] * k[1], n_blocks))

    return composite("unfold", run, (x,), {"kernel_size": kernel_size, "dilation": dilation,
                                          "padding": padding, "stride": stride})


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The inverse of `unfold` (col2im): blocks `(N, C * kh * kw, L)` summed into an image
    `(N, C, *output_size)`, overlapping entries added; differentiable.

    Example:
        >>> ops.fold(ops.unfold(np.ones((1, 1, 3, 3)), 2), 3, 2)[0, 0]
        array([[1., 2., 1.],
               [2., 4., 2.],
               [1., 2., 1.]])
    """
    o, k = _pair(output_size, "output_size"), _pair(kernel_size, "kernel_size")
    d, p, s = _pair(dilation, "dilation"), _pair(padding, "padding"), _pair(stride, "stride")

    def run(x):
        shape = knp.shape(x)
        if len(shape) != 3 or shape[1] % (k[0] * k[1]):
            raise ValueError("`fold` takes (N, C * kh * kw, L) blocks. "
                             f"Received: x.shape={tuple(shape)}, kernel_size={kernel_size}")
        c = shape[1] // (k[0] * k[1])
        hp, wp = o[0] + 2 * p[0], o[1] + 2 * p[1]
        idx, n_blocks = _block_index(hp, wp, k, d, s)
        if n_blocks != shape[2]:
            raise ValueError(f"`fold` expects {n_blocks} blocks for output_size={output_size}. "
                             f"Received: x.shape={tuple(shape)}")
        place = np.zeros((idx.size, hp * wp), knp.convert_to_tensor(x).dtype)
        place[np.arange(idx.size), idx.reshape(-1)] = 1.0
        cols = knp.reshape(x, (-1, c, idx.size))
        img = knp.reshape(knp.matmul(cols, place), (-1, c, hp, wp))
        return img[:, :, p[0]:p[0] + o[0], p[1]:p[1] + o[1]]

    return composite("fold", run, (x,), {"output_size": output_size, "kernel_size": kernel_size,
                                        "dilation": dilation, "padding": padding,
                                        "stride": stride})
