"""`Cropping2D` (and the base of `Cropping1D`): removes rows and columns at the borders."""

from nbkeras.layers.convolutional.base_conv import SpatialLayer, normalize_data_format
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.reshaping.zero_padding2d import symmetric_pairs
from nbkeras.ops.conv import crop_spatial


class BaseCropping(SpatialLayer):
    """Shared code of Cropping1D and Cropping2D (not a public class).

    Subclasses set `cropping`, `data_format` and `_spatial_crops()` (a pair per spatial axis).
    """

    def _crops(self):
        return self._full_pairs(self._spatial_crops())

    def _check_input(self, inputs):
        super()._check_input(inputs)
        self.compute_output_shape(tuple(inputs.shape))

    def call(self, inputs):
        return crop_spatial(inputs, self._crops())

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        out = []
        for d, (a, b) in zip(input_shape, self._crops()):
            if d is not None and a + b >= d and (a or b):
                raise ValueError(
                    f"Layer \"{self.name}\": cropping {self.cropping} removes everything from "
                    f"an input of shape {tuple(input_shape)}. Received: input_shape="
                    f"{tuple(input_shape)}, cropping={self.cropping}"
                )
            out.append(None if d is None else d - a - b)
        return tuple(out)


class Cropping2D(BaseCropping):
    """Crop images along height and width.

    Args:
        cropping: an int (all sides), (rows, cols) (symmetric), or
            ((top, bottom), (left, right)).
        data_format: `'channels_last'` (default) or `'channels_first'`.

    Example:
        >>> nbkeras.layers.Cropping2D(((1, 0), (0, 2)))(np.zeros((1, 5, 5, 2))).shape
        (1, 4, 3, 2)
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = symmetric_pairs(cropping, "cropping")
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def _spatial_crops(self):
        return self.cropping

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"cropping": self.cropping, "data_format": self.data_format})
        return cfg
