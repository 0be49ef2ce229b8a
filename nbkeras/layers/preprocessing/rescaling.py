"""`Rescaling`: multiply by `scale` and add `offset` (e.g. pixels from [0, 255] to [0, 1])."""

import numpy as np

from nbkeras import ops
from nbkeras.layers.layer import Layer


class Rescaling(Layer):
    """Computes `inputs * scale + offset`, in the layer's float dtype.

    Args:
        scale: a float, or an array broadcast against the input (per channel).
        offset: a float or an array, added after scaling.

    Example:
        >>> nbkeras.layers.Rescaling(1.0 / 255)(np.array([[0, 255]], "uint8"))
        array([[0., 1.]], dtype=float32)
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.built = True

    def call(self, inputs):
        x = ops.cast(inputs, self.dtype)
        scale = np.asarray(self.scale, self.dtype)
        offset = np.asarray(self.offset, self.dtype)
        return ops.add(ops.multiply(x, scale), offset)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"scale": _plain(self.scale), "offset": _plain(self.offset)})
        return cfg


def _plain(value):
    return np.asarray(value).tolist() if isinstance(value, np.ndarray) else value
