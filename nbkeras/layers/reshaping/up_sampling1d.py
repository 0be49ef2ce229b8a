"""`UpSampling1D`: repeats each step of sequences."""

from nbkeras.layers.convolutional.base_conv import SpatialLayer
from nbkeras.layers.input_spec import InputSpec
from nbkeras.ops.conv import repeat_axis


class UpSampling1D(SpatialLayer):
    """Upsample sequences by repeating each step `size` times along the time axis (axis 1).

    Args:
        size: the upsampling factor (a positive int).

    Example:
        >>> nbkeras.layers.UpSampling1D(3)(np.zeros((2, 4, 5))).shape
        (2, 12, 5)
    """

    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"Expected an integer value for `size`, got {type(size)}. "
                            f"Received: size={size!r}")
        if size <= 0:
            raise ValueError(f"Argument `size` should be a positive integer. Received: size={size}")
        self.size = size
        self.data_format = "channels_last"  # as in Keras: always axis 1, whatever the config
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return repeat_axis(inputs, self.size, 1)

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def get_config(self):
        cfg = super().get_config()
        cfg["size"] = self.size
        return cfg
