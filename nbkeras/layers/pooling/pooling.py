"""Pooling layers: Max/AveragePooling1D/2D/3D and GlobalMax/AveragePooling1D/2D/3D."""

from nbkeras import ops
from nbkeras.layers.convolutional.base_conv import (
    SpatialLayer, normalize_data_format, normalize_padding, normalize_tuple,
)
from nbkeras.layers.input_spec import InputSpec
from nbkeras.ops.conv import average_pool, max_pool


class BasePooling(SpatialLayer):
    """Shared code of the windowed pooling layers (not a public class)."""

    _mode = "max"

    def __init__(self, rank, pool_size, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.rank = rank
        self.pool_size = normalize_tuple(pool_size, rank, "pool_size")
        self.strides = (self.pool_size if strides is None
                        else normalize_tuple(strides, rank, "strides"))
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)
        self.built = True  # no weights; Keras writes no build_config for pooling layers

    def call(self, inputs):
        fn = max_pool if self._mode == "max" else average_pool
        try:
            return fn(inputs, self.pool_size, self.strides, self.padding, self.data_format)
        except ValueError as e:
            raise ValueError(f"Layer \"{self.name}\" cannot process input of shape "
                             f"{tuple(inputs.shape)}: {e}") from None

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        return self._output_shape(input_shape, self.pool_size, self.strides,
                                  (1,) * self.rank, self._spatial(input_shape)[1], "the pool")

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"pool_size": self.pool_size, "padding": self.padding,
                    "strides": self.strides, "data_format": self.data_format})
        return cfg


