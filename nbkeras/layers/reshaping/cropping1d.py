"""`Cropping1D`: removes steps at the start and end of sequences."""

from nbkeras.layers.convolutional.base_conv import normalize_tuple
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.reshaping.cropping2d import BaseCropping


class Cropping1D(BaseCropping):
    """Crop sequences along the time axis (axis 1 of (batch, steps, features)).

    Args:
        cropping: an int (both ends) or (left, right).

    Example:
        >>> nbkeras.layers.Cropping1D((1, 2))(np.zeros((2, 6, 4))).shape
        (2, 3, 4)
    """

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = normalize_tuple(cropping, 2, "cropping", allow_zero=True)
        self.data_format = "channels_last"  # as in Keras: always axis 1, whatever the config
        self.input_spec = InputSpec(ndim=3)

    def _spatial_crops(self):
        return (self.cropping,)

    def get_config(self):
        cfg = super().get_config()
        cfg["cropping"] = self.cropping
        return cfg
