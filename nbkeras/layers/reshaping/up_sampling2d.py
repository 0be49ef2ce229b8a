"""`UpSampling2D`: repeats rows and columns (nearest-neighbour upsampling)."""

from nbkeras.layers.convolutional.base_conv import (
    SpatialLayer, normalize_data_format, normalize_tuple,
)
from nbkeras.layers.input_spec import InputSpec
from nbkeras.ops.conv import repeat_axis


class UpSampling2D(SpatialLayer):
    """Repeat each row `size[0]` times and each column `size[1]` times.

    Args:
        size: an int or (rows, cols) ((2, 2)).
        data_format: `'channels_last'` (default) or `'channels_first'`.
        interpolation: `'nearest'` (the only mode nbkeras implements).

    Example:
        >>> nbkeras.layers.UpSampling2D()(np.zeros((1, 3, 4, 2))).shape
        (1, 6, 8, 2)
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 2, "size")
        self.data_format = normalize_data_format(data_format)
        if interpolation != "nearest":
            raise NotImplementedError(
                "nbkeras's UpSampling2D implements interpolation='nearest' only. "
                f"Received: interpolation={interpolation!r}"
            )
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        axis = 1 if self.data_format == "channels_last" else 2
        x = repeat_axis(inputs, self.size[0], axis) if self.size[0] > 1 else inputs
        return repeat_axis(x, self.size[1], axis + 1) if self.size[1] > 1 else x

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        (h, w), c = self._spatial(input_shape)
        h = None if h is None else h * self.size[0]
        w = None if w is None else w * self.size[1]
        return self._assemble(input_shape[0], (h, w), c)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"size": self.size, "data_format": self.data_format,
                    "interpolation": self.interpolation})
        return cfg