class MaxPooling1D(BasePooling):
    """Max over windows of `pool_size` steps of (batch, steps, channels) inputs.

    Args:
        pool_size: the window length (2).
        strides: the step (`pool_size` when None).
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` (default) or `'channels_first'`.

    Example:
        >>> nbkeras.layers.MaxPooling1D()(np.zeros((2, 6, 3))).shape
        (2, 3, 3)
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(1, pool_size, strides, padding, data_format, name, **kwargs)


class MaxPooling2D(BasePooling):
    """Max over `pool_size` windows of (batch, height, width, channels) images.

    Args:
        pool_size: an int or (height, width) ((2, 2)).
        strides: an int or a pair (`pool_size` when None).
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` (default) or `'channels_first'`.

    Example:
        >>> nbkeras.layers.MaxPooling2D()(np.zeros((2, 6, 6, 3))).shape
        (2, 3, 3, 3)
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(2, pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling1D(BasePooling):
    """Mean over windows of `pool_size` steps; with `'same'` padding, pads are not counted.

    Args:
        pool_size: the window length.
        strides, padding, data_format: as in MaxPooling1D.

    Example:
        >>> nbkeras.layers.AveragePooling1D(2)(np.zeros((2, 6, 3))).shape
        (2, 3, 3)
    """

    _mode = "avg"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(1, pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling2D(BasePooling):
    """Mean over `pool_size` windows of images; with `'same'` padding, pads are not counted.

    Args:
        pool_size: an int or (height, width).
        strides, padding, data_format: as in MaxPooling2D.

    Example:
        >>> nbkeras.layers.AveragePooling2D(2)(np.zeros((2, 6, 6, 3))).shape
        (2, 3, 3, 3)
    """

    _mode = "avg"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(2, pool_size, strides, padding, data_format, name, **kwargs)


class MaxPooling3D(BasePooling):
    """Max over `pool_size` windows of (batch, depth, height, width, channels) volumes.

    Args:
        pool_size: an int or (depth, height, width) ((2, 2, 2)).
        strides: an int or a triple (`pool_size` when None).
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` (default) or `'channels_first'`.

    Example:
        >>> nbkeras.layers.MaxPooling3D()(np.zeros((2, 4, 6, 6, 3))).shape
        (2, 2, 3, 3, 3)
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(3, pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling3D(BasePooling):
    """Mean over `pool_size` windows of volumes; with `'same'` padding, pads are not counted.

    Args:
        pool_size: an int or (depth, height, width).
        strides, padding, data_format: as in MaxPooling3D.

    Example:
        >>> nbkeras.layers.AveragePooling3D(2)(np.zeros((2, 4, 6, 6, 3))).shape
        (2, 2, 3, 3, 3)
    """

    _mode = "avg"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(3, pool_size, strides, padding, data_format, name, **kwargs)


class BaseGlobalPooling(SpatialLayer):
    """Shared code of the global pooling layers (not a public class)."""

    _mode = "max"

    def __init__(self, rank, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = normalize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=rank + 2)
        self.built = True  # no weights; Keras writes no build_config for pooling layers

    def _axes(self):
        if self.data_format == "channels_last":
            return tuple(range(1, self.rank + 1))
        return tuple(range(2, self.rank + 2))

    def call(self, inputs):
        fn = ops.max if self._mode == "max" else ops.mean
        return fn(inputs, axis=self._axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        spatial, c = self._spatial(input_shape)
        if self.keepdims:
            return self._assemble(input_shape[0], (1,) * self.rank, c)
        return (input_shape[0], c)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return cfg


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Max over the steps axis: (batch, steps, channels) -> (batch, channels).

    Args:
        data_format: `'channels_last'` (default) or `'channels_first'`.
        keepdims: keep the reduced axis with length 1.

    Example:
        >>> nbkeras.layers.GlobalMaxPooling1D()(np.zeros((2, 6, 3))).shape
        (2, 3)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format, keepdims, **kwargs)


class GlobalMaxPooling2D(BaseGlobalPooling):
    """Max over height and width: (batch, h, w, channels) -> (batch, channels).

    Args:
        data_format: `'channels_last'` (default) or `'channels_first'`.
        keepdims: keep the reduced axes with length 1.

    Example:
        >>> nbkeras.layers.GlobalMaxPooling2D()(np.zeros((2, 4, 4, 3))).shape
        (2, 3)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format, keepdims, **kwargs)


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Mean over the steps axis: (batch, steps, channels) -> (batch, channels).

    Args:
        data_format: `'channels_last'` (default) or `'channels_first'`.
        keepdims: keep the reduced axis with length 1.

    Example:
        >>> nbkeras.layers.GlobalAveragePooling1D()(np.zeros((2, 6, 3))).shape
        (2, 3)
    """

    _mode = "avg"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format, keepdims, **kwargs)

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps = 1 if self.data_format == "channels_last" else 2
        m = ops.cast(ops.expand_dims(mask, 3 - steps), inputs.dtype)
        total = ops.sum(inputs * m, axis=steps, keepdims=self.keepdims)
        return total / ops.sum(m, axis=steps, keepdims=self.keepdims)


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Mean over height and width: (batch, h, w, channels) -> (batch, channels).

    Args:
        data_format: `'channels_last'` (default) or `'channels_first'`.
        keepdims: keep the reduced axes with length 1.

    Example:
        >>> nbkeras.layers.GlobalAveragePooling2D()(np.zeros((2, 4, 4, 3))).shape
        (2, 3)
    """

    _mode = "avg"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format, keepdims, **kwargs)


class GlobalMaxPooling3D(BaseGlobalPooling):
    """Max over depth, height and width: (batch, d, h, w, channels) -> (batch, channels).

    Args:
        data_format: `'channels_last'` (default) or `'channels_first'`.
        keepdims: keep the reduced axes with length 1.

    Example:
        >>> nbkeras.layers.GlobalMaxPooling3D()(np.zeros((2, 3, 4, 4, 3))).shape
        (2, 3)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format, keepdims, **kwargs)


class GlobalAveragePooling3D(BaseGlobalPooling):
    """Mean over depth, height and width: (batch, d, h, w, channels) -> (batch, channels).

    Args:
        data_format: `'channels_last'` (default) or `'channels_first'`.
        keepdims: keep the reduced axes with length 1.

    Example:
        >>> nbkeras.layers.GlobalAveragePooling3D()(np.zeros((2, 3, 4, 4, 3))).shape
        (2, 3)
    """

    _mode = "avg"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format, keepdims, **kwargs)
