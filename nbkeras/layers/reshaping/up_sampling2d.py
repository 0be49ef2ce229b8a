"""`UpSampling2D`: repeats rows and columns, or resizes with an interpolation kernel."""

from nbkeras.layers.convolutional.base_conv import (
    SpatialLayer, normalize_data_format, normalize_tuple,
)
from nbkeras.layers.input_spec import InputSpec
from nbkeras.ops import image
from nbkeras.ops.conv import repeat_axis


class UpSampling2D(SpatialLayer):
    """Upsample images by `size`: repeat rows and columns, or interpolate.

    Args:
        size: an int or (rows, cols) ((2, 2)).
        data_format: `'channels_last'` (default) or `'channels_first'`.
        interpolation: `'nearest'` (repeat), `'bilinear'`, `'bicubic'`, `'lanczos3'` or
            `'lanczos5'` (as `ops.image.resize`).

    Example:
        >>> nbkeras.layers.UpSampling2D()(np.zeros((1, 3, 4, 2))).shape
        (1, 6, 8, 2)
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 2, "size")
        self.data_format = normalize_data_format(data_format)
        if interpolation not in image.INTERPOLATIONS:
            raise ValueError(
                f"Invalid value for argument `interpolation`. Expected one of "
                f"{list(image.INTERPOLATIONS)}. Received: interpolation={interpolation!r}"
            )
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        axis = 1 if self.data_format == "channels_last" else 2
        if self.interpolation != "nearest":
            h, w = inputs.shape[axis], inputs.shape[axis + 1]
            return image.resize(inputs, (h * self.size[0], w * self.size[1]),
                                interpolation=self.interpolation, data_format=self.data_format)
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
