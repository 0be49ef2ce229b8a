"""`ZeroPadding1D`: adds zero steps at the start and end of sequences."""

from nbkeras.layers.convolutional.base_conv import normalize_data_format, normalize_tuple
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.reshaping.zero_padding2d import BaseZeroPadding


class ZeroPadding1D(BaseZeroPadding):
    """Pad sequences with zero steps along the time axis.

    Args:
        padding: an int (both ends) or (left, right).
        data_format: `'channels_last'` (default, (batch, steps, features)) or
            `'channels_first'` ((batch, features, steps)).

    Example:
        >>> nbkeras.layers.ZeroPadding1D((1, 2))(np.zeros((2, 3, 4))).shape
        (2, 6, 4)
    """

    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.padding = normalize_tuple(padding, 2, "padding", allow_zero=True)
        self.input_spec = InputSpec(ndim=3)

    def _spatial_pads(self):
        return (self.padding,)
