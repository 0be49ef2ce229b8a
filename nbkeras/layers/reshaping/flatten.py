"""`Flatten`: collapses every axis but the batch axis."""

import numpy as np

from nbkeras import ops
from nbkeras.layers.layer import Layer


class Flatten(Layer):
    """Flattens each sample to one axis.

    Args:
        data_format: `'channels_last'` (default) or `'channels_first'`; with
            channels_first the channel axis is moved last before flattening.

    Example:
        >>> nbkeras.layers.Flatten()(np.zeros((2, 3, 4))).shape
        (2, 12)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first" and len(x.shape) > 2:
            x = ops.transpose(x, (0,) + tuple(range(2, len(x.shape))) + (1,))
        return ops.reshape(x, (x.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(np.prod(rest))
        return (input_shape[0], size)

    def get_config(self):
        cfg = super().get_config()
        cfg["data_format"] = self.data_format
        return cfg
