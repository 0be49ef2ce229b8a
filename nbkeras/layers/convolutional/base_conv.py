"""Shared argument handling, checks and configs of the convolution and pooling layers."""

import numpy as np

from nbkeras import config
from nbkeras.layers.layer import Layer


def normalize_tuple(value, n, name, allow_zero=False):
    """An int or a sequence of `n` ints -> a tuple of `n` positive ints (Keras's rule)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        out = (int(value),) * n
    else:
        try:
            out = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            raise ValueError(
                f"The `{name}` argument must be a tuple of {n} integers. Received: {name}={value!r}"
            ) from None
        if len(out) != n:
            raise ValueError(
                f"The `{name}` argument must be a tuple of {n} integers. Received: {name}={value!r}"
            )
    low = 0 if allow_zero else 1
    if any(v < low for v in out):
        raise ValueError(
            f"The `{name}` argument must be a tuple of {n} integers >= {low}. "
            f"Received: {name}={value!r}"
        )
    return out


def constructor_args(local_vars):
    """A public layer's `__init__` arguments, from its `locals()`, as keywords for its base.

    Example:
        >>> def __init__(self, filters, kernel_size, strides=1, **kwargs):
        ...     super().__init__(1, **constructor_args(locals()))
    """
    args = {k: v for k, v in local_vars.items() if k not in ("self", "__class__", "kwargs")}
    args.update(local_vars.get("kwargs", {}))
    return args


def normalize_data_format(value):
    fmt = config.image_data_format() if value is None else str(value).lower()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(
            "The `data_format` argument must be one of 'channels_first', 'channels_last'. "
            f"Received: data_format={value!r}"
        )
    return fmt


def normalize_padding(value, allowed=("valid", "same")):
    pad = str(value).lower()
    if pad not in allowed:
        raise ValueError(
            f"The `padding` argument must be one of {', '.join(repr(a) for a in allowed)}. "
            f"Received: padding={value!r}"
        )
    return pad


class SpatialLayer(Layer):
    """A layer on (batch, *spatial, channels) or (batch, channels, *spatial) inputs.

    Subclasses set `self.rank` (spatial rank) and `self.data_format`; `_check_rank` and
    `_check_channels` raise ValueErrors that name the layer and both shapes.
    """

    rank = 2

    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def _expected_shape(self, channels=None):
        spatial = (None,) * self.rank
        if self.data_format == "channels_last":
            return (None,) + spatial + (channels,)
        return (None, channels) + spatial

    def _check_rank(self, shape):
        if len(shape) != self.rank + 2:
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected "
                f"ndim={self.rank + 2}, i.e. shape {self._expected_shape()} "
                f"({self.data_format}), found ndim={len(shape)}. "
                f"Received: input.shape={tuple(shape)}"
            )

    def _check_input(self, inputs):
        shape = tuple(inputs.shape)
        self._check_rank(shape)
        want = getattr(self, "_in_channels", None)
        if want is not None and shape[self._channel_axis()] not in (None, want):
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected "
                f"shape {self._expected_shape(want)} ({self.data_format}, {want} channels on "
                f"axis {self._channel_axis()}), but received input with shape {shape}. "
                f"Received: input.shape={shape}"
            )

    def _spatial(self, shape):
        shape = tuple(shape)
        if self.data_format == "channels_last":
            return shape[1:-1], shape[-1]
        return shape[2:], shape[1]

    def _output_shape(self, input_shape, window, strides, dilation, channels, what="the kernel"):
        """The output shape for sliding `window` over the spatial axes (None stays None)."""
        from nbkeras.ops.conv import conv_output_padding

        spatial, _ = self._spatial(input_shape)
        out = []
        for i, size in enumerate(spatial):
            try:
                out.append(conv_output_padding(size, window[i], strides[i], dilation[i],
                                               self.padding, what)[0])
            except ValueError as e:
                raise ValueError(f"Layer \"{self.name}\" cannot process input of shape "
                                 f"{tuple(input_shape)}: {e}") from None
        return self._assemble(input_shape[0], out, channels)

    def _assemble(self, batch, spatial, channels):
        if self.data_format == "channels_last":
            return (batch,) + tuple(spatial) + (channels,)
        return (batch, channels) + tuple(spatial)

    def _full_pairs(self, pairs):
        """(before, after) pairs of the spatial axes -> pairs of every axis ((0, 0) elsewhere)."""
        if self.data_format == "channels_last":
            return ((0, 0),) + tuple(pairs) + ((0, 0),)
        return ((0, 0), (0, 0)) + tuple(pairs)
