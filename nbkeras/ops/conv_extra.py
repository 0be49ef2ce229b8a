"""Keras 3's `ops.depthwise_conv`, `ops.separable_conv` and `ops.conv_transpose` for 1-D,
2-D and 3-D inputs, on the convolution kernels of ops/conv.py (a depthwise convolution is
the grouped convolution with one input channel per group); differentiable in the input
and the kernels.

Example:
    >>> ops.depthwise_conv(np.ones((1, 5, 5, 2), "float32"),
    ...                    np.ones((3, 3, 2, 2), "float32")).shape
    (1, 3, 3, 4)
"""

import numpy as np

from nbkeras.ops import numpy as knp
from nbkeras.ops.conv import _conv, _geometry, conv_transpose_channels_last, to_nhwc
from nbkeras.ops.core import composite, unwrap

__all__ = ["conv_transpose", "depthwise_conv", "separable_conv"]


def _shape(x):
    return tuple(x.shape) if getattr(x, "_keras_symbolic", False) else np.shape(unwrap(x))


def _check(name, inputs, kernel, channels_at):
    si, sk = _shape(inputs), _shape(kernel)
    rank = len(si) - 2
    if rank not in (1, 2, 3) or len(sk) != rank + 2:
        raise ValueError(f"`{name}` takes inputs of rank 3, 4 or 5 and a kernel of rank "
                         f"inputs' rank. Received: inputs.shape={si}, kernel.shape={sk}")
    return rank


def _depthwise(inputs, kernel, strides, padding, data_format, dilation_rate):
    ks = knp.shape(kernel)
    flat = knp.reshape(kernel, tuple(ks[:-2]) + (1, ks[-2] * ks[-1]))
    return _conv(inputs, flat, strides, padding, data_format, dilation_rate)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """A depthwise convolution: each input channel convolved with its own `M` filters
    (output channel `c * M + m`).

    Args:
        inputs: `(batch, *spatial, C)` (or channels first).
        kernel: `(*kernel_size, C, M)`.
        strides: an int or one per spatial axis.
        padding: 'valid' or 'same'.
        data_format: 'channels_last' (default) or 'channels_first'.
        dilation_rate: an int or one per spatial axis.

    Example:
        >>> ops.depthwise_conv(np.ones((1, 4, 3), "float32"), np.ones((2, 3, 1), "float32"))
        ... .shape
        (1, 3, 3)
    """
    _check("depthwise_conv", inputs, kernel, -2)
    return composite("depthwise_conv", lambda x, k: _depthwise(
        x, k, strides, padding, data_format, dilation_rate), (inputs, kernel),
        {"strides": strides, "padding": padding, "data_format": data_format,
         "dilation_rate": dilation_rate})


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """A depthwise convolution followed by a 1x1 (pointwise) convolution.

    Args:
        inputs: `(batch, *spatial, C)` (or channels first).
        depthwise_kernel: `(*kernel_size, C, M)`.
        pointwise_kernel: `(*ones, C * M, O)`.
        strides, padding, data_format, dilation_rate: as `depthwise_conv`.

    Example:
        >>> ops.separable_conv(np.ones((1, 5, 5, 2), "float32"), np.ones((3, 3, 2, 1),
        ...                    "float32"), np.ones((1, 1, 2, 4), "float32")).shape
        (1, 3, 3, 4)
    """
    _check("separable_conv", inputs, depthwise_kernel, -2)

    def run(x, dk, pk):
        h = _depthwise(x, dk, strides, padding, data_format, dilation_rate)
        return _conv(h, pk, 1, "valid", data_format, 1)

    return composite("separable_conv", run, (inputs, depthwise_kernel, pointwise_kernel),
                     {"strides": strides, "padding": padding, "data_format": data_format,
                      "dilation_rate": dilation_rate})


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """A transposed convolution (the gradient of `conv` with respect to its input), with
    Keras's output size rule.

    Args:
        inputs: `(batch, *spatial, C)` (or channels first).
        kernel: `(*kernel_size, O, C)`.
        strides: an int or one per spatial axis.
        padding: 'valid' or 'same'.
        output_padding: None, an int or one per spatial axis.
        data_format: 'channels_last' (default) or 'channels_first'.
        dilation_rate: an int or one per spatial axis.

    Example:
        >>> ops.conv_transpose(np.ones((1, 2, 2, 3), "float32"), np.ones((3, 3, 4, 3),
        ...                    "float32"), strides=2).shape
        (1, 5, 5, 4)
    """
    rank = _check("conv_transpose", inputs, kernel, -1)

    def run(x, k):
        xx, back = to_nhwc(x, data_format or "channels_last", rank)
        if rank == 1:
            k = knp.expand_dims(k, 0)
        s = _geometry(strides, rank, "strides")
        d = _geometry(dilation_rate, rank, "dilation_rate")
        op_ = None
        if output_padding is not None:
            op_ = tuple(output_padding) if isinstance(output_padding, (list, tuple)) else \
                (output_padding,) * rank
            if rank == 1:
                op_ = (None,) + op_
        return back(conv_transpose_channels_last(xx, k, None, s, padding.lower(), op_, d))

    return composite("conv_transpose", run, (inputs, kernel),
                     {"strides": strides, "padding": padding, "output_padding": output_padding,
                      "data_format": data_format, "dilation_rate": dilation_rate})
