"""`ZeroPadding2D`, `ZeroPadding3D` (and the base of `ZeroPadding1D`): add zeros at the borders."""

from nbkeras.layers.convolutional.base_conv import SpatialLayer, normalize_data_format
from nbkeras.layers.input_spec import InputSpec
from nbkeras.ops.conv import pad_spatial


def symmetric_pairs(value, name, n=2):
    """int | (a, b, ...) | ((before, after), ...) -> one (before, after) pair per axis (n axes)."""
    if isinstance(value, int):
        value = (value,) * n
    value = tuple(value)
    words = {2: "two", 3: "3"}
    if len(value) != n:
        raise ValueError(f"`{name}` should have {words.get(n, n)} elements. "
                         f"Received: {name}={value!r}")
    out = []
    for v in value:
        if isinstance(v, int):
            out.append((v, v))
        else:
            v = tuple(int(a) for a in v)
            if len(v) != 2:
                raise ValueError(
                    f"`{name}` should be a tuple of {n} pairs. Received: {name}={value!r}")
            out.append(v)
    if any(a < 0 for p in out for a in p):
        raise ValueError(f"`{name}` cannot contain negative values. Received: {name}={value!r}")
    return tuple(out)


class BaseZeroPadding(SpatialLayer):
    """Shared code of ZeroPadding1D/2D/3D (not a public class).

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


class ZeroPadding3D(BaseZeroPadding):
    """Pad volumes (batch, depth, height, width, channels) with zeros.

    Args:
        padding: an int (all sides), a triple (symmetric per axis), or
            ((front, back), (top, bottom), (left, right)).
        data_format: `'channels_last'` (default) or `'channels_first'`.

    Example:
        >>> nbkeras.layers.ZeroPadding3D(1)(np.zeros((1, 2, 3, 3, 2))).shape
        (1, 4, 5, 5, 2)
    """

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = symmetric_pairs(padding, "padding", 3)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=5)

    def _spatial_pads(self):
        return self.padding
