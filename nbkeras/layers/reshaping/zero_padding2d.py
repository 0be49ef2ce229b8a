"""`ZeroPadding2D` (and the base of `ZeroPadding1D`): adds rows and columns of zeros."""

from nbkeras.layers.convolutional.base_conv import SpatialLayer, normalize_data_format
from nbkeras.layers.input_spec import InputSpec
from nbkeras.ops.conv import pad_spatial


def symmetric_pairs(value, name):
    """int | (a, b) | ((top, bottom), (left, right)) -> ((top, bottom), (left, right))."""
    if isinstance(value, int):
        return ((value, value), (value, value))
    value = tuple(value)
    if len(value) != 2:
        raise ValueError(f"`{name}` should have two elements. Received: {name}={value!r}")
    out = []
    for v in value:
        if isinstance(v, int):
            out.append((v, v))
        else:
            v = tuple(int(a) for a in v)
            if len(v) != 2:
                raise ValueError(
                    f"`{name}` should be a tuple of 2 pairs. Received: {name}={value!r}")
            out.append(v)
    if any(a < 0 for p in out for a in p):
        raise ValueError(f"`{name}` cannot contain negative values. Received: {name}={value!r}")
    return tuple(out)


class BaseZeroPadding(SpatialLayer):
    """Shared code of ZeroPadding1D and ZeroPadding2D (not a public class).

    Subclasses set `padding`, `data_format` and `_spatial_pads()` (a pair per spatial axis).
    """

    def _pads(self):
        return self._full_pairs(self._spatial_pads())

    def call(self, inputs):
        return pad_spatial(inputs, self._pads())

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        return tuple(None if d is None else d + a + b
                     for d, (a, b) in zip(input_shape, self._pads()))

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"padding": self.padding, "data_format": self.data_format})
        return cfg


class ZeroPadding2D(BaseZeroPadding):
    """Pad images with zeros.

    Args:
        padding: an int (all sides), (rows, cols) (symmetric), or
            ((top, bottom), (left, right)).
        data_format: `'channels_last'` (default) or `'channels_first'`.

    Example:
        >>> nbkeras.layers.ZeroPadding2D(1)(np.zeros((1, 3, 3, 2))).shape
        (1, 5, 5, 2)
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = symmetric_pairs(padding, "padding")
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def _spatial_pads(self):
        return self.padding
