"""`Cropping2D`, `Cropping3D` (and the base of `Cropping1D`): remove entries at the borders."""

from nbkeras.layers.convolutional.base_conv import SpatialLayer, normalize_data_format
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.reshaping.zero_padding2d import symmetric_pairs
from nbkeras.ops.conv import crop_spatial


class BaseCropping(SpatialLayer):
    """Shared code of Cropping1D/2D/3D (not a public class).

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


class Cropping3D(Cropping2D):
    """Crop volumes (batch, depth, height, width, channels) along the three spatial axes.

    Args:
        cropping: an int (all sides), a triple (symmetric per axis), or
            ((front, back), (top, bottom), (left, right)).
        data_format: `'channels_last'` (default) or `'channels_first'`.

    Example:
        >>> nbkeras.layers.Cropping3D(1)(np.zeros((1, 4, 5, 5, 2))).shape
        (1, 2, 3, 3, 2)
    """

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        BaseCropping.__init__(self, **kwargs)
        self.cropping = symmetric_pairs(cropping, "cropping", 3)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=5)
