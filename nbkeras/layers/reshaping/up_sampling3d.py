"""`UpSampling3D`: repeats entries along the depth, height and width axes."""

from nbkeras.layers.convolutional.base_conv import (
    SpatialLayer, normalize_data_format, normalize_tuple,
)
from nbkeras.layers.input_spec import InputSpec
from nbkeras.ops.conv import repeat_axis


class UpSampling3D(SpatialLayer):
    """Upsample volumes by repeating each entry `size` times along each spatial axis.

    Args:
        size: an int or (depth, height, width) factors ((2, 2, 2)).
        data_format: `'channels_last'` (default) or `'channels_first'`.

    Example:
        >>> nbkeras.layers.UpSampling3D()(np.zeros((1, 2, 3, 4, 2))).shape
        (1, 4, 6, 8, 2)
    """

    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 3, "size")
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=5)

    def call(self, inputs):
        axis = 1 if self.data_format == "channels_last" else 2
        x = inputs
        for i, factor in enumerate(self.size):
            if factor > 1:
                x = repeat_axis(x, factor, axis + i)
        return x

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        spatial, c = self._spatial(input_shape)
        out = [None if d is None else d * f for d, f in zip(spatial, self.size)]
        return self._assemble(input_shape[0], out, c)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"size": self.size, "data_format": self.data_format})
        return cfg
